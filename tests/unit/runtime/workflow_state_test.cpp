// The workflow state machine: decide (command → events) and apply (event → state).
#include <boost/test/unit_test.hpp>

#include "runtime/workflow.hpp"

using namespace af::runtime;
using af::errc;
using af::json;

namespace {

json def(int n) {
  return json::parse(
      R"({"name": "W", "steps": [{"id": "a", "kind": "transform", "with": {"value": )" +
      std::to_string(n) + "}}]}");
}

// Runs a command and applies its events, as the workflow actor does after the log acknowledges.
std::vector<workflow_event> run(workflow_state& s, workflow_command cmd, af::millis t = 1000) {
  auto evs = decide(s, cmd);
  BOOST_REQUIRE_MESSAGE(evs.has_value(), (evs.has_value() ? std::string() : evs.error().message));
  for (const auto& ev : *evs) {
    auto r = apply(s, ev, t);
    BOOST_REQUIRE(r.has_value());
    ++s.seq;
  }
  return *evs;
}

workflow_command apply_cmd(json d) {
  return {workflow_command_kind::apply, std::move(d)};
}
workflow_command cmd(workflow_command_kind k) {
  return workflow_command{k, {}};
}
workflow_command publish_cmd(std::string token = "tok") {
  workflow_command c{workflow_command_kind::publish, {}};
  c.webhook_token = std::move(token);
  return c;
}

errc refusal(const workflow_state& s, workflow_command c) {
  auto r = decide(s, c);
  BOOST_REQUIRE(!r.has_value());
  return r.error().code;
}

workflow_state published_workflow() {
  workflow_state s;
  s.id = "w";
  run(s, apply_cmd(def(1)));
  run(s, publish_cmd());
  return s;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(workflow_state_machine)

BOOST_AUTO_TEST_CASE(apply_creates_a_draft_only_workflow) {
  workflow_state s;
  s.id = "w";
  auto evs = run(s, apply_cmd(def(1)), 5000);
  BOOST_TEST(evs.size() == 1u);
  BOOST_TEST(evs[0].type == "workflow.created");
  BOOST_TEST(s.exists);
  BOOST_TEST((s.status == workflow_status::draft));
  BOOST_TEST(s.draft.has_value());
  BOOST_TEST(s.live_version == 0);
  BOOST_TEST(s.created_at == 5000);
}

BOOST_AUTO_TEST_CASE(applying_the_same_draft_again_changes_nothing) {
  workflow_state s;
  s.id = "w";
  run(s, apply_cmd(def(1)));
  BOOST_TEST(run(s, apply_cmd(def(1))).empty());
  BOOST_TEST(run(s, apply_cmd(def(2))).size() == 1u);
}

BOOST_AUTO_TEST_CASE(publish_creates_numbered_immutable_versions_and_clears_the_draft) {
  auto s = published_workflow();
  BOOST_TEST(s.live_version == 1);
  BOOST_TEST(!s.draft.has_value());
  BOOST_TEST((s.status == workflow_status::active));
  run(s, apply_cmd(def(2)));
  auto evs = run(s, publish_cmd("tok2"), 2000);
  BOOST_TEST(evs[0].type == "workflow.published");
  BOOST_TEST(evs[0].data["version"] == 2);
  BOOST_TEST(s.live_version == 2);
  BOOST_TEST(s.versions.size() == 2u);
  BOOST_TEST(s.versions[0].definition == def(1));
  BOOST_TEST(s.versions[1].published_at == 2000);
  BOOST_TEST(s.webhook_token == "tok2");
}

BOOST_AUTO_TEST_CASE(publishing_an_identical_draft_creates_nothing_and_clears_it) {
  auto s = published_workflow();
  run(s, apply_cmd(def(1)));
  BOOST_TEST(s.draft.has_value());
  auto evs = run(s, publish_cmd());
  BOOST_TEST(evs.size() == 1u);
  BOOST_TEST(evs[0].type == "workflow.draft_discarded");
  BOOST_TEST(s.versions.size() == 1u);
  BOOST_TEST(!s.draft.has_value());
  BOOST_TEST(run(s, publish_cmd()).empty());  // no draft: answers the live version
}

BOOST_AUTO_TEST_CASE(rollback_moves_the_live_pointer_and_keeps_draft_and_token) {
  auto s = published_workflow();
  run(s, apply_cmd(def(2)));
  run(s, publish_cmd("t2"));
  run(s, apply_cmd(def(3)));
  workflow_command rb{workflow_command_kind::rollback, {}, 1};
  run(s, rb);
  BOOST_TEST(s.live_version == 1);
  BOOST_TEST(s.versions.size() == 2u);
  BOOST_TEST(s.draft.has_value());
  BOOST_TEST(s.webhook_token == "t2");
  BOOST_TEST(run(s, rb).empty());
  rb.version = 7;
  BOOST_TEST(refusal(s, rb) == errc::not_found);
}

BOOST_AUTO_TEST_CASE(discard_draft_needs_a_draft_and_a_published_version) {
  workflow_state s;
  s.id = "w";
  run(s, apply_cmd(def(1)));
  BOOST_TEST(refusal(s, cmd(workflow_command_kind::discard_draft)) == errc::conflict);
  run(s, publish_cmd());
  BOOST_TEST(refusal(s, cmd(workflow_command_kind::discard_draft)) == errc::conflict);
  run(s, apply_cmd(def(2)));
  run(s, cmd(workflow_command_kind::discard_draft));
  BOOST_TEST(!s.draft.has_value());
}

BOOST_AUTO_TEST_CASE(pause_and_resume_are_idempotent_and_need_a_published_version) {
  workflow_state s;
  s.id = "w";
  run(s, apply_cmd(def(1)));
  BOOST_TEST(refusal(s, cmd(workflow_command_kind::pause)) == errc::conflict);
  run(s, publish_cmd());
  run(s, cmd(workflow_command_kind::pause));
  BOOST_TEST((s.status == workflow_status::paused));
  BOOST_TEST((s.reason == pause_reason::manual));
  BOOST_TEST(run(s, cmd(workflow_command_kind::pause)).empty());
  run(s, cmd(workflow_command_kind::resume));
  BOOST_TEST((s.status == workflow_status::active));
  BOOST_TEST((s.reason == pause_reason::none));
  BOOST_TEST(run(s, cmd(workflow_command_kind::resume)).empty());
}

BOOST_AUTO_TEST_CASE(pause_and_resume_start_a_new_failure_streak) {
  workflow_state s;
  s.id = "w";
  run(s, apply_cmd(def(1)));
  run(s, publish_cmd());
  s.metrics.consecutive_failures = 4;
  run(s, cmd(workflow_command_kind::pause));
  BOOST_TEST(s.metrics.consecutive_failures == 0);
  BOOST_TEST(s.streak_reset_at != 0);
  s.metrics.consecutive_failures = 2;
  run(s, cmd(workflow_command_kind::resume));
  BOOST_TEST(s.metrics.consecutive_failures == 0);
}

BOOST_AUTO_TEST_CASE(publishing_while_paused_stays_paused) {
  auto s = published_workflow();
  run(s, cmd(workflow_command_kind::pause));
  run(s, apply_cmd(def(2)));
  run(s, publish_cmd());
  BOOST_TEST((s.status == workflow_status::paused));
  BOOST_TEST(s.live_version == 2);
}

BOOST_AUTO_TEST_CASE(archived_is_final_except_delete) {
  auto s = published_workflow();
  run(s, cmd(workflow_command_kind::archive));
  BOOST_TEST((s.status == workflow_status::archived));
  BOOST_TEST(refusal(s, apply_cmd(def(2))) == errc::conflict);
  BOOST_TEST(refusal(s, publish_cmd()) == errc::conflict);
  BOOST_TEST(refusal(s, cmd(workflow_command_kind::resume)) == errc::conflict);
  BOOST_TEST(refusal(s, cmd(workflow_command_kind::pause)) == errc::conflict);
  BOOST_TEST(run(s, cmd(workflow_command_kind::archive)).empty());
  run(s, cmd(workflow_command_kind::remove));
  BOOST_TEST(!s.exists);
}

BOOST_AUTO_TEST_CASE(delete_frees_the_id_and_a_new_workflow_starts_over) {
  auto s = published_workflow();
  run(s, cmd(workflow_command_kind::remove));
  BOOST_TEST(!s.exists);
  BOOST_TEST(refusal(s, publish_cmd()) == errc::not_found);
  auto seq_before = s.seq;
  run(s, apply_cmd(def(9)));
  BOOST_TEST(s.exists);
  BOOST_TEST(s.versions.empty());
  BOOST_TEST(s.seq == seq_before + 1);  // the stream continues
}

BOOST_AUTO_TEST_CASE(create_only_refuses_a_taken_id) {
  auto s = published_workflow();
  BOOST_TEST(refusal(s, workflow_command{workflow_command_kind::create_only, def(2)}) ==
             errc::conflict);
}

BOOST_AUTO_TEST_CASE(commands_on_a_missing_workflow_are_not_found) {
  workflow_state s;
  s.id = "nope";
  for (auto k : {workflow_command_kind::publish, workflow_command_kind::pause,
                 workflow_command_kind::resume, workflow_command_kind::archive,
                 workflow_command_kind::remove, workflow_command_kind::discard_draft})
    BOOST_TEST(refusal(s, cmd(k)) == errc::not_found);
}

BOOST_AUTO_TEST_CASE(replaying_the_events_rebuilds_the_same_state) {
  workflow_state s;
  s.id = "w";
  std::vector<workflow_event> log;
  auto record = [&](workflow_command c) {
    for (auto& e : run(s, c)) log.push_back(e);
  };
  record(apply_cmd(def(1)));
  record(publish_cmd("a"));
  record(apply_cmd(def(2)));
  record(publish_cmd("b"));
  record(cmd(workflow_command_kind::pause));
  record(workflow_command{workflow_command_kind::rollback, {}, 1});
  workflow_state replayed;
  replayed.id = "w";
  for (const auto& e : log) BOOST_REQUIRE(apply(replayed, e, 1000).has_value());
  BOOST_TEST(workflow_view(replayed, "http://x") == workflow_view(s, "http://x"));
}

BOOST_AUTO_TEST_CASE(apply_refuses_events_that_break_invariants) {
  workflow_state s;
  s.id = "w";
  BOOST_TEST(
      (apply(s, {"workflow.published", {{"version", 1}, {"definition", def(1)}}}, 1).error().code ==
       errc::corruption));
  BOOST_TEST(apply(s, {"workflow.created", {{"definition", def(1)}}}, 1).has_value());
  BOOST_TEST(
      (apply(s, {"workflow.published", {{"version", 3}, {"definition", def(1)}}}, 1).error().code ==
       errc::corruption));
  BOOST_TEST((apply(s, {"workflow.exploded", json::object()}, 1).error().code == errc::corruption));
  BOOST_TEST(
      (apply(s, {"workflow.paused", {{"reason", "bored"}}}, 1).error().code == errc::corruption));
}

BOOST_AUTO_TEST_CASE(view_hides_the_webhook_token_and_publish_url_reveals_it) {
  workflow_state s;
  s.id = "hook";
  auto d = def(1);
  d["trigger"] = {{"type", "webhook"}};
  run(s, apply_cmd(d));
  BOOST_TEST(workflow_view(s, "http://h")["webhook_url"].is_null());
  run(s, publish_cmd("secret123"));
  auto v = workflow_view(s, "http://h");
  BOOST_TEST(v["webhook_url"] == "http://h/hooks/hook/***");
  BOOST_TEST(af::dump(v).find("secret123") == std::string::npos);
  BOOST_TEST(*webhook_url(s, "http://h", true) == "http://h/hooks/hook/secret123");
}

BOOST_AUTO_TEST_CASE(view_has_every_documented_field) {
  auto s = published_workflow();
  auto v = workflow_view(s, "http://h");
  for (const char* f :
       {"id", "name", "description", "tags", "status", "pause_reason", "live_version", "definition",
        "draft", "webhook_url", "created_at", "updated_at", "metrics"})
    BOOST_TEST(v.contains(f), f);
  for (const char* f : {"run_count", "success_count", "failure_count", "last_run_at",
                        "last_run_status", "success_rate", "runs_7d"})
    BOOST_TEST(v["metrics"].contains(f), f);
  BOOST_TEST(v["name"] == "W");
  BOOST_TEST(v["metrics"]["success_rate"].is_null());
  auto sum = workflow_summary(s, "http://h");
  BOOST_TEST(!sum.contains("definition"));
  BOOST_TEST(sum["has_draft"] == false);
}

BOOST_AUTO_TEST_SUITE_END()
