// Durability of the run machine: recover() after a crash, replay of the event log into a fresh
// state, snapshots, and apply() on events it cannot take (DESIGN §4 "Replay", §7, §9).
#include <boost/test/unit_test.hpp>

#include "tests/unit/runtime/run_support.hpp"

using namespace run_test;
using ak = run_action::kind;

namespace {

const char* get_def = R"({"steps": [{"id": "call", "kind": "http",
                                      "with": {"url": "http://api.test/x"}}]})";

std::string snap(const run_state& st) {
  return af::dump(to_snapshot(st));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(run_recover)

BOOST_AUTO_TEST_CASE(recover_starts_a_running_http_item_again_with_the_next_attempt) {
  driver d(get_def);
  d.start();
  d.env.now = t0 + 90000;  // the node comes back later
  auto out = d.recover();
  BOOST_TEST(types(out) == std::vector<std::string>{"item.started call"},
             boost::test_tools::per_element());
  BOOST_TEST(out.events[0].data["recovered"] == true);
  BOOST_TEST(only_action(out, ak::http_call, "call").attempt == 2);
  // The same idempotency key: the retry of a call that may have happened.
  const auto& headers = only_action(out, ak::http_call, "call").request["headers"];
  BOOST_TEST(af::dump(headers.back()) == R"(["Idempotency-Key","r1/call"])");
  BOOST_TEST(d.item("call").attempt_count == 2);
  BOOST_TEST(d.item("call").recovered == 1);
  d.check_replay();
}

BOOST_AUTO_TEST_CASE(a_recovered_attempt_is_not_counted_against_max_attempts) {
  driver d(get_def);
  d.start();
  d.recover();
  for (int attempt = 2; attempt <= 3; ++attempt) {
    d.http_status("call", attempt, 500);
    BOOST_TEST(d.status_of("call") == "retrying");
    d.timer_at("call", *d.item("call").next_attempt_at);
  }
  d.http_status("call", 4, 500);
  BOOST_TEST(d.status_of("call") == "failed");
  BOOST_TEST(d.item("call").attempt_count == 4);
}

BOOST_AUTO_TEST_CASE(a_recovered_http_item_with_a_step_timeout_is_not_timed_out_at_once) {
  driver d(R"({"steps": [{"id": "call", "kind": "http", "timeout": "5s",
                          "with": {"url": "http://api.test/x"}}]})");
  d.start();
  d.env.now = t0 + 60000;
  auto out = d.recover();
  BOOST_TEST(only_action(out, ak::http_call, "call").request["timeout_ms"] == 5000);
  // Whatever timers recovery asks for, firing them must not fail the fresh attempt: the
  // attempt's own timeout travels with the request.
  for (const auto* t : actions(out, ak::timer)) {
    if (t->item_id != "call") continue;
    d.timer_at("call", std::max(d.env.now, t->at));
  }
  BOOST_TEST(d.status_of("call") == "running");
  d.http_status("call", 2, 200);
  BOOST_TEST(d.run_status_text() == "succeeded");
}

BOOST_AUTO_TEST_CASE(recover_rearms_a_waiting_delay_with_the_same_deadline) {
  driver d(R"({"steps": [{"id": "pause", "kind": "delay", "with": {"for": "1h"}}]})");
  d.start();
  d.env.now = t0 + 1000;
  auto out = d.recover();
  BOOST_TEST(out.events.empty());
  BOOST_TEST(only_action(out, ak::timer, "pause").at == t0 + 3600000);
  d.timer_at("pause", t0 + 3600000);
  BOOST_TEST(d.run_status_text() == "succeeded");
}

BOOST_AUTO_TEST_CASE(recover_rearms_a_retry_and_the_run_timeout) {
  driver d(R"({"timeout": "10m", "steps": [{"id": "call", "kind": "http",
                                            "with": {"url": "http://api.test/x"}}]})");
  d.start();
  d.env.now = t0 + 100;
  d.http_status("call", 1, 503);
  d.env.now = t0 + 500;
  auto out = d.recover();
  BOOST_TEST(out.events.empty());
  BOOST_TEST(only_action(out, ak::timer, "call").at == t0 + 1100);
  BOOST_TEST(only_action(out, ak::timer, "").at == t0 + 600000);
}

BOOST_AUTO_TEST_CASE(recover_asks_again_for_a_waiting_child_run_under_the_same_id) {
  driver d(R"({"steps": [{"id": "sub", "kind": "workflow", "with": {"workflow": "child-wf"}}]})");
  d.start();
  auto out = d.recover();
  BOOST_TEST(out.events.empty());
  const auto& a = only_action(out, ak::start_child, "sub");
  BOOST_TEST(a.child_run_id == "r1-sub");
  BOOST_TEST(a.request["workflow"] == "child-wf");
}

BOOST_AUTO_TEST_CASE(recover_of_a_finished_run_does_nothing) {
  driver d(get_def);
  d.start();
  d.http_status("call", 1, 200);
  auto out = d.recover();
  BOOST_TEST(out.events.empty());
  BOOST_TEST(out.actions.empty());
}

BOOST_AUTO_TEST_CASE(replay_of_a_mixed_run_rebuilds_the_live_state_at_every_step) {
  driver d(R"({"retry": {"max_attempts": 2}, "steps": [
    {"id": "route", "kind": "branch", "with": {"cases": [{"when": true, "next": ["go"]}],
                                              "default": ["stay"]}},
    {"id": "go", "kind": "http", "on_error": "continue", "with": {"url": "http://a.test/"}},
    {"id": "stay", "kind": "transform", "with": {"value": 0}},
    {"id": "each", "kind": "foreach", "needs": [], "with": {"items": ["x", "y"],
     "step": {"kind": "delay", "with": {"for": "1s"}}}},
    {"id": "sub", "kind": "workflow", "needs": ["each"], "with": {"workflow": "c"}}]})");
  d.start();
  d.check_replay();
  d.http_status("go", 1, 500);
  d.check_replay();
  d.recover();
  d.check_replay();
  d.timer_at("each.0", t0 + 1000);
  d.timer_at("each.1", t0 + 1000);
  d.check_replay();
  d.timer_at("go", t0 + 1000);
  d.http_status("go", 2, 500);
  d.check_replay();
  child_result ok;
  ok.output = json{{"done", true}};
  d.child("sub", "r1-sub", ok);
  BOOST_TEST(d.run_status_text() == "succeeded");
  BOOST_TEST(d.item("go").handled);
  d.check_replay();
}

BOOST_AUTO_TEST_CASE(a_snapshot_plus_the_later_events_equals_the_live_state) {
  driver d(R"({"steps": [{"id": "each", "kind": "foreach", "with": {"items": [1, 2, 3],
     "concurrency": 1, "step": {"kind": "http", "with": {"url": "http://a.test/{{ item }}"}}}}]})");
  d.start();
  d.http_status("each.0", 1, 500);
  auto middle = from_snapshot(to_snapshot(d.st));
  BOOST_TEST_REQUIRE(middle.has_value());
  const std::size_t cut = d.log.size();
  d.timer_at("each.0", t0 + 1000);
  d.http_status("each.0", 2, 200);
  d.http_status("each.1", 1, 200);
  d.http_status("each.2", 1, 200);
  BOOST_TEST(d.run_status_text() == "succeeded");
  run_state st = std::move(*middle);
  for (std::size_t k = cut; k < d.log.size(); ++k) {
    const auto& ev = d.log[k];
    BOOST_TEST_REQUIRE(apply(st, run_event{ev.type, ev.data, ev.item_id}, ev.time).has_value());
    ++st.seq;
  }
  BOOST_TEST(snap(st) == snap(d.st));
}

BOOST_AUTO_TEST_CASE(a_snapshot_round_trip_keeps_rows_errors_retries_and_choices) {
  driver d(R"({"steps": [
    {"id": "route", "kind": "branch", "with": {"cases": [{"when": true, "next": ["t"]}]}},
    {"id": "t", "kind": "transform", "with": {"value": 1}},
    {"id": "soft", "kind": "fail", "needs": [], "on_error": "continue", "with": {"message": "m"}},
    {"id": "each", "kind": "foreach", "needs": [], "with": {"items": [1, 2],
     "step": {"kind": "http", "with": {"url": "http://a.test/"}}}},
    {"id": "pause", "kind": "delay", "needs": [], "with": {"for": "1m"}},
    {"id": "sub", "kind": "workflow", "needs": [], "with": {"workflow": "c"}}]})");
  run_init init = init_for("r1", "live", json{{"k", "v"}});
  init.idempotency_key = "key-1";
  init.request_hash = "hash";
  init.parent_run_id = "p1";
  init.parent_item_id = "step";
  d.start(init);
  d.http_status("each.0", 1, 500);
  d.http_status("each.1", 1, 200);
  auto back = from_snapshot(to_snapshot(d.st));
  BOOST_TEST_REQUIRE(back.has_value());
  BOOST_TEST(snap(*back) == snap(d.st));
  BOOST_TEST(back->items[*back->find_item("each")].rows == d.item("each").rows,
             boost::test_tools::per_element());
  BOOST_TEST(item_order(*back) == item_order(d.st), boost::test_tools::per_element());
  BOOST_TEST(back->find_item("each.1").has_value());
  BOOST_TEST(af::dump(run_view(*back, "http://n")) == af::dump(run_view(d.st, "http://n")));
  for (const auto& it : d.st.items)
    BOOST_TEST(af::dump(item_view(*back, back->items[*back->find_item(it.id)])) ==
               af::dump(item_view(d.st, it)));
}

BOOST_AUTO_TEST_CASE(a_broken_snapshot_is_a_corruption_error) {
  driver d(get_def);
  d.start();
  json good = to_snapshot(d.st);
  std::vector<json> bad = {json("x"), json::object(), good, good, good};
  bad[2]["status"] = 99;
  bad[3]["items"][0][4] = 7;  // a row parent past the end
  bad[4]["items"][0][5] = "running";
  for (const auto& b : bad) {
    auto r = from_snapshot(b);
    BOOST_TEST(!r.has_value());
    if (!r) BOOST_TEST(r.error().code == af::errc::corruption);
  }
}

BOOST_AUTO_TEST_CASE(apply_refuses_events_it_cannot_take_without_throwing) {
  run_state st;
  BOOST_TEST(!apply(st, run_event{"run.started", json::object(), std::nullopt}, t0).has_value());
  std::vector<run_event> bad = {
      {"run.created", json{{"id", "r1"}, {"steps", json::array({1})}}, std::nullopt},
      {"run.created", json{{"id", "r1"}, {"workflow_id", 5}}, std::nullopt},
  };
  for (const auto& ev : bad) {
    run_state fresh;
    af::result<void> r = af::error(af::errc::internal, "threw");
    BOOST_CHECK_NO_THROW(r = apply(fresh, ev, t0));
    BOOST_TEST(!r.has_value());
  }
  run_state ok;
  BOOST_TEST(
      apply(ok, run_event{"run.created", json{{"id", "r1"}, {"steps", {"a"}}}, std::nullopt}, t0)
          .has_value());
  BOOST_TEST(
      !apply(ok, run_event{"item.started", json::object(), std::string("zz")}, t0).has_value());
  BOOST_TEST(!apply(ok, run_event{"item.started", json::object(), std::nullopt}, t0).has_value());
  BOOST_TEST(!apply(ok, run_event{"run.bogus", json::object(), std::string("a")}, t0).has_value());
  // A negative row count must not turn into a huge one.
  af::result<void> r = af::error(af::errc::internal, "threw");
  BOOST_CHECK_NO_THROW(
      r = apply(ok, run_event{"item.started", json{{"rows", -1}}, std::string("a")}, t0));
  BOOST_TEST(ok.items.size() <= 1u);
}

BOOST_AUTO_TEST_SUITE_END()
