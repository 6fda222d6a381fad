#define BOOST_TEST_MODULE unit_runtime_workflow
#include <boost/test/unit_test.hpp>
