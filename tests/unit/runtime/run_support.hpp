#pragma once
// A driver for the run state machine (runtime/run.hpp) in unit tests: compiles a definition,
// holds the state, builds a fresh run_machine per decision with a hand-moved clock and a jitter
// of 1.0, and records every emitted event with its time so that tests can replay the log into
// a fresh state and compare it with the live one.

#include <boost/test/unit_test.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/clock.hpp"
#include "base/error.hpp"
#include "base/json.hpp"
#include "base/limits.hpp"
#include "base/result.hpp"
#include "runtime/run.hpp"
#include "runtime/run_plan.hpp"

namespace run_test {

using af::json;
using af::millis;
using namespace af::runtime;

// 2023-11-14T22:13:20Z: a round start so that deadlines are easy to read.
inline constexpr millis t0 = 1'700'000'000'000;

inline json parse(std::string_view text) {
  auto r = af::parse_json(text);
  if (!r) BOOST_FAIL("test JSON does not parse: " + r.error().message);
  return *r;
}

struct logged_event {
  std::string type;
  json data;
  std::optional<std::string> item_id;
  millis time = 0;
};

inline run_init init_for(std::string id = "r1", std::string mode = "live",
                         json input = json::object()) {
  run_init init;
  init.id = std::move(id);
  init.workspace = "default";
  init.mode = std::move(mode);
  init.input = std::move(input);
  return init;
}

class driver {
 public:
  explicit driver(std::string_view definition, af::limits lim = {}) {
    auto p = compile_plan(parse(definition), "wf", 1, lim);
    if (!p) BOOST_FAIL("definition does not compile: " + p.error().message);
    plan = *p;
    env.now = t0;
    env.jitter = [] { return 1.0; };
    env.lim = lim;
  }

  run_outcome start(const run_init& init = init_for()) { return record(machine().start(init)); }
  run_outcome start_mode(std::string mode, json input = json::object()) {
    return start(init_for("r1", std::move(mode), std::move(input)));
  }
  run_outcome http(std::string_view item, int attempt, af::result<http_result> r) {
    return record(machine().on_http_result(item, attempt, std::move(r)));
  }
  run_outcome http_status(std::string_view item, int attempt, int status, std::string body = "{}") {
    http_result r;
    r.status = status;
    r.headers = {{"content-type", "application/json"}};
    r.body = std::move(body);
    return http(item, attempt, r);
  }
  run_outcome timer(std::string_view item) { return record(machine().on_timer(item)); }
  // Moves the clock to `at`, then fires the timer of `item`.
  run_outcome timer_at(std::string_view item, millis at) {
    env.now = at;
    return timer(item);
  }
  run_outcome child(std::string_view item, std::string_view child_run_id, const child_result& r) {
    return record(machine().on_child_finished(item, child_run_id, r));
  }
  af::result<run_outcome> control(run_control_action a) {
    auto r = machine().control(a);
    if (r) record_events(*r);
    return r;
  }
  run_outcome recover() { return record(machine().recover()); }

  const item_state& item(std::string_view id) const {
    auto i = st.find_item(id);
    if (!i) BOOST_FAIL("no item " + std::string(id));
    return st.items[*i];
  }
  std::string status_of(std::string_view id) const {
    return std::string(to_string(item(id).status));
  }
  std::string run_status_text() const { return std::string(to_string(st.status)); }

  // Every event recorded so far, applied in order to a fresh state (as the log replays).
  run_state replay() const {
    run_state fresh;
    for (const auto& ev : log) {
      auto r = apply(fresh, run_event{ev.type, ev.data, ev.item_id}, ev.time);
      if (!r) BOOST_FAIL("replay refused " + ev.type + ": " + r.error().message);
      ++fresh.seq;
    }
    return fresh;
  }
  // The replayed state equals the live one (as snapshots, which hold every field).
  void check_replay() const {
    const json live = to_snapshot(st);
    const json replayed = to_snapshot(replay());
    BOOST_TEST_INFO("live:     " << af::dump(live));
    BOOST_TEST_INFO("replayed: " << af::dump(replayed));
    BOOST_TEST(af::dump(live) == af::dump(replayed));
  }
  int count(std::string_view type, std::optional<std::string> item_id = std::nullopt) const {
    int n = 0;
    for (const auto& ev : log)
      if (ev.type == type && (!item_id || ev.item_id == item_id)) ++n;
    return n;
  }

  std::shared_ptr<const run_plan> plan;
  run_state st;
  run_env env;
  std::vector<logged_event> log;

 private:
  run_machine machine() { return run_machine(st, plan, env); }
  void record_events(const run_outcome& out) {
    for (const auto& ev : out.events) log.push_back({ev.type, ev.data, ev.item_id, env.now});
  }
  run_outcome record(run_outcome out) {
    record_events(out);
    return out;
  }
};

// "type" or "type item" per event, in order.
inline std::vector<std::string> types(const run_outcome& out) {
  std::vector<std::string> v;
  for (const auto& ev : out.events) v.push_back(ev.type + (ev.item_id ? " " + *ev.item_id : ""));
  return v;
}

inline std::vector<const run_action*> actions(const run_outcome& out, run_action::kind k) {
  std::vector<const run_action*> v;
  for (const auto& a : out.actions)
    if (a.what == k) v.push_back(&a);
  return v;
}

// The one action of kind `k` for `item`; fails the test when there is not exactly one.
inline const run_action& only_action(const run_outcome& out, run_action::kind k,
                                     std::string_view item) {
  const run_action* found = nullptr;
  int n = 0;
  for (const auto& a : out.actions)
    if (a.what == k && a.item_id == item) {
      found = &a;
      ++n;
    }
  if (n != 1)
    BOOST_FAIL("expected one action for " + std::string(item) + ", got " + std::to_string(n));
  return *found;
}

inline af::result<http_result> net_error(af::errc code = af::errc::unavailable) {
  return af::error(code, "connection refused");
}

}  // namespace run_test
