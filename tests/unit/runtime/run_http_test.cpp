// `http` steps in the run machine: the outbound request, the output, retries and backoff,
// retry policy merging and dry runs (DESIGN §3, §9 "Step kinds", "Execution (more)").
#include <boost/test/unit_test.hpp>

#include "runtime/run_request.hpp"
#include "tests/unit/runtime/run_support.hpp"

using namespace run_test;
using ak = run_action::kind;

namespace {

const char* get_def = R"({"steps": [{"id": "call", "kind": "http",
                                      "with": {"url": "http://api.test/x"}}]})";

}  // namespace

BOOST_AUTO_TEST_SUITE(run_http)

BOOST_AUTO_TEST_CASE(the_http_action_carries_the_rendered_request) {
  driver d(R"({"steps": [{"id": "call", "kind": "http", "with": {
      "method": "post", "url": "http://api.test/v1/x",
      "query": {"q": "a b&c/ü", "n": "{{ input.n }}"},
      "headers": {"X-Trace": "t-{{ input.n }}", "idempotency-key": "mine"},
      "body": {"name": "{{ input.name }}"}}}]})");
  auto out = d.start(init_for("r1", "live", json{{"n", 7}, {"name", "Ann"}}));
  const auto& a = only_action(out, ak::http_call, "call");
  BOOST_TEST(a.attempt == 1);
  BOOST_TEST(a.request["method"] == "POST");
  BOOST_TEST(a.request["url"] == "http://api.test/v1/x?q=a%20b%26c%2F%C3%BC&n=7");
  BOOST_TEST(
      af::dump(a.request["headers"]) ==
      R"([["X-Trace","t-7"],["Idempotency-Key","r1/call"],["Content-Type","application/json"]])");
  BOOST_TEST(a.request["body"] == R"({"name":"Ann"})");
  BOOST_TEST(a.request["timeout_ms"] == 30000);
  BOOST_TEST(a.request["connect_timeout_ms"] == 5000);
  BOOST_TEST(d.status_of("call") == "running");
  BOOST_TEST(af::dump(d.item("call").inputs) == af::dump(a.request));
  BOOST_TEST(out.events.back().type == "item.started");
}

BOOST_AUTO_TEST_CASE(a_string_body_is_sent_as_is_and_the_smaller_timeout_wins) {
  driver d(R"({"steps": [{"id": "call", "kind": "http", "timeout": "5s", "with": {
      "method": "PUT", "url": "https://api.test/", "body": "raw text", "timeout": "10s",
      "headers": {"content-type": "text/plain"}}}]})");
  auto out = d.start();
  const auto& a = only_action(out, ak::http_call, "call");
  BOOST_TEST(a.request["body"] == "raw text");
  BOOST_TEST(af::dump(a.request["headers"]) ==
             R"([["content-type","text/plain"],["Idempotency-Key","r1/call"]])");
  BOOST_TEST(a.request["timeout_ms"] == 5000);
}

BOOST_AUTO_TEST_CASE(a_2xx_answer_becomes_status_headers_and_the_parsed_body) {
  driver d(get_def);
  d.start();
  http_result r;
  r.status = 200;
  r.headers = {{"content-type", "application/json; charset=utf-8"}, {"x-a", "1"}, {"x-a", "2"}};
  r.body = R"({"ok": true, "n": [1, 2]})";
  auto out = d.http("call", 1, r);
  BOOST_TEST(
      af::dump(d.item("call").outputs) ==
      R"({"status":200,"headers":{"content-type":"application/json; charset=utf-8","x-a":"1, 2"},"body":{"ok":true,"n":[1,2]}})");
  BOOST_TEST(d.run_status_text() == "succeeded");
  BOOST_TEST(types(out) == (std::vector<std::string>{"item.succeeded call", "run.succeeded"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_body_that_does_not_say_json_stays_a_string) {
  driver d(get_def);
  d.start();
  http_result r;
  r.status = 204;
  r.headers = {{"content-type", "text/plain"}};
  r.body = R"({"looks": "like json"})";
  d.http("call", 1, r);
  BOOST_TEST(d.item("call").outputs["body"] == R"({"looks": "like json"})");
}

BOOST_AUTO_TEST_CASE(a_500_retries_after_the_initial_interval_and_the_timer_starts_attempt_2) {
  driver d(get_def);
  d.start();
  d.env.now = t0 + 250;
  auto out = d.http_status("call", 1, 500);
  BOOST_TEST(types(out) == std::vector<std::string>{"item.retrying call"},
             boost::test_tools::per_element());
  const auto& it = d.item("call");
  BOOST_TEST(d.status_of("call") == "retrying");
  BOOST_TEST((it.next_attempt_at && *it.next_attempt_at == t0 + 1250));
  BOOST_TEST(it.error["code"] == "http_status");
  BOOST_TEST(it.error["retryable"] == true);
  BOOST_TEST(it.error["attempt"] == 1);
  BOOST_TEST(only_action(out, ak::timer, "call").at == t0 + 1250);
  BOOST_TEST(d.run_status_text() == "running");

  // A timer that fires before the deadline (steady and wall clocks disagree) arms itself again.
  auto early = d.timer_at("call", t0 + 1249);
  BOOST_TEST(early.events.empty());
  BOOST_TEST(only_action(early, ak::timer, "call").at == t0 + 1250);
  auto due = d.timer_at("call", t0 + 1250);
  BOOST_TEST(only_action(due, ak::http_call, "call").attempt == 2);
  BOOST_TEST(d.item("call").attempt_count == 2);
  BOOST_TEST(d.status_of("call") == "running");
  d.http_status("call", 2, 200);
  BOOST_TEST(d.run_status_text() == "succeeded");
  d.check_replay();
}

BOOST_AUTO_TEST_CASE(the_jitter_scales_the_wait) {
  driver d(get_def);
  d.env.jitter = [] { return 0.8; };
  d.start();
  d.http_status("call", 1, 503);
  BOOST_TEST(*d.item("call").next_attempt_at == t0 + 800);
}

BOOST_AUTO_TEST_CASE(exhausted_attempts_fail_with_http_status_retryable_true) {
  driver d(get_def);
  d.start();
  d.http_status("call", 1, 500);
  d.timer_at("call", d.env.now + 1000);
  d.http_status("call", 2, 502);
  BOOST_TEST(*d.item("call").next_attempt_at == d.env.now + 2000);
  d.timer_at("call", d.env.now + 2000);
  auto out = d.http_status("call", 3, 500);
  BOOST_TEST(d.status_of("call") == "failed");
  BOOST_TEST(d.item("call").attempt_count == 3);
  BOOST_TEST(
      af::dump(d.item("call").error) ==
      R"({"code":"http_status","message":"unexpected HTTP status 500","retryable":true,"attempt":3})");
  BOOST_TEST(d.run_status_text() == "failed");
  BOOST_TEST(d.st.error["code"] == "http_status");
  BOOST_TEST(d.st.error["item_id"] == "call");
  BOOST_TEST(d.count("item.retrying") == 2);
  d.check_replay();
}

BOOST_AUTO_TEST_CASE(a_404_is_final) {
  driver d(get_def);
  d.start();
  auto out = d.http_status("call", 1, 404);
  BOOST_TEST(d.status_of("call") == "failed");
  BOOST_TEST(d.item("call").error["code"] == "http_status");
  BOOST_TEST(d.item("call").error["retryable"] == false);
  BOOST_TEST(actions(out, ak::timer).empty());
  d.check_replay();
}

BOOST_AUTO_TEST_CASE(statuses_408_and_429_are_retried) {
  for (int status : {408, 429}) {
    driver d(get_def);
    d.start();
    d.http_status("call", 1, status);
    BOOST_TEST(d.status_of("call") == "retrying");
  }
}

BOOST_AUTO_TEST_CASE(an_expected_status_outside_2xx_succeeds) {
  driver d(R"({"steps": [{"id": "call", "kind": "http",
                          "with": {"url": "http://a.test/", "expect": [404, "2xx"]}}]})");
  d.start();
  d.http_status("call", 1, 404);
  BOOST_TEST(d.status_of("call") == "succeeded");
  BOOST_TEST(d.item("call").outputs["status"] == 404);
}

BOOST_AUTO_TEST_CASE(network_errors_and_timeouts_are_retried_other_errors_are_not) {
  driver d(get_def);
  d.start();
  d.http("call", 1, net_error(af::errc::unavailable));
  BOOST_TEST(d.status_of("call") == "retrying");
  BOOST_TEST(d.item("call").error["code"] == "unavailable");
  d.timer_at("call", d.env.now + 1000);
  d.http("call", 2, net_error(af::errc::timeout));
  BOOST_TEST(d.status_of("call") == "retrying");

  driver e(get_def);
  e.start();
  e.http("call", 1, net_error(af::errc::limit_exceeded));
  BOOST_TEST(e.status_of("call") == "failed");
  BOOST_TEST(e.item("call").error["retryable"] == false);
}

BOOST_AUTO_TEST_CASE(a_late_answer_for_an_earlier_attempt_is_ignored) {
  driver d(get_def);
  d.start();
  d.http_status("call", 1, 500);
  // While the retry waits, an answer for attempt 1 is late.
  BOOST_TEST(d.http_status("call", 1, 200).events.empty());
  d.timer_at("call", d.env.now + 1000);
  BOOST_TEST(d.http_status("call", 1, 200).events.empty());
  BOOST_TEST(d.status_of("call") == "running");
  BOOST_TEST(d.http_status("nope", 2, 200).events.empty());
  BOOST_TEST(!d.http_status("call", 2, 200).events.empty());
  BOOST_TEST(d.status_of("call") == "succeeded");
}

BOOST_AUTO_TEST_CASE(an_invalid_url_fails_the_item_without_a_call) {
  driver d(R"({"steps": [{"id": "call", "kind": "http", "with": {"url": "ftp://a.test/"}}]})");
  auto out = d.start();
  BOOST_TEST(actions(out, ak::http_call).empty());
  BOOST_TEST(d.status_of("call") == "failed");
  BOOST_TEST(d.item("call").error["code"] == "invalid_argument");
}

BOOST_AUTO_TEST_CASE(backoff_waits_follow_min_of_max_and_initial_times_backoff_to_the_n_minus_1) {
  driver d(R"({"steps": [{"id": "call", "kind": "http",
     "retry": {"max_attempts": 5, "initial_interval": "1s", "backoff": 3, "max_interval": "5s"},
     "with": {"url": "http://a.test/"}}]})");
  d.start();
  std::vector<millis> waits;
  for (int attempt = 1; attempt <= 5; ++attempt) {
    d.http_status("call", attempt, 500);
    if (d.status_of("call") != "retrying") break;
    waits.push_back(*d.item("call").next_attempt_at - d.env.now);
    d.timer_at("call", *d.item("call").next_attempt_at);
  }
  BOOST_TEST(waits == (std::vector<millis>{1000, 3000, 5000, 5000}),
             boost::test_tools::per_element());
  BOOST_TEST(d.status_of("call") == "failed");
  BOOST_TEST(d.item("call").attempt_count == 5);
}

BOOST_AUTO_TEST_CASE(backoff_delay_applies_the_jitter_after_the_cap) {
  retry_policy p;  // 3, 1 s, ×2, 1 m
  BOOST_TEST(backoff_delay(p, 1, 1.0) == 1000);
  BOOST_TEST(backoff_delay(p, 2, 1.0) == 2000);
  BOOST_TEST(backoff_delay(p, 7, 1.0) == 60000);
  BOOST_TEST(backoff_delay(p, 10, 0.8) == 48000);
}

BOOST_AUTO_TEST_CASE(a_step_retry_merges_field_by_field_over_the_workflow_and_the_default) {
  driver d(R"({"retry": {"max_attempts": 5, "initial_interval": "2s"}, "steps": [
    {"id": "a", "kind": "http", "retry": {"backoff": 3}, "with": {"url": "http://a.test/"}},
    {"id": "b", "kind": "http", "with": {"url": "http://a.test/"}},
    {"id": "c", "kind": "http", "retry": {"max_interval": "10s", "max_attempts": 1},
     "with": {"url": "http://a.test/"}}]})");
  const auto& a = d.plan->steps[0].retry;
  BOOST_TEST(a.max_attempts == 5);
  BOOST_TEST(a.initial_interval == 2000);
  BOOST_TEST(a.backoff == 3.0);
  BOOST_TEST(a.max_interval == 60000);
  const auto& b = d.plan->steps[1].retry;
  BOOST_TEST(b.max_attempts == 5);
  BOOST_TEST(b.backoff == 2.0);
  const auto& c = d.plan->steps[2].retry;
  BOOST_TEST(c.max_attempts == 1);
  BOOST_TEST(c.initial_interval == 2000);
  BOOST_TEST(c.max_interval == 10000);

  driver plain(get_def);
  const auto& def = plain.plan->steps[0].retry;
  BOOST_TEST(def.max_attempts == 3);
  BOOST_TEST(def.initial_interval == 1000);
  BOOST_TEST(def.backoff == 2.0);
  BOOST_TEST(def.max_interval == 60000);
}

BOOST_AUTO_TEST_CASE(a_dry_run_simulates_a_post_with_its_mock) {
  driver d(R"({"steps": [
    {"id": "send", "kind": "http", "mock": {"id": "{{ input.n }}"},
     "with": {"method": "POST", "url": "http://a.test/", "body": {"n": 1}}},
    {"id": "nomock", "kind": "http", "with": {"method": "DELETE", "url": "http://a.test/"}}]})");
  auto out = d.start_mode("dry_run", json{{"n", 4}});
  BOOST_TEST(actions(out, ak::http_call).empty());
  const auto& it = d.item("send");
  BOOST_TEST(d.status_of("send") == "succeeded");
  BOOST_TEST(it.simulated);
  BOOST_TEST(af::dump(it.outputs) == R"({"id":4})");
  BOOST_TEST(it.inputs["method"] == "POST");
  BOOST_TEST(it.inputs["body"] == R"({"n":1})");
  BOOST_TEST(d.item("nomock").simulated);
  BOOST_TEST(d.item("nomock").outputs.is_null());
  BOOST_TEST(d.run_status_text() == "succeeded");
  d.check_replay();
}

BOOST_AUTO_TEST_CASE(a_dry_run_sends_gets_and_heads_for_real) {
  driver d(R"({"steps": [
    {"id": "read", "kind": "http", "mock": 1, "with": {"url": "http://a.test/"}},
    {"id": "head", "kind": "http", "needs": [], "with": {"method": "head", "url": "http://a.test/"}}]})");
  auto out = d.start_mode("dry_run");
  BOOST_TEST(actions(out, ak::http_call).size() == 2u);
  BOOST_TEST(d.status_of("read") == "running");
  BOOST_TEST(!d.item("read").simulated);
}

BOOST_AUTO_TEST_CASE(request_helpers_encode_and_match_statuses) {
  BOOST_TEST(percent_encode("a-b_c.d~e f/+") == "a-b_c.d~e%20f%2F%2B");
  BOOST_TEST(status_expected(nullptr, 204));
  BOOST_TEST(!status_expected(nullptr, 301));
  BOOST_TEST(status_expected(json::array({"4XX"}), 418));
  BOOST_TEST(status_expected(json::array({201}), 201));
  BOOST_TEST(!status_expected(json::array({201}), 200));
}

BOOST_AUTO_TEST_SUITE_END()
