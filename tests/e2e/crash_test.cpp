// Crash safety with the real binary: SIGKILL in the middle of a burst of writes, restart on
// the same data dir, and every acknowledged change is there.
#define BOOST_TEST_MODULE e2e_crash
#include <boost/test/unit_test.hpp>

#include <csignal>
#include <mutex>
#include <thread>

#include "base/json.hpp"
#include "base/result.hpp"
#include "tests/e2e/node_process.hpp"

using af::json;
using namespace af::e2e;

namespace {

std::string definition(int value) {
  return R"({"steps": [{"id": "a", "kind": "transform", "with": {"value": )" +
         std::to_string(value) + "}}]}";
}

struct acknowledged {
  std::mutex mu;
  std::vector<std::pair<std::string, int>> drafts;  // (id, value) answered 200/201
  std::vector<std::string> published;               // answered 201
  void draft(const std::string& id, int v) {
    std::lock_guard l(mu);
    drafts.emplace_back(id, v);
  }
  void publish(const std::string& id) {
    std::lock_guard l(mu);
    published.push_back(id);
  }
  std::size_t total() {
    std::lock_guard l(mu);
    return drafts.size() + published.size();
  }
};

// Writers that keep applying and publishing until the node dies under them.
void write_until_killed(int port, int writer, int round, acknowledged& acks) {
  httplib::Client c("127.0.0.1", port);
  c.set_connection_timeout(2);
  c.set_read_timeout(5);
  c.set_keep_alive(true);
  for (int i = 0;; ++i) {
    std::string id =
        "r" + std::to_string(round) + "-w" + std::to_string(writer) + "-" + std::to_string(i);
    int value = round * 100000 + writer * 1000 + i;
    auto put = c.Put(("/v1/workflows/" + id).c_str(), definition(value), "application/json");
    if (!put) return;
    if (put->status == 201) acks.draft(id, value);
    auto pub = c.Post(("/v1/workflows/" + id + "/publish").c_str());
    if (!pub) return;
    if (pub->status == 201) acks.publish(id);
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(sigkill_during_a_write_burst_loses_no_acknowledged_change) {
  temp_dir dir;
  node_process node(binary_path(), dir.path() / "data");
  acknowledged acks;
  for (int round = 0; round < 3; ++round) {
    BOOST_REQUIRE(node.start());
    std::vector<std::thread> writers;
    for (int w = 0; w < 8; ++w)
      writers.emplace_back(write_until_killed, node.port(), w, round, std::ref(acks));
    // Kill while the writers are busy: after this round's share of acknowledged changes.
    const std::size_t target = acks.total() + 150;
    BOOST_REQUIRE(wait_until([&] { return acks.total() >= target; }, std::chrono::seconds(60)));
    node.stop(SIGKILL);
    for (auto& t : writers) t.join();
  }
  BOOST_REQUIRE(node.start());
  BOOST_TEST(node.log_text().find("replayed ") != std::string::npos);
  auto http = node.client();
  std::size_t checked = 0;
  for (const auto& [id, value] : acks.drafts) {
    auto r = http->Get(("/v1/workflows/" + id).c_str());
    BOOST_REQUIRE(r);
    BOOST_TEST_CONTEXT(id) {
      BOOST_TEST(r->status == 200);
      auto body = af::parse_json(r->body);
      BOOST_REQUIRE(body.has_value());
      const json& def = (*body)["definition"].is_null() ? (*body)["draft"] : (*body)["definition"];
      BOOST_TEST(def["steps"][0]["with"]["value"] == value);
    }
    ++checked;
  }
  for (const auto& id : acks.published) {
    auto r = http->Get(("/v1/workflows/" + id).c_str());
    BOOST_REQUIRE(r);
    auto body = af::parse_json(r->body);
    BOOST_REQUIRE(body.has_value());
    BOOST_TEST((*body)["live_version"] == 1, id);
  }
  BOOST_TEST(checked + acks.published.size() >= 450u);
  BOOST_TEST_MESSAGE("checked " << acks.drafts.size() << " acknowledged drafts and "
                                << acks.published.size()
                                << " acknowledged publishes after 3 SIGKILLs");
}

BOOST_AUTO_TEST_CASE(readyz_and_the_api_answer_503_until_replay_finished) {
  temp_dir dir;
  node_process node(binary_path(), dir.path() / "data");
  BOOST_REQUIRE(node.start());
  {
    std::vector<std::thread> writers;
    std::atomic<int> failures{0};
    for (int w = 0; w < 8; ++w)
      writers.emplace_back([&, w] {
        auto c = node.client();
        for (int i = 0; i < 250; ++i) {
          auto id = "r" + std::to_string(w) + "-" + std::to_string(i);
          auto r = c->Put(("/v1/workflows/" + id).c_str(), definition(i), "application/json");
          if (!r || r->status != 201) ++failures;
        }
      });
    for (auto& t : writers) t.join();
    BOOST_REQUIRE(failures.load() == 0);
  }
  BOOST_REQUIRE(WIFEXITED(node.stop(SIGTERM)));
  BOOST_REQUIRE(node.start_listening());
  auto c = node.client();
  int not_ready = 0, ready = 0;
  BOOST_REQUIRE(wait_until(
      [&] {
        auto r = c->Get("/readyz");
        auto api = c->Get("/v1/workflows/r0-0");
        if (!r || !api) return false;
        // Readiness may flip between the two calls, never back.
        if (r->status == 503) {
          ++not_ready;
          BOOST_TEST(r->body.find("not_ready") != std::string::npos);
          BOOST_TEST((api->status == 503 || api->status == 200));
          return false;
        }
        ++ready;
        BOOST_TEST(r->status == 200);
        BOOST_TEST(api->status == 200);
        BOOST_TEST(node.log_text().find("replayed 2000 events") != std::string::npos);
        return true;
      },
      std::chrono::seconds(30)));
  BOOST_TEST(ready == 1);
  BOOST_TEST_MESSAGE("saw " << not_ready
                            << " not-ready answers before replay of 2000 events finished");
}
