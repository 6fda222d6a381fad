#pragma once
// Helpers for the unit_runtime_lint tests: parse a definition, lint it, and compare the
// problems as "path code" pairs so that a failure prints everything that was found.

#include <boost/test/unit_test.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/json.hpp"
#include "base/limits.hpp"
#include "base/result.hpp"
#include "runtime/lint.hpp"

namespace lint_test {

using af::json;
using af::runtime::problem;

inline json parse(std::string_view text) {
  auto r = af::parse_json(text);
  if (!r) BOOST_FAIL("test JSON does not parse: " + r.error().message);
  return *r;
}

inline std::vector<problem> lint_json(const json& def, const af::limits& lim = {}) {
  return af::runtime::lint(def, lim);
}

inline std::vector<problem> lint_text(std::string_view text, const af::limits& lim = {}) {
  return lint_json(parse(text), lim);
}

// "path code" per problem, in order.
inline std::vector<std::string> summary(const std::vector<problem>& ps) {
  std::vector<std::string> out;
  for (const auto& p : ps) out.push_back(p.path + " " + p.code);
  return out;
}

inline std::string dump_all(const std::vector<problem>& ps) {
  return af::dump(af::runtime::to_json(ps));
}

// The problems are exactly `expected` ("path code" each), in this order.
inline void expect_problems(const std::vector<problem>& ps, std::vector<std::string> expected) {
  auto got = summary(ps);
  BOOST_TEST_INFO("problems: " << dump_all(ps));
  BOOST_TEST(got == expected, boost::test_tools::per_element());
}

inline void expect_clean(const std::vector<problem>& ps) {
  BOOST_TEST_INFO("problems: " << dump_all(ps));
  BOOST_TEST(ps.empty());
}

// A definition with the given steps (a JSON array text) and, optionally, more top-level fields
// (JSON object members text, without braces).
inline json with_steps(std::string_view steps, std::string_view extra = "") {
  std::string text = "{\"steps\": ";
  text += steps;
  if (!extra.empty()) {
    text += ", ";
    text += extra;
  }
  text += "}";
  return parse(text);
}

// "<prefix><n>" (built by appending: g++ 12 warns falsely, -Wrestrict, on "s" + std::string&&).
inline std::string numbered(std::string_view prefix, std::size_t n) {
  std::string out(prefix);
  out += std::to_string(n);
  return out;
}

inline const problem* find(const std::vector<problem>& ps, std::string_view path,
                           std::string_view code) {
  for (const auto& p : ps)
    if (p.path == path && p.code == code) return &p;
  return nullptr;
}

}  // namespace lint_test
