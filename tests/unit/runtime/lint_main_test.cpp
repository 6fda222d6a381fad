#define BOOST_TEST_MODULE unit_runtime_lint
#include <boost/test/unit_test.hpp>
