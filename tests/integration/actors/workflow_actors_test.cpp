// Workflow actors over a real log: changes are applied only once the log acknowledged them,
// a failed write changes nothing, and a restarted node rebuilds the same state by replay.
#define BOOST_TEST_MODULE integration_actors
#include <boost/test/unit_test.hpp>

#include <thread>

#include "actors/node.hpp"
#include "actors/recovery.hpp"
#include "storage/backend.hpp"
#include "storage/faulty_backend.hpp"
#include "storage/memory_log.hpp"

using namespace af;
using namespace af::actors;
using runtime::workflow_command;
using runtime::workflow_command_kind;

namespace {

json definition(int value) {
  return json::parse(R"({"steps": [{"id": "a", "kind": "transform", "with": {"value": )" +
                     std::to_string(value) + "}}]}");
}

workflow_request apply_req(const std::string& id, int value) {
  workflow_command cmd;
  cmd.kind = workflow_command_kind::apply;
  cmd.definition = definition(value);
  return {"default", id, std::move(cmd)};
}

workflow_request simple(const std::string& id, workflow_command_kind kind) {
  workflow_command cmd;
  cmd.kind = kind;
  cmd.webhook_token = "t";
  return {"default", id, std::move(cmd)};
}

std::shared_ptr<node_context> context(std::shared_ptr<storage::event_log> log) {
  auto ctx = std::make_shared<node_context>();
  ctx->log = std::move(log);
  ctx->clock = std::make_shared<manual_clock>(1'700'000'000'000);
  ctx->public_url = "http://test";
  return ctx;
}

struct faulty_node {
  storage::faulty_backend* faults = nullptr;
  std::shared_ptr<storage::event_log> log;
  std::unique_ptr<node> n;

  faulty_node() {
    auto inner = std::make_unique<storage::memory_backend>();
    auto wrapper = std::make_unique<storage::faulty_backend>(std::move(inner));
    faults = wrapper.get();
    log = storage::make_event_log(std::move(wrapper));
    start();
  }
  void start() {
    n = std::make_unique<node>(context(log));
    auto rec = recover_workflows(*log, 0);
    BOOST_REQUIRE(rec.has_value());
    n->restore(std::move(*rec));
  }
  ~faulty_node() {
    n.reset();
    log->close();
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(workflow_actors, faulty_node)

BOOST_AUTO_TEST_CASE(client_is_not_ready_before_restore) {
  node fresh(context(log));
  BOOST_TEST(!fresh.api().ready());
  auto r = fresh.api().get(workflow_get{"default", "x"});
  BOOST_REQUIRE(!r.has_value());
  BOOST_TEST(r.error().code == errc::not_ready);
}

BOOST_AUTO_TEST_CASE(a_failed_write_answers_unavailable_and_changes_nothing) {
  auto& api = n->api();
  BOOST_REQUIRE(api.send(apply_req("w", 1)).has_value());
  BOOST_REQUIRE(api.send(simple("w", workflow_command_kind::publish)).has_value());
  const auto before = api.get(workflow_get{"default", "w"})->body;

  faults->fail_write(1);
  auto failed = api.send(apply_req("w", 2));
  BOOST_REQUIRE(!failed.has_value());
  BOOST_TEST(failed.error().code == errc::unavailable);
  BOOST_TEST(api.get(workflow_get{"default", "w"})->body == before);

  faults->fail_write(1);
  BOOST_TEST(!api.send(simple("w", workflow_command_kind::pause)).has_value());
  BOOST_TEST(api.get(workflow_get{"default", "w"})->body["status"] == "active");

  // A new workflow whose creation failed does not exist.
  faults->fail_write(1);
  BOOST_TEST(!api.send(apply_req("ghost", 1)).has_value());
  BOOST_TEST(api.get(workflow_get{"default", "ghost"}).error().code == errc::not_found);
  BOOST_TEST(api.list(workflow_list{"default"})->items.size() == 1u);

  // The next write works and lands on the state as acknowledged.
  auto ok = api.send(apply_req("w", 3));
  BOOST_REQUIRE(ok.has_value());
  BOOST_TEST(ok->body["draft"]["steps"][0]["with"]["value"] == 3);
}

BOOST_AUTO_TEST_CASE(nothing_unacknowledged_survives_a_restart) {
  auto& api = n->api();
  BOOST_REQUIRE(api.send(apply_req("w", 1)).has_value());
  faults->fail_write(1);
  BOOST_REQUIRE(!api.send(simple("w", workflow_command_kind::publish)).has_value());
  n.reset();
  start();
  auto got = n->api().get(workflow_get{"default", "w"});
  BOOST_REQUIRE(got.has_value());
  BOOST_TEST(got->body["live_version"].is_null());
  BOOST_TEST(got->body["draft"]["steps"][0]["with"]["value"] == 1);
}

BOOST_AUTO_TEST_CASE(concurrent_commands_on_one_workflow_apply_in_a_consistent_order) {
  auto& api = n->api();
  BOOST_REQUIRE(api.send(apply_req("w", 0)).has_value());
  std::vector<std::thread> threads;
  std::atomic<int> published{0}, failures{0};
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {  // Boost.Test assertions are not thread-safe: count instead
      for (int i = 1; i <= 10; ++i) {
        if (!api.send(apply_req("w", t * 100 + i)).has_value()) ++failures;
        auto p = api.send(simple("w", workflow_command_kind::publish));
        if (!p.has_value())
          ++failures;
        else if (p->created)
          ++published;
      }
    });
  for (auto& t : threads) t.join();
  BOOST_TEST(failures.load() == 0);
  BOOST_TEST(published.load() > 0);
  auto versions = api.get(workflow_get{"default", "w", workflow_view::versions, 0, 1000});
  BOOST_REQUIRE(versions.has_value());
  // Every 201 publish made exactly one version, numbered without gaps.
  BOOST_TEST(versions->body["data"].size() == static_cast<std::size_t>(published.load()));
  BOOST_TEST(versions->body["data"][0]["version"] == published.load());
  n.reset();
  start();
  auto replayed = n->api().get(workflow_get{"default", "w", workflow_view::versions, 0, 1000});
  BOOST_TEST(replayed->body == versions->body);
}

BOOST_AUTO_TEST_CASE(duplicate_and_list_paging_through_the_node_actor) {
  auto& api = n->api();
  for (int i = 0; i < 5; ++i) {
    BOOST_REQUIRE(api.send(apply_req("w" + std::to_string(i), i)).has_value());
  }
  BOOST_TEST(api.duplicate({"default", "w1", "copy"}).error().code ==
             errc::conflict);  // never published
  BOOST_REQUIRE(api.send(simple("w1", workflow_command_kind::publish)).has_value());
  auto copy = api.duplicate({"default", "w1", "copy"});
  BOOST_REQUIRE(copy.has_value());
  BOOST_TEST(copy->created);
  BOOST_TEST(api.duplicate({"default", "w1", "w2"}).error().code == errc::conflict);
  workflow_list q{"default"};
  q.limit = 4;
  auto first = api.list(q);
  BOOST_REQUIRE(first.has_value());
  BOOST_TEST(first->items.size() == 4u);
  BOOST_REQUIRE(first->next.has_value());
  q.after = first->next;
  auto second = api.list(q);
  BOOST_TEST(second->items.size() == 2u);
  BOOST_TEST(!second->next.has_value());
}

BOOST_AUTO_TEST_SUITE_END()
