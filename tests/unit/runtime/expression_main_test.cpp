#define BOOST_TEST_MODULE unit_runtime_expression
#include <boost/test/unit_test.hpp>
