// check_input_schema: the lint side of input_schema (DESIGN §9's subset).
#include <boost/test/unit_test.hpp>

#include <sstream>
#include <string>
#include <vector>

#include "base/json.hpp"
#include "runtime/input_schema.hpp"

using af::json;
using af::runtime::check_input_schema;
using af::runtime::problem;

namespace {

std::vector<problem> check(const char* schema_text) {
  return check_input_schema(json::parse(schema_text), "/input_schema");
}

std::string describe(const std::vector<problem>& ps) {
  std::ostringstream out;
  out << ps.size() << " problems:";
  for (const auto& p : ps) out << " [" << p.path << " " << p.code << ": " << p.message << "]";
  return out.str();
}

bool has(const std::vector<problem>& ps, const std::string& path, const std::string& code) {
  for (const auto& p : ps)
    if (p.path == path && p.code == code) return true;
  return false;
}

// Exactly one problem, at `path` with `code`.
void expect_one(const char* schema_text, const std::string& path, const std::string& code) {
  auto ps = check(schema_text);
  BOOST_TEST_INFO("schema " << schema_text);
  BOOST_TEST((ps.size() == 1 && has(ps, path, code)), describe(ps));
}

// A schema nested `levels` deep through properties.x, with `leaf` at the bottom.
json nested(std::size_t levels, json leaf) {
  json s = std::move(leaf);
  for (std::size_t i = 1; i < levels; ++i) s = json{{"properties", {{"x", std::move(s)}}}};
  return s;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(check_input_schema_suite)

BOOST_AUTO_TEST_CASE(accepts_every_supported_keyword_and_the_two_annotations) {
  auto ps = check(R"({
    "title": "Lead", "description": "a new lead",
    "type": "object", "required": ["email", "tags"], "additionalProperties": false,
    "properties": {
      "email": {"type": "string", "minLength": 3, "maxLength": 254},
      "age": {"type": ["integer", "null"], "minimum": 0, "maximum": 150.5},
      "tags": {"type": "array", "items": {"enum": ["a", {"b": [1]}]}, "minItems": 0,
               "maxItems": 10},
      "kind": {"const": {"any": "value"}},
      "extra": {"additionalProperties": {"type": "boolean"}},
      "open": {"additionalProperties": true}
    }
  })");
  BOOST_TEST(ps.empty(), describe(ps));
}

BOOST_AUTO_TEST_CASE(accepts_the_empty_schema_and_every_type_name) {
  BOOST_TEST(check("{}").empty());
  auto ps = check(R"({"type": ["null", "boolean", "object", "array", "number", "integer",
                               "string"]})");
  BOOST_TEST(ps.empty(), describe(ps));
}

BOOST_AUTO_TEST_CASE(accepts_integral_floats_as_counts) {
  auto ps = check(R"({"minLength": 2.0, "maxItems": 0})");
  BOOST_TEST(ps.empty(), describe(ps));
}

BOOST_AUTO_TEST_CASE(reports_unsupported_keywords_wherever_they_are) {
  expect_one(R"({"type": "string", "pattern": "^a"})", "/input_schema/pattern", "invalid_schema");
  expect_one(R"({"default": {}})", "/input_schema/default", "invalid_schema");
  expect_one(R"({"$ref": "#/x"})", "/input_schema/$ref", "invalid_schema");
  expect_one(R"({"properties": {"e": {"format": "email"}}})", "/input_schema/properties/e/format",
             "invalid_schema");
  expect_one(R"({"items": {"oneOf": []}})", "/input_schema/items/oneOf", "invalid_schema");
  expect_one(R"({"additionalProperties": {"uniqueItems": true}})",
             "/input_schema/additionalProperties/uniqueItems", "invalid_schema");
}

BOOST_AUTO_TEST_CASE(names_the_supported_keywords_in_the_message) {
  auto ps = check(R"({"exclusiveMinimum": 1})");
  BOOST_REQUIRE(ps.size() == 1u);
  BOOST_TEST(ps[0].message.find("exclusiveMinimum") != std::string::npos);
  BOOST_TEST(ps[0].message.find("maxItems") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(keeps_messages_short_for_huge_keyword_names) {
  json schema = json::object();
  schema[std::string(5000, 'k')] = 1;
  auto ps = check_input_schema(schema, "/input_schema");
  BOOST_REQUIRE(ps.size() == 1u);
  BOOST_TEST(ps[0].code == "invalid_schema");
  BOOST_TEST(ps[0].message.size() < 400u);
  BOOST_TEST(ps[0].path.size() == 5000u + std::string("/input_schema/").size());
}

BOOST_AUTO_TEST_CASE(reports_unknown_type_names_and_malformed_type_lists) {
  expect_one(R"({"type": "int"})", "/input_schema/type", "invalid_schema");
  expect_one(R"({"type": 3})", "/input_schema/type", "type");
  expect_one(R"({"type": []})", "/input_schema/type", "invalid_schema");
  expect_one(R"({"type": ["string", 1]})", "/input_schema/type/1", "type");
  expect_one(R"({"type": ["string", "float"]})", "/input_schema/type/1", "invalid_schema");
  expect_one(R"({"type": ["string", "null", "string"]})", "/input_schema/type/2", "invalid_schema");
}

BOOST_AUTO_TEST_CASE(reports_schemas_that_are_not_objects) {
  expect_one(R"("string")", "/input_schema", "type");
  expect_one(R"(true)", "/input_schema", "type");
  expect_one(R"({"properties": {"a": 1}})", "/input_schema/properties/a", "type");
  expect_one(R"({"properties": []})", "/input_schema/properties", "type");
  expect_one(R"({"items": true})", "/input_schema/items", "type");
  expect_one(R"({"items": [{}]})", "/input_schema/items", "type");
}

BOOST_AUTO_TEST_CASE(takes_additional_properties_as_boolean_or_schema_only) {
  BOOST_TEST(check(R"({"additionalProperties": true})").empty());
  BOOST_TEST(check(R"({"additionalProperties": false})").empty());
  expect_one(R"({"additionalProperties": "no"})", "/input_schema/additionalProperties", "type");
  expect_one(R"({"additionalProperties": {"type": "str"}})",
             "/input_schema/additionalProperties/type", "invalid_schema");
}

BOOST_AUTO_TEST_CASE(reports_malformed_required_lists) {
  expect_one(R"({"required": "email"})", "/input_schema/required", "type");
  expect_one(R"({"required": ["a", 1]})", "/input_schema/required/1", "type");
  expect_one(R"({"required": ["a", "b", "a"]})", "/input_schema/required/2", "invalid_schema");
}

BOOST_AUTO_TEST_CASE(reports_enum_that_is_not_a_non_empty_array) {
  expect_one(R"({"enum": {"a": 1}})", "/input_schema/enum", "type");
  expect_one(R"({"enum": []})", "/input_schema/enum", "invalid_schema");
  BOOST_TEST(check(R"({"enum": [null]})").empty());
  BOOST_TEST(check(R"({"const": null})").empty());
}

BOOST_AUTO_TEST_CASE(reports_bounds_that_are_not_numbers_or_contradict) {
  expect_one(R"({"minimum": "5"})", "/input_schema/minimum", "type");
  expect_one(R"({"maximum": null})", "/input_schema/maximum", "type");
  expect_one(R"({"minimum": 5, "maximum": 4.5})", "/input_schema/maximum", "invalid_schema");
  BOOST_TEST(check(R"({"minimum": 5, "maximum": 5.0})").empty());
}

BOOST_AUTO_TEST_CASE(reports_lengths_and_counts_that_are_not_non_negative_integers) {
  for (const char* key : {"minLength", "maxLength", "minItems", "maxItems"}) {
    std::string k = key;
    std::string at = "/input_schema/" + k;
    expect_one(("{\"" + k + "\": -1}").c_str(), at, "invalid_schema");
    expect_one(("{\"" + k + "\": 1.5}").c_str(), at, "invalid_schema");
    expect_one(("{\"" + k + "\": \"3\"}").c_str(), at, "type");
  }
  expect_one(R"({"minLength": 4, "maxLength": 3})", "/input_schema/maxLength", "invalid_schema");
  expect_one(R"({"minItems": 2, "maxItems": 1})", "/input_schema/maxItems", "invalid_schema");
}

BOOST_AUTO_TEST_CASE(reports_annotations_that_are_not_strings) {
  expect_one(R"({"title": 5})", "/input_schema/title", "type");
  expect_one(R"({"description": ["x"]})", "/input_schema/description", "type");
}

BOOST_AUTO_TEST_CASE(escapes_property_names_in_problem_paths) {
  expect_one(R"({"properties": {"a/b~c": {"pattern": "x"}}})",
             "/input_schema/properties/a~1b~0c/pattern", "invalid_schema");
}

BOOST_AUTO_TEST_CASE(reports_every_problem_not_just_the_first) {
  auto ps = check(R"({"type": "int", "required": [1], "properties": {"a": {"format": "x"}},
                      "minLength": -1, "oneOf": []})");
  BOOST_TEST(ps.size() == 5u, describe(ps));
  BOOST_TEST(has(ps, "/input_schema/oneOf", "invalid_schema"));
  BOOST_TEST(has(ps, "/input_schema/properties/a/format", "invalid_schema"));
}

BOOST_AUTO_TEST_CASE(uses_the_given_base_path) {
  auto ps = check_input_schema(json::parse(R"({"pattern": "x"})"), "");
  BOOST_REQUIRE(ps.size() == 1u);
  BOOST_TEST(ps[0].path == "/pattern");
}

BOOST_AUTO_TEST_CASE(accepts_nesting_up_to_the_depth_limit) {
  auto ps = check_input_schema(nested(32, json{{"type", "string"}}), "/input_schema");
  BOOST_TEST(ps.empty(), describe(ps));
}

BOOST_AUTO_TEST_CASE(reports_nesting_past_the_limit_once_and_looks_no_deeper) {
  auto ps = check_input_schema(nested(40, json{{"pattern", "x"}}), "/input_schema");
  std::string at = "/input_schema";
  for (int i = 1; i < 33; ++i) at += "/properties/x";
  BOOST_TEST((ps.size() == 1 && has(ps, at, "limit_exceeded")), describe(ps));
}

BOOST_AUTO_TEST_CASE(survives_very_deep_nesting_through_items) {
  json s = json::object();
  for (int i = 0; i < 5000; ++i) s = json{{"items", std::move(s)}};
  auto ps = check_input_schema(s, "/input_schema");
  BOOST_TEST(ps.size() == 1u);
  BOOST_TEST(ps[0].code == "limit_exceeded");
}

BOOST_AUTO_TEST_SUITE_END()
