// The unit_runtime_schema binary: the definition schema and the input_schema subset.
#define BOOST_TEST_MODULE unit_runtime_schema
#include <boost/test/unit_test.hpp>
