// validate_input: a run's input against its workflow's input_schema.
#include <boost/test/unit_test.hpp>

#include <sstream>
#include <string>
#include <vector>

#include "base/json.hpp"
#include "runtime/input_schema.hpp"

using af::json;
using af::runtime::validate_input;
using af::runtime::validation_problem;

namespace {

std::vector<validation_problem> run(const char* schema, const char* value) {
  return validate_input(json::parse(schema), json::parse(value));
}

std::string describe(const std::vector<validation_problem>& ps) {
  std::ostringstream out;
  out << ps.size() << " problems:";
  for (const auto& p : ps) out << " [" << p.path << ": " << p.message << "]";
  return out.str();
}

void expect_valid(const char* schema, const char* value) {
  auto ps = run(schema, value);
  BOOST_TEST_INFO("schema " << schema << " value " << value);
  BOOST_TEST(ps.empty(), describe(ps));
}

// Exactly one problem, at `path`, whose message contains `words`.
void expect_one(const char* schema, const char* value, const std::string& path,
                const std::string& words) {
  auto ps = run(schema, value);
  BOOST_TEST_INFO("schema " << schema << " value " << value);
  BOOST_TEST(
      (ps.size() == 1 && ps[0].path == path && ps[0].message.find(words) != std::string::npos),
      describe(ps));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(validate_input_suite)

BOOST_AUTO_TEST_CASE(empty_schema_accepts_anything) {
  for (const char* v : {"null", "true", "1", "2.5", "\"s\"", "[1]", "{\"a\": {}}"})
    expect_valid("{}", v);
}

BOOST_AUTO_TEST_CASE(matches_each_type_name) {
  expect_valid(R"({"type": "null"})", "null");
  expect_valid(R"({"type": "boolean"})", "false");
  expect_valid(R"({"type": "object"})", "{}");
  expect_valid(R"({"type": "array"})", "[]");
  expect_valid(R"({"type": "number"})", "3");
  expect_valid(R"({"type": "number"})", "-3.25");
  expect_valid(R"({"type": "string"})", R"("")");
  expect_one(R"({"type": "null"})", "0", "", "must be of type null, got integer");
  expect_one(R"({"type": "boolean"})", "\"true\"", "", "got string");
  expect_one(R"({"type": "object"})", "[]", "", "got array");
  expect_one(R"({"type": "array"})", "{}", "", "got object");
  expect_one(R"({"type": "number"})", "\"1\"", "", "got string");
  expect_one(R"({"type": "string"})", "null", "", "got null");
}

BOOST_AUTO_TEST_CASE(integer_matches_integral_numbers_only) {
  expect_valid(R"({"type": "integer"})", "-7");
  expect_valid(R"({"type": "integer"})", "2.0");
  expect_valid(R"({"type": "integer"})", "18446744073709551615");
  expect_one(R"({"type": "integer"})", "2.5", "", "must be of type integer, got number");
  expect_one(R"({"type": "integer"})", "\"2\"", "", "got string");
}

BOOST_AUTO_TEST_CASE(type_lists_accept_any_listed_type) {
  expect_valid(R"({"type": ["string", "null"]})", "null");
  expect_valid(R"({"type": ["string", "null"]})", "\"x\"");
  expect_one(R"({"type": ["string", "null"]})", "1", "", "string or null");
}

BOOST_AUTO_TEST_CASE(reports_only_the_type_when_the_type_is_wrong) {
  expect_one(R"({"type": "string", "minLength": 3, "enum": ["abc"]})", "5", "", "type string");
}

BOOST_AUTO_TEST_CASE(checks_required_properties_at_their_own_path) {
  const char* schema = R"({"type": "object", "required": ["email", "name"]})";
  expect_valid(schema, R"({"email": "a@b", "name": null})");
  expect_one(schema, R"({"email": "a@b"})", "/name", "required");
  auto ps = run(schema, "{}");
  BOOST_TEST(ps.size() == 2u, describe(ps));
}

BOOST_AUTO_TEST_CASE(validates_properties_at_nested_paths) {
  const char* schema = R"({"properties": {"user": {"properties": {"age": {"type": "integer",
                          "minimum": 0}}}}})";
  expect_valid(schema, R"({"user": {"age": 4}, "other": 1})");
  expect_one(schema, R"({"user": {"age": -1}})", "/user/age", "at least 0");
  expect_one(schema, R"({"user": {"age": "4"}})", "/user/age", "type integer");
}

BOOST_AUTO_TEST_CASE(refuses_extra_properties_when_additional_properties_is_false) {
  const char* schema = R"({"properties": {"a": {}}, "additionalProperties": false})";
  expect_valid(schema, R"({"a": 1})");
  expect_one(schema, R"({"a": 1, "b": 2})", "/b", "not an allowed property");
}

BOOST_AUTO_TEST_CASE(validates_extra_properties_against_an_additional_properties_schema) {
  const char* schema = R"({"properties": {"a": {}}, "additionalProperties": {"type": "number"}})";
  expect_valid(schema, R"({"a": "text", "x": 1, "y": 2.5})");
  expect_one(schema, R"({"a": "text", "x": "1"})", "/x", "type number");
}

BOOST_AUTO_TEST_CASE(validates_each_array_item_at_its_index) {
  const char* schema = R"({"type": "array", "items": {"type": "string", "maxLength": 2}})";
  expect_valid(schema, R"(["a", "bb"])");
  expect_one(schema, R"(["a", 1])", "/1", "type string");
  expect_one(schema, R"(["a", "bb", "ccc"])", "/2", "at most 2 characters");
}

BOOST_AUTO_TEST_CASE(compares_enum_and_const_by_value) {
  const char* schema = R"({"enum": [1, "one", {"a": 1, "b": [true]}]})";
  expect_valid(schema, "1.0");
  expect_valid(schema, "\"one\"");
  expect_valid(schema, R"({"b": [true], "a": 1.0})");
  expect_one(schema, "2", "", "must be one of");
  expect_one(schema, R"({"a": 1})", "", "must be one of");
  expect_valid(R"({"const": {"x": [1, 2]}})", R"({"x": [1, 2.0]})");
  expect_one(R"({"const": {"x": [1, 2]}})", R"({"x": [2, 1]})", "", "must equal {\"x\":[1,2]}");
  expect_valid(R"({"const": null})", "null");
  expect_one(R"({"const": null})", "false", "", "must equal null");
}

BOOST_AUTO_TEST_CASE(checks_minimum_and_maximum_inclusively) {
  const char* schema = R"({"minimum": 1, "maximum": 2.5})";
  expect_valid(schema, "1");
  expect_valid(schema, "1.0");
  expect_valid(schema, "2.5");
  expect_one(schema, "0.999", "", "at least 1");
  expect_one(schema, "3", "", "at most 2.5");
  expect_valid(schema, "\"not a number\"");
}

BOOST_AUTO_TEST_CASE(compares_large_integers_exactly) {
  const char* schema = R"({"maximum": 9223372036854775806})";
  expect_valid(schema, "9223372036854775806");
  expect_one(schema, "9223372036854775807", "", "at most 9223372036854775806");
}

BOOST_AUTO_TEST_CASE(counts_string_length_in_code_points) {
  expect_valid(R"({"maxLength": 5})", R"("héllo")");
  expect_valid(R"({"minLength": 2, "maxLength": 2})", R"("日本")");
  expect_one(R"({"minLength": 3})", R"("日本")", "", "at least 3 characters");
  expect_one(R"({"maxLength": 1})", R"("😀😀")", "", "at most 1 characters");
  expect_valid(R"({"minLength": 3})", "12");
}

BOOST_AUTO_TEST_CASE(checks_item_counts) {
  const char* schema = R"({"minItems": 1, "maxItems": 2})";
  expect_valid(schema, "[0]");
  expect_valid(schema, "[0, 0]");
  expect_one(schema, "[]", "", "at least 1 items");
  expect_one(schema, "[1, 2, 3]", "", "at most 2 items");
  expect_valid(schema, "{}");
}

BOOST_AUTO_TEST_CASE(escapes_keys_in_problem_paths) {
  expect_one(R"({"additionalProperties": false})", R"({"a/b~c": 1})", "/a~1b~0c",
             "not an allowed property");
}

BOOST_AUTO_TEST_CASE(reports_every_problem_in_a_stable_order) {
  const char* schema = R"({"type": "object", "required": ["id"],
    "properties": {"email": {"type": "string"}, "n": {"maximum": 3},
                   "tags": {"items": {"enum": ["a"]}}}})";
  auto ps = run(schema, R"({"email": 1, "n": 4, "tags": ["a", "b", "c"]})");
  BOOST_REQUIRE(ps.size() == 5u);
  BOOST_TEST(ps[0].path == "/id");
  BOOST_TEST(ps[1].path == "/email");
  BOOST_TEST(ps[2].path == "/n");
  BOOST_TEST(ps[3].path == "/tags/1");
  BOOST_TEST(ps[4].path == "/tags/2");
}

BOOST_AUTO_TEST_CASE(cuts_the_list_of_problems_and_says_so) {
  json value = json::array();
  for (int i = 0; i < 10000; ++i) value.push_back("x");
  auto ps = validate_input(json::parse(R"({"items": {"type": "integer"}})"), value);
  BOOST_REQUIRE(ps.size() == af::runtime::max_validation_problems);
  BOOST_TEST(ps[0].path == "/0");
  BOOST_TEST(ps[ps.size() - 2].path == "/98");
  BOOST_TEST(ps.back().path == "");
  BOOST_TEST(ps.back().message.find("too many problems") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(handles_wide_objects_against_wide_schemas) {
  json properties = json::object();
  json value = json::object();
  json required = json::array();
  for (int i = 0; i < 3000; ++i) {
    std::string k = "k";
    k += std::to_string(i);
    properties[k] = json{{"type", "integer"}};
    required.push_back(k);
    if (i != 1234) value[k] = i;
  }
  value["k77"] = "wrong";
  json schema{{"properties", properties}, {"required", required}};
  auto ps = validate_input(schema, value);
  BOOST_REQUIRE(ps.size() == 2u);
  BOOST_TEST(ps[0].path == "/k1234");
  BOOST_TEST(ps[1].path == "/k77");
}

BOOST_AUTO_TEST_CASE(never_crashes_on_a_schema_that_failed_the_check) {
  auto ps = run(R"({"type": 5, "minimum": "x", "minLength": -2, "items": 3, "enum": {},
                    "required": [1], "properties": [], "additionalProperties": "no"})",
                R"({"a": [1, "b"]})");
  BOOST_TEST(ps.empty(), describe(ps));
  ps = run(R"({"type": ["nope", 1]})", "1");
  BOOST_TEST(ps.size() <= 1u);
}

BOOST_AUTO_TEST_CASE(stops_at_the_depth_limit_on_a_schema_that_failed_the_check) {
  json schema = json{{"type", "integer"}};
  json value = json("deep");
  for (int i = 0; i < 40; ++i) {
    schema = json{{"items", std::move(schema)}};
    value = json::array({std::move(value)});
  }
  auto ps = validate_input(schema, value);
  BOOST_TEST(ps.empty(), describe(ps));
  // The same shape within the limit is checked all the way down.
  json shallow_schema = json{{"type", "integer"}};
  json shallow_value = json("deep");
  for (int i = 0; i < 31; ++i) {
    shallow_schema = json{{"items", std::move(shallow_schema)}};
    shallow_value = json::array({std::move(shallow_value)});
  }
  ps = validate_input(shallow_schema, shallow_value);
  BOOST_TEST(ps.size() == 1u, describe(ps));
}

BOOST_AUTO_TEST_SUITE_END()
