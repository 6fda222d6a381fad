#define BOOST_TEST_MODULE unit_runtime_run
#include <boost/test/unit_test.hpp>
