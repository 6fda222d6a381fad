// Top-level fields, retry policies and triggers.
#include <boost/test/unit_test.hpp>

#include "lint_support.hpp"

using namespace lint_test;

namespace {

constexpr std::string_view one_step = R"([{"id": "a", "kind": "fail"}])";

std::vector<problem> lint_extra(std::string_view extra) {
  return lint_json(with_steps(one_step, extra));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(lint_top_level)

BOOST_AUTO_TEST_CASE(a_definition_must_be_an_object) {
  for (const char* text : {"[]", "\"x\"", "3", "null", "true"}) {
    auto ps = lint_text(text);
    expect_problems(ps, {" type"});
    BOOST_TEST(ps[0].path.empty());
  }
}

BOOST_AUTO_TEST_CASE(a_minimal_definition_is_valid) {
  expect_clean(lint_extra(""));
}

BOOST_AUTO_TEST_CASE(unknown_top_level_fields_suggest_the_closest_name) {
  auto ps = lint_extra(R"("retires": {}, "Steps": [], "zzzzzzzz": 1)");
  expect_problems(ps,
                  {"/retires unknown_field", "/Steps unknown_field", "/zzzzzzzz unknown_field"});
  BOOST_TEST(ps[0].message.find("unknown field 'retires'") == 0u);
  BOOST_TEST(ps[0].message.find("(did you mean 'retry'?)") != std::string::npos);
  BOOST_TEST(ps[1].message.find("(did you mean 'steps'?)") != std::string::npos);
  BOOST_TEST(ps[2].message.find("did you mean") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(steps_are_required_non_empty_and_an_array) {
  expect_problems(lint_text(R"({"name": "x"})"), {"/steps required"});
  expect_problems(lint_text(R"({"steps": {}})"), {"/steps type"});
  expect_problems(lint_text(R"({"steps": []})"), {"/steps invalid_value"});
}

BOOST_AUTO_TEST_CASE(body_id_must_be_a_workflow_id) {
  expect_problems(lint_extra(R"("id": "Lead Enrichment")"), {"/id invalid_id"});
  expect_problems(lint_extra(R"("id": "schema")"), {"/id invalid_id"});
  expect_problems(lint_extra(R"("id": 7)"), {"/id type"});
  expect_clean(lint_extra(R"("id": "lead-enrichment")"));
}

BOOST_AUTO_TEST_CASE(name_description_and_tags_are_bounded_strings) {
  expect_problems(lint_extra(R"("name": 3)"), {"/name type"});
  expect_problems(lint_extra(R"("name": "")"), {"/name invalid_value"});
  af::json def = with_steps(one_step);
  def["name"] = std::string(201, 'n');
  expect_problems(lint_json(def), {"/name invalid_value"});
  std::string two_hundred;
  for (int i = 0; i < 200; ++i) two_hundred += "é";  // characters, not bytes
  def["name"] = two_hundred;
  expect_clean(lint_json(def));
  def.erase("name");
  def["description"] = std::string(4001, 'd');
  expect_problems(lint_json(def), {"/description invalid_value"});
  def["description"] = "";
  expect_clean(lint_json(def));
  expect_problems(lint_extra(R"("tags": "sales")"), {"/tags type"});
  expect_problems(lint_extra(R"("tags": ["ok", 1, ""])"),
                  {"/tags/1 type", "/tags/2 invalid_value"});
  def["tags"] = af::json::array({std::string(65, 't')});
  expect_problems(lint_json(def), {"/tags/0 invalid_value"});
  def["tags"] = af::json::array();
  for (int i = 0; i < 51; ++i) def["tags"].push_back(numbered("t", i));
  expect_problems(lint_json(def), {"/tags invalid_value"});
}

BOOST_AUTO_TEST_CASE(enumerations_and_simple_types) {
  expect_problems(lint_extra(R"("mode_default": "dryrun")"), {"/mode_default invalid_value"});
  auto ps = lint_extra(R"("mode_default": "dryrun")");
  BOOST_TEST(ps[0].message.find("did you mean 'dry_run'") != std::string::npos);
  expect_problems(lint_extra(R"("mode_default": 1)"), {"/mode_default type"});
  expect_problems(lint_extra(R"("error_handling": "fallback")"), {"/error_handling invalid_value"});
  expect_problems(lint_extra(R"("props": [1])"), {"/props type"});
  expect_problems(lint_extra(R"("input_schema": "object")"), {"/input_schema type"});
  expect_clean(lint_extra(R"("mode_default": "smoke_test", "error_handling": "continue",
                             "props": {"a": "{{ not a template here"}, "output": null)"));
}

BOOST_AUTO_TEST_CASE(input_schema_content_is_checked) {
  auto ps = lint_extra(R"("input_schema": {"type": "object", "pattern": "x"})");
  BOOST_TEST_INFO(dump_all(ps));
  BOOST_TEST(ps.size() == 1u);
  BOOST_TEST(ps[0].path.find("/input_schema") == 0u);
  expect_clean(lint_extra(R"("input_schema": {"type": "object", "required": ["email"],
                             "properties": {"email": {"type": "string"}}})"));
}

BOOST_AUTO_TEST_CASE(durations_must_be_literal_durations) {
  expect_problems(lint_extra(R"("timeout": "10 minutes")"), {"/timeout invalid_duration"});
  expect_problems(lint_extra(R"("timeout": "1.5s")"), {"/timeout invalid_duration"});
  expect_problems(lint_extra(R"("timeout": "{{ props.t }}")"), {"/timeout invalid_duration"});
  expect_problems(lint_extra(R"("timeout": 10)"), {"/timeout type"});
  expect_clean(lint_extra(R"("timeout": "10m")"));
}

BOOST_AUTO_TEST_CASE(auto_pause_and_smoke_sample) {
  expect_problems(lint_extra(R"("auto_pause": {"consecutive_failures": 0})"),
                  {"/auto_pause/consecutive_failures invalid_value"});
  expect_problems(lint_extra(R"("auto_pause": {"consecutive_failure": 5})"),
                  {"/auto_pause/consecutive_failure unknown_field"});
  expect_problems(lint_extra(R"("auto_pause": {"consecutive_failures": 1.5})"),
                  {"/auto_pause/consecutive_failures type"});
  expect_problems(lint_extra(R"("auto_pause": 5)"), {"/auto_pause type"});
  expect_problems(lint_extra(R"("smoke_sample": 0)"), {"/smoke_sample invalid_value"});
  expect_problems(lint_extra(R"("smoke_sample": "3")"), {"/smoke_sample type"});
  expect_clean(lint_extra(R"("smoke_sample": 3.0, "auto_pause": {"consecutive_failures": 5})"));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(lint_retry)

BOOST_AUTO_TEST_CASE(retry_fields_are_checked_at_workflow_level) {
  expect_problems(lint_extra(R"("retry": {"max_attempt": 3})"),
                  {"/retry/max_attempt unknown_field"});
  expect_problems(lint_extra(R"("retry": {"max_attempts": 0})"),
                  {"/retry/max_attempts invalid_value"});
  expect_problems(lint_extra(R"("retry": {"max_attempts": 101})"),
                  {"/retry/max_attempts invalid_value"});
  expect_problems(lint_extra(R"("retry": {"max_attempts": "3"})"), {"/retry/max_attempts type"});
  expect_problems(lint_extra(R"("retry": {"initial_interval": "1 s"})"),
                  {"/retry/initial_interval invalid_duration"});
  expect_problems(lint_extra(R"("retry": {"backoff": 0.5})"), {"/retry/backoff invalid_value"});
  expect_problems(lint_extra(R"("retry": {"backoff": "2"})"), {"/retry/backoff type"});
  expect_problems(lint_extra(R"("retry": {"initial_interval": "1m", "max_interval": "1s"})"),
                  {"/retry/max_interval invalid_value"});
  expect_problems(lint_extra(R"("retry": [])"), {"/retry type"});
  expect_clean(lint_extra(R"("retry": {"max_attempts": 100, "initial_interval": "1s",
                                        "backoff": 1, "max_interval": "1m"})"));
  expect_clean(lint_extra(R"("retry": {})"));
}

BOOST_AUTO_TEST_CASE(retry_fields_are_checked_at_step_level) {
  auto ps = lint_json(
      with_steps(R"([{"id": "a", "kind": "fail", "retry": {"retries": 2, "max_attempts": 1.5}}])"));
  expect_problems(ps, {"/steps/0/retry/retries unknown_field", "/steps/0/retry/max_attempts type"});
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(lint_trigger)

BOOST_AUTO_TEST_CASE(trigger_shape_and_type) {
  expect_problems(lint_extra(R"("trigger": "api")"), {"/trigger type"});
  expect_problems(lint_extra(R"("trigger": {})"), {"/trigger/type required"});
  expect_problems(lint_extra(R"("trigger": {"type": "cron"})"), {"/trigger/type invalid_value"});
  expect_problems(lint_extra(R"("trigger": {"type": 1})"), {"/trigger/type type"});
  for (const char* t : {"api", "manual", "webhook"})
    expect_clean(lint_extra(std::string(R"("trigger": {"type": ")") + t + "\"}"));
}

BOOST_AUTO_TEST_CASE(fields_of_another_trigger_type_are_unknown) {
  auto ps = lint_extra(R"("trigger": {"type": "api", "cron": "@daily"})");
  expect_problems(ps, {"/trigger/cron unknown_field"});
  BOOST_TEST(ps[0].message.find("belongs to schedule triggers") != std::string::npos);
  expect_problems(lint_extra(R"("trigger": {"type": "webhook", "topic": "a.b"})"),
                  {"/trigger/topic unknown_field"});
  expect_problems(lint_extra(R"("trigger": {"type": "event", "topic": "a.b", "catch_up": "one"})"),
                  {"/trigger/catch_up unknown_field"});
  auto typo = lint_extra(R"("trigger": {"type": "event", "topic": "a.b", "filtre": true})");
  expect_problems(typo, {"/trigger/filtre unknown_field"});
  BOOST_TEST(typo[0].message.find("did you mean 'filter'") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(schedule_triggers) {
  expect_problems(lint_extra(R"("trigger": {"type": "schedule"})"), {"/trigger/cron required"});
  expect_problems(lint_extra(R"("trigger": {"type": "schedule", "cron": 5})"),
                  {"/trigger/cron type"});
  auto bad = lint_extra(R"("trigger": {"type": "schedule", "cron": "0 25 * * *"})");
  expect_problems(bad, {"/trigger/cron invalid_cron"});
  BOOST_TEST(bad[0].message.find("hour 25") != std::string::npos);
  expect_problems(lint_extra(R"("trigger": {"type": "schedule", "cron": "@daily",
                                            "timezone": "Paris"})"),
                  {"/trigger/timezone invalid_value"});
  expect_problems(lint_extra(R"("trigger": {"type": "schedule", "cron": "@daily",
                                            "timezone": "Europe/../Paris"})"),
                  {"/trigger/timezone invalid_value"});
  expect_problems(lint_extra(R"("trigger": {"type": "schedule", "cron": "@daily",
                                            "catch_up": "some"})"),
                  {"/trigger/catch_up invalid_value"});
  for (const char* tz : {"UTC", "Europe/Paris", "America/Argentina/Buenos_Aires", "Etc/GMT+5",
                         "America/Port-au-Prince"})
    expect_clean(lint_extra(std::string(R"("trigger": {"type": "schedule", "cron": "*/5 * * * *",
                                        "catch_up": "all", "timezone": ")") +
                            tz + "\"}"));
  expect_clean(lint_extra(R"("trigger": {"type": "schedule", "cron": "@every 90s"})"));
}

BOOST_AUTO_TEST_CASE(event_triggers) {
  expect_problems(lint_extra(R"("trigger": {"type": "event"})"), {"/trigger/topic required"});
  expect_problems(lint_extra(R"("trigger": {"type": "event", "topic": "lead.#.x"})"),
                  {"/trigger/topic invalid_topic"});
  expect_problems(lint_extra(R"("trigger": {"type": "event", "topic": ["a"]})"),
                  {"/trigger/topic type"});
  expect_problems(lint_extra(R"("trigger": {"type": "event", "topic": "a", "filter": "yes"})"),
                  {"/trigger/filter invalid_value"});
  expect_problems(lint_extra(R"("trigger": {"type": "event", "topic": "a", "filter": 1})"),
                  {"/trigger/filter type"});
  expect_problems(
      lint_extra(R"("trigger": {"type": "event", "topic": "a", "filter": "x {{ event.id }}"})"),
      {"/trigger/filter invalid_value"});
  expect_clean(lint_extra(R"("trigger": {"type": "event", "topic": "lead.*",
                                         "filter": "{{ event.data.score >= props.min }}"})"));
  expect_clean(lint_extra(R"("trigger": {"type": "event", "topic": "#", "filter": false})"));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_CASE(a_flood_of_problems_is_cut_at_max_problems_with_a_note) {
  af::json def =
      af::json::parse(R"({"steps": [{"id": "a", "kind": "transform", "with": {"value": 1}}]})");
  for (int i = 0; i < 1500; ++i) def["steps"][0]["needs"].push_back("missing" + std::to_string(i));
  auto problems = af::runtime::lint(def, af::limits{});
  BOOST_REQUIRE(problems.size() == af::runtime::max_problems + 1);
  BOOST_TEST(problems.back().code == "limit_exceeded");
  BOOST_TEST(problems.back().message.find("500 more") != std::string::npos);
}
