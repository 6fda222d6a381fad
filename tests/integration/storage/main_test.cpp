#define BOOST_TEST_MODULE integration_storage
#include <boost/test/unit_test.hpp>
