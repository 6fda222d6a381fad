#include <boost/test/unit_test.hpp>

#include <string>

#include "base/json.hpp"
#include "base/result.hpp"

using af::errc;
using af::json;

BOOST_AUTO_TEST_SUITE(json_parsing)

BOOST_AUTO_TEST_CASE(parses_objects_keeping_key_order) {
  auto r = af::parse_json(R"({"b": 1, "a": [true, null, 2.5, "x"]})");
  BOOST_REQUIRE(r);
  BOOST_TEST(r->begin().key() == "b");
  BOOST_TEST(af::dump(*r) == R"({"b":1,"a":[true,null,2.5,"x"]})");
}

BOOST_AUTO_TEST_CASE(rejects_duplicate_keys_in_small_and_large_objects) {
  BOOST_TEST(!af::parse_json(R"({"a": 1, "a": 2})"));
  std::string big = "{";
  for (int i = 0; i < 40; ++i) big += "\"k" + std::to_string(i) + "\":1,";
  big += "\"k7\":2}";
  auto r = af::parse_json(big);
  BOOST_REQUIRE(!r);
  BOOST_TEST(r.error().code == errc::invalid_json);
  BOOST_TEST(r.error().message.find("duplicate") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(rejects_integers_outside_int64_and_doubles_out_of_range) {
  BOOST_TEST(af::parse_json("9223372036854775807").has_value());
  BOOST_TEST(!af::parse_json("9223372036854775808"));
  BOOST_TEST(!af::parse_json("123456789012345678901234567890"));
  BOOST_TEST(!af::parse_json("1e400"));
  BOOST_TEST(af::parse_json("-9223372036854775808").has_value());
}

BOOST_AUTO_TEST_CASE(depth_counts_the_root_as_one) {
  af::json_parse_options opts;
  opts.max_depth = 3;
  BOOST_TEST(af::parse_json("[[[1]]]", opts).has_value());
  BOOST_TEST(!af::parse_json("[[[[1]]]]", opts));
  BOOST_TEST(af::parse_json("[[[]]]", opts).has_value());
  BOOST_TEST(!af::parse_json("[[[[]]]]", opts));
  BOOST_TEST(!af::parse_json(R"({"a": {"b": [{}]}})", opts));
  std::string deep(10000, '[');
  deep += std::string(10000, ']');
  auto r = af::parse_json(deep);
  BOOST_REQUIRE(!r);
  BOOST_TEST(r.error().code == errc::invalid_json);
}

BOOST_AUTO_TEST_CASE(rejects_truncated_json_and_invalid_utf8) {
  BOOST_TEST(!af::parse_json(R"({"a": )"));
  BOOST_TEST(!af::parse_json(""));
  BOOST_TEST(!af::parse_json("\"\xff\xfe\""));
  BOOST_TEST(!af::parse_json("{} {}"));
}

BOOST_AUTO_TEST_CASE(same_value_ignores_key_order_and_number_representation) {
  BOOST_TEST(
      af::same_value(json::parse(R"({"a":1,"b":[1,2]})"), json::parse(R"({"b":[1,2.0],"a":1.0})")));
  BOOST_TEST(!af::same_value(json::parse(R"({"a":1})"), json::parse(R"({"a":"1"})")));
  BOOST_TEST(!af::same_value(json::parse(R"([1,2])"), json::parse(R"([2,1])")));
}

BOOST_AUTO_TEST_SUITE_END()
