// The embedded definition schema: parses strictly and has the shape the rest relies on. Its
// behaviour on definitions is tested by tests/schema/check_schema.py with a real validator.
#include <boost/test/unit_test.hpp>

#include <string>

#include "base/json.hpp"
#include "base/limits.hpp"
#include "base/result.hpp"
#include "runtime/definition_schema.hpp"

using af::json;
using af::runtime::definition_schema;
using af::runtime::definition_schema_text;

BOOST_AUTO_TEST_SUITE(definition_schema_suite)

BOOST_AUTO_TEST_CASE(text_parses_with_the_strict_parser) {
  auto parsed = af::parse_json(definition_schema_text());
  BOOST_TEST(parsed.has_value());
  BOOST_TEST(af::same_value(*parsed, definition_schema()));
}

BOOST_AUTO_TEST_CASE(declares_draft_2020_12_and_an_id) {
  const json& s = definition_schema();
  BOOST_TEST(s.at("$schema") == "https://json-schema.org/draft/2020-12/schema");
  BOOST_TEST(s.at("$id").get<std::string>().starts_with("https://"));
  BOOST_TEST(s.at("required") == json::array({"steps"}));
}

BOOST_AUTO_TEST_CASE(lists_the_eleven_kinds_each_with_its_own_closed_with) {
  const json& defs = definition_schema().at("$defs");
  const json kinds = json::array({"transform", "branch", "http", "delay", "wait_event", "approval",
                                  "emit", "workflow", "foreach", "task", "fail"});
  BOOST_TEST(defs.at("kind").at("enum") == kinds);
  BOOST_TEST(defs.at("kind_with").at("allOf").size() == kinds.size());
  for (const auto& k : kinds) {
    std::string name = "with_";
    name += k.get_ref<const std::string&>();
    BOOST_TEST_INFO("kind " << k);
    BOOST_REQUIRE(defs.contains(name));
    BOOST_TEST(defs.at(name).at("additionalProperties") == false);
  }
}

BOOST_AUTO_TEST_CASE(closes_the_definition_its_steps_and_policies) {
  const json& s = definition_schema();
  BOOST_TEST(s.at("additionalProperties") == false);
  for (const char* def : {"step", "inline_step", "retry", "trigger_api", "trigger_schedule",
                          "trigger_webhook", "trigger_event", "input_schema"}) {
    BOOST_TEST_INFO("$defs/" << def);
    BOOST_TEST(s.at("$defs").at(def).at("additionalProperties") == false);
  }
  BOOST_TEST(!s.at("$defs").at("inline_step").at("properties").contains("id"));
  BOOST_TEST(!s.at("$defs").at("inline_step").at("properties").contains("needs"));
}

BOOST_AUTO_TEST_CASE(step_count_bounds_match_the_default_limit) {
  const json& steps = definition_schema().at("properties").at("steps");
  BOOST_TEST(steps.at("minItems") == 1);
  BOOST_TEST(steps.at("maxItems").get<std::size_t>() == af::limits{}.steps);
}

BOOST_AUTO_TEST_SUITE_END()
