#include <boost/test/unit_test.hpp>

#include "lint_support.hpp"
#include "runtime/graph.hpp"

using af::runtime::build_step_graph;
using af::runtime::step_graph;
using namespace lint_test;

namespace {

step_graph graph_of(std::string_view steps_text, std::vector<problem>* problems = nullptr) {
  return build_step_graph(parse(steps_text), problems);
}

using list = std::vector<std::size_t>;

}  // namespace

BOOST_AUTO_TEST_SUITE(graph)

BOOST_AUTO_TEST_CASE(a_plain_list_is_a_chain) {
  auto g = graph_of(R"([{"id": "a", "kind": "fail"}, {"id": "b", "kind": "fail"},
                        {"id": "c", "kind": "fail"}])");
  BOOST_TEST(g.sound);
  BOOST_TEST(g.needs[0] == list{}, boost::test_tools::per_element());
  BOOST_TEST(g.needs[1] == list{0}, boost::test_tools::per_element());
  BOOST_TEST(g.needs[2] == list{1}, boost::test_tools::per_element());
  BOOST_TEST(g.upstream_of(2) == (list{0, 1}), boost::test_tools::per_element());
  BOOST_TEST(g.is_upstream(2, 0));
  BOOST_TEST(!g.is_upstream(0, 2));
  BOOST_TEST(g.upstream_known());
  BOOST_TEST(g.find("b").value() == 1u);
  BOOST_TEST(!g.find("x").has_value());
}

BOOST_AUTO_TEST_CASE(explicit_needs_replace_the_chain_and_empty_needs_start_at_the_beginning) {
  auto g = graph_of(R"([{"id": "a", "kind": "fail"}, {"id": "b", "kind": "fail", "needs": []},
                        {"id": "c", "kind": "fail", "needs": ["a", "b", "a"]}])");
  BOOST_TEST(g.sound);
  BOOST_TEST(g.needs[1] == list{}, boost::test_tools::per_element());
  BOOST_TEST(g.needs[2] == (list{0, 1}), boost::test_tools::per_element());  // repeats dropped
}

BOOST_AUTO_TEST_CASE(branch_targets_need_their_branch_and_leave_the_chain) {
  // route -> review | notify; "after" has no needs: it waits for route, the nearest earlier
  // step that is no branch target.
  auto g = graph_of(R"([
    {"id": "score", "kind": "fail"},
    {"id": "route", "kind": "branch", "with": {"cases": [{"when": true, "next": ["review"]}],
                                               "default": ["notify"]}},
    {"id": "review", "kind": "fail"},
    {"id": "notify", "kind": "fail"},
    {"id": "after", "kind": "fail"}])");
  BOOST_TEST(g.sound);
  BOOST_TEST(g.needs[1] == list{0}, boost::test_tools::per_element());
  BOOST_TEST(g.needs[2] == list{1}, boost::test_tools::per_element());
  BOOST_TEST(g.needs[3] == list{1}, boost::test_tools::per_element());
  BOOST_TEST(g.needs[4] == list{1}, boost::test_tools::per_element());
  BOOST_TEST(g.branch_target[2]);
  BOOST_TEST(g.branch_target[3]);
  BOOST_TEST(!g.branch_target[4]);
  BOOST_TEST(g.upstream_of(3) == (list{0, 1}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_branch_target_with_needs_keeps_its_needs) {
  auto g = graph_of(R"([
    {"id": "a", "kind": "fail"},
    {"id": "route", "kind": "branch", "with": {"cases": [{"when": true, "next": ["t"]}]}},
    {"id": "t", "kind": "fail", "needs": ["a"]}])");
  BOOST_TEST(g.needs[2] == list{0}, boost::test_tools::per_element());
  BOOST_TEST(g.branch_target[2]);
}

BOOST_AUTO_TEST_CASE(fallback_targets_need_their_primary_and_leave_the_chain) {
  auto g = graph_of(R"([
    {"id": "call", "kind": "fail", "on_error": "fallback:backup"},
    {"id": "backup", "kind": "fail"},
    {"id": "next", "kind": "fail"},
    {"id": "late", "kind": "fail", "needs": ["next"]},
    {"id": "other", "kind": "fail", "on_error": "fallback:late"}])");
  BOOST_TEST(g.sound);
  BOOST_TEST(g.needs[1] == list{0}, boost::test_tools::per_element());
  BOOST_TEST(g.needs[2] == list{0}, boost::test_tools::per_element());  // skips "backup"
  BOOST_TEST(g.fallback_target[1]);
  BOOST_TEST(g.fallback_of[1].value() == 0u);
  // A fallback target with needs needs its primary as well.
  BOOST_TEST(g.needs[3] == (list{2, 4}), boost::test_tools::per_element());
  // "other" follows "late", a fallback target, so it waits for "next".
  BOOST_TEST(g.needs[4] == list{2}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(reports_unknown_targets_and_is_then_unsound) {
  std::vector<problem> ps;
  auto g = graph_of(R"([
    {"id": "a", "kind": "fail", "needs": ["nope"], "on_error": "fallback:gone"},
    {"id": "b", "kind": "branch", "with": {"cases": [{"when": true, "next": ["a", "x"]}],
                                           "default": ["y"]}}])",
                    &ps);
  BOOST_TEST(!g.sound);
  BOOST_TEST(!g.upstream_known());
  expect_problems(
      ps, {"/steps/0/needs/0 unknown_step", "/steps/0/on_error unknown_step",
           "/steps/1/with/cases/0/next/1 unknown_step", "/steps/1/with/default/0 unknown_step"});
}

BOOST_AUTO_TEST_CASE(finds_cycles_without_recursion_on_long_chains) {
  // 20,000 chained steps whose first needs the last: one cycle, no stack overflow.
  af::json steps = af::json::array();
  for (int i = 0; i < 20000; ++i) steps.push_back({{"id", numbered("s", i)}, {"kind", "fail"}});
  steps[0]["needs"] = af::json::array({"s19999"});
  std::vector<problem> ps;
  auto g = build_step_graph(steps, &ps, false);
  BOOST_TEST(!g.sound);
  expect_problems(ps, {"/steps/1 cycle"});
}

BOOST_AUTO_TEST_CASE(many_cycles_through_a_long_path_stay_linear) {
  // s_i needs s_(i+1) and s_0: every step closes its own cycle back to s_0 over a long path;
  // messages stay short and the search does not copy the path per cycle.
  const std::size_t n = 20000;
  af::json steps = af::json::array();
  for (std::size_t i = 0; i < n; ++i) {
    af::json needs = af::json::array();
    if (i + 1 < n) needs.push_back(numbered("s", i + 1));
    needs.push_back("s0");
    steps.push_back({{"id", numbered("s", i)}, {"kind", "fail"}, {"needs", needs}});
  }
  std::vector<problem> ps;
  build_step_graph(steps, &ps, false);
  BOOST_TEST(ps.size() == n);
  for (const auto& p : ps) {
    BOOST_TEST(p.code == "cycle");
    BOOST_TEST(p.message.size() < 300u);
  }
  BOOST_TEST(ps.front().message.find("more) →") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(malformed_entries_are_skipped_silently) {
  std::vector<problem> ps;
  auto g = graph_of(R"([7, {"kind": "fail"}, {"id": "c", "kind": "fail", "needs": [1]},
                        {"id": "d", "kind": "fail", "needs": "c"}])",
                    &ps);
  BOOST_TEST(!g.sound);
  BOOST_TEST(ps.empty());
  BOOST_TEST(g.ids.size() == 4u);
  BOOST_TEST(g.needs[1] == list{0}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(lint_graph)

BOOST_AUTO_TEST_CASE(unknown_needs_next_default_and_fallback_targets) {
  auto ps = lint_json(with_steps(R"([
    {"id": "a", "kind": "fail", "needs": ["zz"]},
    {"id": "b", "kind": "branch", "with": {"cases": [{"when": true, "next": ["qq"]}],
                                           "default": ["ww"]}},
    {"id": "c", "kind": "fail", "on_error": "fallback:nope"}])"));
  expect_problems(ps, {"/steps/0/needs/0 unknown_step", "/steps/1/with/cases/0/next/0 unknown_step",
                       "/steps/1/with/default/0 unknown_step", "/steps/2/on_error unknown_step"});
  BOOST_TEST(ps[0].message.find("'zz'") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(self_cycle_through_needs) {
  auto ps = lint_json(with_steps(R"([{"id": "a", "kind": "fail", "needs": ["a"]}])"));
  expect_problems(ps, {"/steps/0/needs/0 cycle"});
  BOOST_TEST(ps[0].message.find("cycle: a → a") == 0u);
}

BOOST_AUTO_TEST_CASE(two_cycle_through_needs_is_reported_at_the_closing_entry) {
  auto ps = lint_json(with_steps(R"([
    {"id": "a", "kind": "fail", "needs": ["b"]},
    {"id": "b", "kind": "fail", "needs": ["x", "a"]},
    {"id": "x", "kind": "fail", "needs": []}])"));
  expect_problems(ps, {"/steps/1/needs/1 cycle"});
  BOOST_TEST(ps[0].message.find("cycle: a → b → a") == 0u);
}

BOOST_AUTO_TEST_CASE(cycle_through_the_implicit_chain_is_reported_at_the_step) {
  // a needs c; b waits for a and c waits for b implicitly: a → c → b → a closes at b.
  auto ps = lint_json(with_steps(R"([
    {"id": "a", "kind": "fail", "needs": ["c"]},
    {"id": "b", "kind": "fail"},
    {"id": "c", "kind": "fail"}])"));
  expect_problems(ps, {"/steps/1 cycle"});
  BOOST_TEST(ps[0].message.find("cycle: a → c → b → a") == 0u);
}

BOOST_AUTO_TEST_CASE(cycle_through_a_branch_edge_is_reported_at_the_next_entry) {
  auto ps = lint_json(with_steps(R"([
    {"id": "route", "kind": "branch", "needs": ["t"],
     "with": {"cases": [{"when": true, "next": ["u", "t"]}]}},
    {"id": "t", "kind": "fail"},
    {"id": "u", "kind": "fail", "needs": []}])"));
  expect_problems(ps, {"/steps/0/with/cases/0/next/1 cycle"});
  BOOST_TEST(ps[0].message.find("cycle: route → t → route") == 0u);
}

BOOST_AUTO_TEST_CASE(a_branch_naming_itself_is_a_self_cycle) {
  auto ps = lint_json(with_steps(R"([
    {"id": "loop", "kind": "branch", "with": {"cases": [{"when": true, "next": ["loop"]}]}}])"));
  expect_problems(ps, {"/steps/0/with/cases/0/next/0 cycle"});
}

BOOST_AUTO_TEST_CASE(cycle_through_a_fallback_edge_is_reported_at_on_error) {
  auto ps = lint_json(with_steps(R"([
    {"id": "p", "kind": "fail", "needs": ["f"], "on_error": "fallback:f"},
    {"id": "f", "kind": "fail"}])"));
  expect_problems(ps, {"/steps/0/on_error cycle"});
}

BOOST_AUTO_TEST_CASE(one_problem_per_cycle) {
  auto ps = lint_json(with_steps(R"([
    {"id": "a", "kind": "fail", "needs": ["b"]},
    {"id": "b", "kind": "fail", "needs": ["a"]},
    {"id": "c", "kind": "fail", "needs": ["d"]},
    {"id": "d", "kind": "fail", "needs": ["c"]}])"));
  expect_problems(ps, {"/steps/1/needs/0 cycle", "/steps/3/needs/0 cycle"});
}

BOOST_AUTO_TEST_CASE(fallback_to_itself_and_shared_fallbacks_are_invalid) {
  auto ps = lint_json(with_steps(R"([
    {"id": "a", "kind": "fail", "on_error": "fallback:a"},
    {"id": "b", "kind": "fail", "on_error": "fallback:f"},
    {"id": "c", "kind": "fail", "on_error": "fallback:f", "needs": []},
    {"id": "f", "kind": "fail"}])"));
  expect_problems(ps, {"/steps/0/on_error invalid_value", "/steps/2/on_error invalid_value"});
}

BOOST_AUTO_TEST_SUITE_END()
