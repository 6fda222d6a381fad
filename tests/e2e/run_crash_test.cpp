// Crash recovery of runs with the real binary (issue 4, "Durability and recovery"; DESIGN §4):
// SIGKILL at random moments under a continuous load of three-step runs (transform, http to a
// local recorder, delay), ten times in a row on one data dir; idempotent starts across a crash;
// timers that keep their deadlines across restarts; parked runs after SIGTERM, and cancel.
// The kill moments come from a seeded RNG whose seed is printed: set ACTORFLOW_CRASH_SEED to
// replay a failure.
#define BOOST_TEST_MODULE e2e_run_crash
#include <boost/test/unit_test.hpp>

#include <sys/wait.h>

#include <atomic>
#include <cctype>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "base/clock.hpp"
#include "base/json.hpp"
#include "base/result.hpp"
#include "tests/e2e/node_process.hpp"

using af::json;
using namespace af::e2e;
using namespace std::chrono_literals;

namespace {

struct answer {
  int status = 0;  // 0: no answer (refused, reset, timed out)
  json body;
};

// Never fails the test itself, so that load threads may call it (Boost.Test assertions are not
// thread-safe). A body that is not JSON is kept as a string.
answer send(httplib::Client& c, const std::string& method, const std::string& path,
            const std::string& body = "", const httplib::Headers& headers = {}) {
  httplib::Result r = method == "GET"   ? c.Get(path.c_str(), headers)
                      : method == "PUT" ? c.Put(path.c_str(), headers, body, "application/json")
                                        : c.Post(path.c_str(), headers, body, "application/json");
  if (!r) return {};
  answer a{r->status, nullptr};
  if (!r->body.empty()) {
    auto parsed = af::parse_json(r->body);
    a.body = parsed ? *parsed : json(r->body);
  }
  return a;
}

// For the test thread: the node must answer.
answer call(httplib::Client& c, const std::string& method, const std::string& path,
            const std::string& body = "", const httplib::Headers& headers = {}) {
  auto a = send(c, method, path, body, headers);
  BOOST_REQUIRE_MESSAGE(a.status != 0, method + " " + path + " got no answer");
  return a;
}

std::string with_port(std::string text, int port) {
  for (auto at = text.find("PORT"); at != std::string::npos; at = text.find("PORT", at))
    text.replace(at, 4, std::to_string(port));
  return text;
}

bool is_finished(const json& run) {
  const auto& s = run["status"];
  return s == "succeeded" || s == "failed" || s == "canceled";
}

af::millis time_of(const json& v) {
  BOOST_REQUIRE_MESSAGE(v.is_string(), "not a time: " + af::dump(v));
  auto t = af::parse_time(v.get<std::string>());
  BOOST_REQUIRE(t.has_value());
  return *t;
}

void publish(httplib::Client& c, const std::string& id, const std::string& def) {
  auto put = call(c, "PUT", "/v1/workflows/" + id, def);
  BOOST_REQUIRE_MESSAGE(put.status == 201, "PUT " + id + ": " + af::dump(put.body));
  auto pub = call(c, "POST", "/v1/workflows/" + id + "/publish");
  BOOST_REQUIRE_MESSAGE(pub.status == 201, "publish " + id + ": " + af::dump(pub.body));
}

json get_run(httplib::Client& c, const std::string& id) {
  auto a = call(c, "GET", "/v1/runs/" + id);
  BOOST_REQUIRE_MESSAGE(a.status == 200, "GET run " + id + ": " + af::dump(a.body));
  return a.body;
}

json wait_finished(httplib::Client& c, const std::string& id, std::chrono::milliseconds deadline) {
  json last;
  bool done = wait_until(
      [&] {
        last = get_run(c, id);
        return is_finished(last);
      },
      deadline);
  BOOST_REQUIRE_MESSAGE(done, "run " + id + " did not finish in time: " + af::dump(last));
  return last;
}

// Every page of `path` (which already has a query) joined: `data` of each page, in order.
std::vector<json> all_pages(httplib::Client& c, const std::string& path) {
  std::vector<json> out;
  std::string cursor;
  for (int page = 0; page < 10000; ++page) {
    auto a = call(c, "GET", path + (cursor.empty() ? "" : "&cursor=" + cursor));
    BOOST_REQUIRE_MESSAGE(a.status == 200, path + ": " + af::dump(a.body));
    for (auto& x : a.body["data"]) out.push_back(x);
    if (a.body["next_cursor"].is_null()) return out;
    cursor = a.body["next_cursor"].get<std::string>();
  }
  BOOST_FAIL("paging through " + path + " does not end");
  return out;
}

std::map<std::string, json> items_of(httplib::Client& c, const std::string& run_id) {
  std::map<std::string, json> out;
  for (auto& i : all_pages(c, "/v1/runs/" + run_id + "/items?limit=1000"))
    out[i["id"].get<std::string>()] = i;
  return out;
}

// The run's history, one event a line, for failure messages.
std::string history_text(httplib::Client& c, const std::string& run_id) {
  std::string out = "history of " + run_id + ":";
  for (auto& e : all_pages(c, "/v1/runs/" + run_id + "/history?limit=1000"))
    out += "\n  " + af::dump(e);
  return out;
}

// Requires GET /v1/runs?workflow=`wf` (and the unfiltered list) to show run `run` once, with
// the status and created_at that GET /v1/runs/{id} showed. GET answers a live run from its
// actor, whose state can be one group commit ahead of the index the list reads: the list gets a
// short deadline to catch up (a stale row that never catches up fails).
void require_listed_once(httplib::Client& c, const std::string& wf, const json& run) {
  std::vector<json> listed;
  int reads = 0;
  const bool agrees = wait_until(
      [&] {
        ++reads;
        listed = all_pages(c, "/v1/runs?workflow=" + wf + "&limit=1000");
        return listed.size() == 1u && listed[0]["id"] == run["id"] &&
               listed[0]["status"] == run["status"] && listed[0]["created_at"] == run["created_at"];
      },
      5s);
  json shown = json::array();
  for (auto& x : listed) shown.push_back({x["id"], x["status"], x["created_at"]});
  BOOST_TEST(agrees, wf << " lists " << af::dump(shown) << "; GET shows " << run["id"] << " "
                        << run["status"] << " " << run["created_at"]);
  if (agrees && reads > 1)
    BOOST_TEST_MESSAGE(wf << ": the list caught up after " << reads << " reads");
  std::size_t seen = 0;
  for (const auto& x : all_pages(c, "/v1/runs?limit=1000")) seen += x["id"] == run["id"];
  BOOST_TEST(seen == 1u, "the unfiltered list shows " << run["id"] << " " << seen << " times");
}

// The delivery side of http steps: records every request (n from the query, Idempotency-Key)
// and answers 200 {"ok": true} after a couple of milliseconds, like a real remote would.
struct recorder {
  struct delivery {
    std::string path, n, key;
  };
  httplib::Server svr;
  std::thread thread;
  int port = 0;
  std::mutex m;
  std::vector<delivery> seen;

  recorder() {
    // Each keep-alive connection holds a pool thread; the node may open many at once.
    svr.new_task_queue = [] { return new httplib::ThreadPool(256); };
    svr.Post("/effect", [this](const httplib::Request& req, httplib::Response& res) {
      {
        std::lock_guard lock(m);
        seen.push_back(
            {req.path, req.get_param_value("n"), req.get_header_value("Idempotency-Key")});
      }
      std::this_thread::sleep_for(2ms);  // the remote's own latency, not a wait for an outcome
      res.set_content(R"({"ok": true})", "application/json");
    });
    port = svr.bind_to_any_port("127.0.0.1");
    BOOST_REQUIRE(port > 0);
    thread = std::thread([this] { svr.listen_after_bind(); });
    BOOST_REQUIRE(wait_until([this] { return svr.is_running(); }, 5s));
  }
  ~recorder() {
    svr.stop();
    thread.join();
  }
  std::vector<delivery> snapshot() {
    std::lock_guard lock(m);
    return seen;
  }
};

// What the load clients learned, shared between their threads.
struct ledger {
  struct ack {
    std::string id, created_at;  // as the start answered them
  };
  std::mutex m;
  std::map<long, ack> acked;        // n → its run, from the start answer (201, or 200 on retry)
  std::vector<long> unanswered;     // starts whose answer was lost: retried with their key
  std::vector<std::string> errors;  // unexpected answers (reported on the test thread)
  std::chrono::microseconds slowest{0};  // the slowest acknowledged start this round
  std::atomic<long> next_n{0};
  std::atomic<bool> killing{false};  // set just before the SIGKILL: lost answers are expected

  void error(std::string e) {
    std::lock_guard lock(m);
    errors.push_back(std::move(e));
  }
  std::size_t acked_count() {
    std::lock_guard lock(m);
    return acked.size();
  }
};

std::string start_body(long n) {
  return R"({"input": {"n": )" + std::to_string(n) + R"(}, "idempotency_key": "key-)" +
         std::to_string(n) + R"("})";
}

// Checks a start answer for run `n` and records the acknowledged run. `retry`: the key may
// already have a run (200) because the first answer was lost.
void acknowledge(ledger& l, long n, const answer& a, bool retry) {
  const bool created = a.status == 201, repeated = a.status == 200 && retry;
  if (!created && !repeated) {
    l.error("start n=" + std::to_string(n) + (retry ? " (retry)" : "") + ": " +
            std::to_string(a.status) + " " + af::dump(a.body));
    return;
  }
  if (!a.body.is_object() || !a.body["id"].is_string() || !a.body["created_at"].is_string() ||
      a.body["input"]["n"] != n) {
    l.error("start n=" + std::to_string(n) + " answered another run: " + af::dump(a.body));
    return;
  }
  std::lock_guard lock(l.m);
  l.acked[n] = {a.body["id"].get<std::string>(), a.body["created_at"].get<std::string>()};
}

// A load client: starts runs back to back until the node dies under it.
void load_until_killed(int port, const std::string& workflow, ledger& l) {
  httplib::Client c("127.0.0.1", port);
  c.set_connection_timeout(2);
  c.set_read_timeout(10);
  c.set_keep_alive(true);
  c.set_tcp_nodelay(true);
  while (true) {
    const long n = l.next_n++;
    const auto began = std::chrono::steady_clock::now();
    auto a = send(c, "POST", "/v1/workflows/" + workflow + "/runs", start_body(n));
    if (a.status == 0) {
      if (!l.killing) l.error("start n=" + std::to_string(n) + ": no answer from a live node");
      std::lock_guard lock(l.m);
      l.unanswered.push_back(n);
      return;
    }
    const auto took = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - began);
    acknowledge(l, n, a, false);
    std::lock_guard lock(l.m);
    l.slowest = std::max(l.slowest, took);
  }
}

// Retries every start whose answer was lost, with its key: 200 when the start had been durable
// before the kill, 201 when it had not.
std::size_t retry_unanswered(httplib::Client& c, const std::string& workflow, ledger& l) {
  std::vector<long> pending;
  {
    std::lock_guard lock(l.m);
    pending.swap(l.unanswered);
  }
  std::size_t were_durable = 0;
  for (long n : pending) {
    auto a = call(c, "POST", "/v1/workflows/" + workflow + "/runs", start_body(n));
    if (a.status == 200) ++were_durable;
    acknowledge(l, n, a, true);
  }
  return were_durable;
}

// The unfinished-run counts of every "replayed ... (W workflows, M unfinished runs)" line.
std::vector<long> unfinished_on_replay(const std::string& log) {
  std::vector<long> out;
  const std::string tail = " unfinished runs)";
  for (auto at = log.find(tail); at != std::string::npos; at = log.find(tail, at + 1)) {
    std::size_t b = at;
    while (b > 0 && std::isdigit(static_cast<unsigned char>(log[b - 1]))) --b;
    if (b < at && log.rfind("replayed ", b) != std::string::npos)
      out.push_back(std::stol(log.substr(b, at - b)));
  }
  return out;
}

// Requires the node's log to show one replay line per start with these unfinished-run counts.
void require_replays(const node_process& node, const std::vector<long>& expected) {
  const auto seen = unfinished_on_replay(node.log_text());
  std::string text;
  for (long u : seen) text += " " + std::to_string(u);
  BOOST_TEST((seen == expected), "unfinished runs at each start:" << text);
}

unsigned crash_seed() {
  if (const char* s = std::getenv("ACTORFLOW_CRASH_SEED")) return std::strtoul(s, nullptr, 10);
  return std::random_device{}();
}

const char* three_steps = R"({"steps": [
  {"id": "prep", "kind": "transform", "with": {"value": {"n": "{{ input.n }}"}}},
  {"id": "call", "kind": "http", "with": {"method": "POST",
    "url": "http://127.0.0.1:PORT/effect?n={{ input.n }}", "body": {"n": "{{ input.n }}"}}},
  {"id": "nap", "kind": "delay", "with": {"for": "300ms"}}],
  "output": {"n": "{{ steps.prep.output.n }}", "ok": "{{ steps.call.output.body.ok }}"}})";

// Violations of one kind, counted over all runs, reported once with a few examples and the
// history of the first runs concerned, so that a systematic bug does not print a line per run.
struct findings {
  struct kind {
    std::size_t count = 0;
    std::vector<std::string> examples, runs;
  };
  std::map<std::string, kind> kinds;

  void add(const std::string& what, const std::string& run_id, const std::string& detail) {
    auto& k = kinds[what];
    ++k.count;
    if (k.examples.size() < 3) {
      k.examples.push_back(run_id + ": " + detail);
      k.runs.push_back(run_id);
    }
  }
  void report(httplib::Client& c) {
    for (auto& [what, k] : kinds) {
      std::string text = what + ": " + std::to_string(k.count) + " runs, e.g.";
      for (auto& e : k.examples) text += "\n  " + e;
      BOOST_ERROR(text);
      for (std::size_t i = 0; i < k.runs.size() && i < 2; ++i)
        std::cout << history_text(c, k.runs[i]) << std::endl;
    }
  }
};

constexpr int rounds = 10;
constexpr int load_clients = 4;

}  // namespace

BOOST_AUTO_TEST_CASE(ten_sigkills_under_load_lose_no_run_duplicate_none_and_repeat_no_effect) {
  const unsigned seed = crash_seed();
  std::cout << "run_crash seed " << seed << " (ACTORFLOW_CRASH_SEED=" << seed << " replays it)"
            << std::endl;
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> kill_after_ms(100, 600);

  recorder remote;
  temp_dir dir;
  node_process node(binary_path(), dir.path() / "data");
  ledger l;
  const std::string wf = "crashy";
  std::size_t were_durable = 0;
  std::vector<std::size_t> acked_by_round;

  for (int round = 0; round < rounds; ++round) {
    BOOST_REQUIRE_MESSAGE(node.start(), "round " << round << ": node did not come back");
    {
      auto c = node.client();
      if (round == 0) publish(*c, wf, with_port(three_steps, remote.port));
      were_durable += retry_unanswered(*c, wf, l);
    }
    const std::size_t before = l.acked_count();
    const int delay = kill_after_ms(rng);
    l.killing = false;
    l.slowest = {};
    std::vector<std::thread> clients;
    for (int i = 0; i < load_clients; ++i)
      clients.emplace_back(load_until_killed, node.port(), wf, std::ref(l));
    std::this_thread::sleep_for(std::chrono::milliseconds(delay));  // the random kill moment
    l.killing = true;
    node.stop(SIGKILL);
    for (auto& t : clients) t.join();
    acked_by_round.push_back(l.acked_count() - before);
    BOOST_TEST_MESSAGE("round " << round << ": SIGKILL " << delay << " ms into the load, "
                                << acked_by_round.back() << " starts acknowledged, slowest "
                                << l.slowest.count() / 1000 << " ms");
  }

  BOOST_REQUIRE(node.start());
  auto c = node.client();
  were_durable += retry_unanswered(*c, wf, l);
  {
    std::lock_guard lock(l.m);
    for (auto& e : l.errors) BOOST_ERROR(e);
    BOOST_TEST(l.unanswered.empty());
  }
  const auto acked = l.acked;  // no load thread runs any more
  BOOST_REQUIRE(!acked.empty());

  // The truth is GET /v1/runs/{id}: wait until every acknowledged run is finished there.
  std::map<std::string, json> runs;  // id → the run as GET answers it
  std::vector<std::string> open;
  for (const auto& [n, a] : acked) open.push_back(a.id);
  const bool all_done = wait_until(
      [&] {
        std::vector<std::string> still;
        for (const auto& id : open) {
          auto r = call(*c, "GET", "/v1/runs/" + id);
          if (r.status == 200 && is_finished(r.body))
            runs[id] = r.body;
          else
            still.push_back(id);
        }
        open.swap(still);
        return open.empty();
      },
      60s);
  if (!all_done) {
    for (std::size_t i = 0; i < open.size() && i < 3; ++i)
      std::cout << af::dump(call(*c, "GET", "/v1/runs/" + open[i]).body) << "\n"
                << history_text(*c, open[i]) << std::endl;
    BOOST_FAIL(open.size() << " acknowledged runs unfinished 60 s after the last restart");
  }

  // Side effects: per n, the keys the recorder saw and how often.
  findings f;
  std::map<long, std::set<std::string>> keys;
  std::map<long, std::size_t> deliveries;
  for (const auto& d : remote.snapshot()) {
    const long n = d.n.empty() ? -1 : std::atol(d.n.c_str());
    if (d.path != "/effect" || !acked.count(n))
      f.add("a delivery no acknowledged run made", d.key, d.path + "?n=" + d.n);
    keys[n].insert(d.key);
    ++deliveries[n];
  }

  std::size_t redelivered_items = 0, redeliveries = 0;
  for (const auto& [n, a] : acked) {
    const json& r = runs[a.id];
    if (r["id"] != a.id) f.add("GET answers another run", a.id, af::dump(r["id"]));
    if (r["created_at"] != a.created_at)
      f.add("created_at differs from the start answer", a.id,
            "start said " + a.created_at + ", GET says " + af::dump(r["created_at"]));
    if (r["status"] != "succeeded") f.add("not succeeded", a.id, af::dump(r["status"]));
    if (r["output"] != json{{"n", n}, {"ok", true}}) f.add("wrong output", a.id, af::dump(r));
    const std::set<std::string> expected_keys = {a.id + "/call"};
    if (keys[n] != expected_keys) {
      std::string seen;
      for (auto& k : keys[n]) seen += " '" + k + "'";
      f.add("side effect not under exactly its one key", a.id, "keys seen:" + seen);
    }
    auto items = items_of(*c, a.id);
    if (items.size() != 3u) f.add("not 3 items", a.id, std::to_string(items.size()));
    for (auto& [item_id, item] : items) {
      if (item["status"] != "succeeded") f.add("item not succeeded", a.id, af::dump(item));
      if (!(item["attempt_count"] >= 1)) f.add("attempt_count below 1", a.id, af::dump(item));
    }
    const std::size_t times = deliveries[n];
    if (times > 1) {
      ++redelivered_items;
      redeliveries += times - 1;
    }
    const json& attempts = items["call"]["attempt_count"];
    if (!attempts.is_number() || attempts.get<std::size_t>() < times)
      f.add("http attempt_count below the deliveries", a.id,
            "attempt_count " + af::dump(attempts) + ", " + std::to_string(times) + " deliveries");
  }

  // The lists agree with the runs: each run once, under its id, with its current status.
  std::set<long> listed_n;
  std::set<std::string> listed_ids;
  for (const auto& x : all_pages(*c, "/v1/runs?workflow=" + wf + "&limit=1000")) {
    const std::string id = x["id"];
    const long n = x["input"]["n"].get<long>();
    if (!listed_ids.insert(id).second) f.add("listed twice (?workflow=)", id, "");
    if (!listed_n.insert(n).second) f.add("two runs for one n", id, "n=" + std::to_string(n));
    auto a = acked.find(n);
    if (a == acked.end() || a->second.id != id) {
      f.add("listed run not the acknowledged one", id, "n=" + std::to_string(n));
      continue;
    }
    const std::string both = "list: " + af::dump(x["status"]) + " " + af::dump(x["created_at"]) +
                             ", GET: " + af::dump(runs[id]["status"]) + " " +
                             af::dump(runs[id]["created_at"]);
    if (x["created_at"] != runs[id]["created_at"])
      f.add("list entry has another created_at than GET (a stale index row)", id, both);
    else if (x["status"] != runs[id]["status"])
      f.add("list entry has another status than GET", id, both);
  }
  for (const auto& [n, a] : acked)
    if (!listed_ids.count(a.id)) f.add("acknowledged run not listed (?workflow=)", a.id, "");
  std::set<std::string> all_ids;
  for (const auto& x : all_pages(*c, "/v1/runs?limit=1000"))
    if (!all_ids.insert(x["id"].get<std::string>()).second)
      f.add("listed twice (no filter)", x["id"], af::dump(x["status"]));
  BOOST_TEST(all_ids.size() == acked.size());
  f.report(*c);

  // Every restart after a round with acknowledged starts found runs to carry on.
  const auto unfinished = unfinished_on_replay(node.log_text());
  BOOST_TEST(unfinished.size() == static_cast<std::size_t>(rounds + 1));
  for (std::size_t i = 1; i < unfinished.size() && i <= acked_by_round.size(); ++i)
    if (acked_by_round[i - 1] > 0)
      BOOST_TEST(unfinished[i] >= 1, "restart " << i << " recovered no unfinished runs");

  std::ostringstream s;
  s << "run_crash summary: " << acked.size() << " runs acknowledged over " << rounds
    << " SIGKILL rounds (seed " << seed << "), " << were_durable
    << " lost answers were durable starts, " << redeliveries << " re-deliveries on "
    << redelivered_items << " http items, unfinished runs at each restart:";
  for (long u : unfinished) s << " " << u;
  std::cout << s.str() << std::endl;
}

BOOST_AUTO_TEST_CASE(a_start_key_answers_the_same_run_after_a_sigkill_and_the_timer_keeps_time) {
  temp_dir dir;
  node_process node(binary_path(), dir.path() / "data");
  BOOST_REQUIRE(node.start());
  auto c = node.client();
  publish(*c, "sleepy", R"({"steps": [
    {"id": "nap", "kind": "delay", "with": {"for": "3s"}},
    {"id": "after", "kind": "transform", "with": {"value": "{{ input.x }}"}}],
    "output": "{{ steps.after.output }}"})");
  const httplib::Headers key = {{"Idempotency-Key", "crash-key-1"}};
  const std::string body = R"({"input": {"x": 7}})";
  auto first = call(*c, "POST", "/v1/workflows/sleepy/runs", body, key);
  BOOST_REQUIRE_MESSAGE(first.status == 201, af::dump(first.body));
  const std::string id = first.body["id"];
  const af::millis created = time_of(first.body["created_at"]);

  c.reset();
  node.stop(SIGKILL);
  // Let time pass while the node is down, so that a timer restarted from the restart (instead of
  // kept at created + 3 s) would end visibly late.
  af::system_clock wall;
  BOOST_REQUIRE(wait_until([&] { return wall.now() >= created + 1500; }, 5s));
  BOOST_REQUIRE(node.start());
  c = node.client();

  auto again = call(*c, "POST", "/v1/workflows/sleepy/runs", body, key);
  BOOST_TEST(again.status == 200, af::dump(again.body));
  BOOST_TEST(again.body["id"] == id);
  BOOST_TEST(again.body["created_at"] == first.body["created_at"]);
  // The body field names the same key.
  auto by_field = call(*c, "POST", "/v1/workflows/sleepy/runs",
                       R"({"input": {"x": 7}, "idempotency_key": "crash-key-1"})");
  BOOST_TEST(by_field.status == 200);
  BOOST_TEST(by_field.body["id"] == id);

  json done = wait_finished(*c, id, 15s);
  BOOST_TEST(done["created_at"] == first.body["created_at"]);
  BOOST_TEST(done["status"] == "succeeded", history_text(*c, id));
  BOOST_TEST(done["output"] == 7);
  const af::millis took = time_of(done["finished_at"]) - created;
  BOOST_TEST(took >= 3000, "finished " << took << " ms after creation");
  BOOST_TEST(took <= 4200, "finished " << took << " ms after creation: timer not kept");
  auto items = items_of(*c, id);
  BOOST_TEST(items["nap"]["status"] == "succeeded");
  BOOST_TEST(items["nap"]["attempt_count"] >= 1);
  BOOST_TEST(items["after"]["status"] == "succeeded");

  auto after_finish = call(*c, "POST", "/v1/workflows/sleepy/runs", body, key);
  BOOST_TEST(after_finish.status == 200);
  BOOST_TEST(after_finish.body["id"] == id);
  BOOST_TEST(after_finish.body["status"] == "succeeded");
  require_listed_once(*c, "sleepy", get_run(*c, id));
  require_replays(node, {0, 1});
}

BOOST_AUTO_TEST_CASE(a_parked_run_finishes_after_sigterm_and_a_parked_run_can_be_canceled) {
  temp_dir dir;
  node_process node(binary_path(), dir.path() / "data");
  BOOST_REQUIRE(node.start());
  auto c = node.client();
  publish(*c, "short-nap", R"({"steps": [
    {"id": "nap", "kind": "delay", "with": {"for": "2500ms"}},
    {"id": "after", "kind": "transform", "with": {"value": "awake"}}],
    "output": "{{ steps.after.output }}"})");
  publish(*c, "long-nap", R"({"steps": [
    {"id": "nap", "kind": "delay", "with": {"for": "1h"}},
    {"id": "after", "kind": "transform", "with": {"value": "never"}}]})");
  auto s = call(*c, "POST", "/v1/workflows/short-nap/runs");
  auto l = call(*c, "POST", "/v1/workflows/long-nap/runs");
  BOOST_REQUIRE(s.status == 201);
  BOOST_REQUIRE(l.status == 201);
  const std::string short_id = s.body["id"], long_id = l.body["id"];
  const af::millis created = time_of(s.body["created_at"]);
  for (const auto& id : {short_id, long_id})
    BOOST_REQUIRE(wait_until([&] { return get_run(*c, id)["status"] == "waiting"; }, 5s));

  c.reset();
  const int status = node.stop(SIGTERM);
  const af::millis stopped_at = af::system_clock().now();
  BOOST_TEST(WIFEXITED(status));
  BOOST_TEST(WEXITSTATUS(status) == 0);
  BOOST_REQUIRE(node.start());
  c = node.client();

  json done = wait_finished(*c, short_id, 10s);
  BOOST_TEST(done["status"] == "succeeded", history_text(*c, short_id));
  BOOST_TEST(done["output"] == "awake");
  BOOST_TEST(time_of(done["finished_at"]) - created >= 2500);
  BOOST_TEST(done["created_at"] == s.body["created_at"]);
  require_listed_once(*c, "short-nap", done);

  // The 1 h run is still parked after the restart; cancel rebuilds it from the log and ends it.
  BOOST_TEST(get_run(*c, long_id)["status"] == "waiting");
  auto canceled = call(*c, "POST", "/v1/runs/" + long_id + "/cancel");
  BOOST_TEST(canceled.status == 200);
  BOOST_TEST(canceled.body["status"] == "canceled");
  json after = get_run(*c, long_id);
  BOOST_TEST(after["status"] == "canceled");
  BOOST_TEST(!after["finished_at"].is_null());
  auto items = items_of(*c, long_id);
  BOOST_TEST(items["nap"]["status"] == "canceled");
  BOOST_TEST(items["after"]["status"] == "canceled");

  // A parked run started on this node (never restarted) cancels the same way.
  auto fresh = call(*c, "POST", "/v1/workflows/long-nap/runs");
  BOOST_REQUIRE(fresh.status == 201);
  const std::string fresh_id = fresh.body["id"];
  BOOST_REQUIRE(wait_until([&] { return get_run(*c, fresh_id)["status"] == "waiting"; }, 5s));
  auto c2 = call(*c, "POST", "/v1/runs/" + fresh_id + "/cancel");
  BOOST_TEST(c2.status == 200);
  BOOST_TEST(c2.body["status"] == "canceled");
  BOOST_TEST(get_run(*c, fresh_id)["status"] == "canceled");
  auto fresh_items = items_of(*c, fresh_id);
  BOOST_TEST(fresh_items["nap"]["status"] == "canceled");
  BOOST_TEST(fresh_items["after"]["status"] == "canceled");

  // Both cancels are final across one more restart.
  c.reset();
  const int second = node.stop(SIGTERM);
  BOOST_TEST(WIFEXITED(second));
  BOOST_REQUIRE(node.start());
  c = node.client();
  BOOST_TEST(get_run(*c, long_id)["status"] == "canceled");
  BOOST_TEST(get_run(*c, fresh_id)["status"] == "canceled");
  // The 2.5 s run is unfinished at the restart unless a slow machine took that long to stop.
  const bool short_was_open = time_of(done["finished_at"]) >= stopped_at;
  require_replays(node, {0, short_was_open ? 2 : 1, 0});
}
