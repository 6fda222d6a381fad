#include "runtime/graph.hpp"

#include <algorithm>
#include <span>

namespace af::runtime {
namespace {

enum class edge_kind { explicit_need, implicit, branch, fallback };

// g++ 12 warns falsely (-Wrestrict) on "literal" + std::string&&: messages start from this.
// At most 64 bytes of `s`, not splitting a UTF-8 sequence, "…" when cut.
std::string cut(const std::string& s) {
  if (s.size() <= 64) return s;
  std::size_t n = 64;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  std::string out = s.substr(0, n);
  out += "…";
  return out;
}

std::string quote(const std::string& s) {
  std::string out = "'";
  out += s;
  out += '\'';
  return out;
}

// `step` waits for `pred`; `where` is the JSON Pointer of what declared the edge.
struct edge {
  std::size_t pred;
  edge_kind kind;
  std::string where;
};

}  // namespace

struct step_graph_builder {
  const json& steps;
  std::vector<problem>* problems;
  step_graph& g;
  std::vector<std::vector<edge>> edges;         // resolved, per step
  std::vector<std::vector<edge>> branch_edges;  // branch -> target, stored at the target
  std::vector<std::optional<edge>> fallback_edge;
  std::vector<bool> explicit_needs;

  void report(std::string path, std::string_view code, std::string message) {
    g.sound = false;
    if (problems) problems->push_back({std::move(path), std::string(code), std::move(message), {}});
  }

  // A step's id for messages: "#<index>" when it has none, cut when absurdly long.
  std::string name(std::size_t i) const {
    if (!g.ids[i].empty()) return cut(g.ids[i]);
    std::string digits = std::to_string(i);
    return digits.insert(0, 1, '#');
  }

  std::string base(std::size_t i) const { return pointer_append("/steps", i); }

  // Resolves a step id written at `where`; reports an unknown one.
  std::optional<std::size_t> target(const json& entry, const std::string& where,
                                    std::string_view what) {
    if (!entry.is_string()) {
      g.sound = false;  // a type problem, reported by lint
      return std::nullopt;
    }
    const auto& id = entry.get_ref<const std::string&>();
    if (auto t = g.find(id)) return t;
    report(where, problem_code::unknown_step,
           std::string(what) + " names step " + quote(cut(id)) + ", which does not exist");
    return std::nullopt;
  }

  void collect_ids() {
    for (std::size_t i = 0; i < steps.size(); ++i) {
      const json& s = steps[i];
      std::string id;
      if (s.is_object()) {
        auto it = s.find("id");
        if (it != s.end() && it->is_string()) id = it->get<std::string>();
      }
      if (id.empty())
        g.sound = false;
      else if (!g.index_.emplace(id, i).second)
        g.sound = false;  // duplicate: lint reports it
      g.ids.push_back(std::move(id));
    }
  }

  void collect_needs(std::size_t i, const json& s) {
    auto it = s.find("needs");
    if (it == s.end()) return;
    explicit_needs[i] = true;
    if (!it->is_array()) {
      g.sound = false;
      return;
    }
    for (std::size_t j = 0; j < it->size(); ++j) {
      std::string where = pointer_append(pointer_append(base(i), "needs"), j);
      if (auto t = target((*it)[j], where, "needs"))
        edges[i].push_back({*t, edge_kind::explicit_need, where});
    }
  }

  void collect_targets(std::size_t b, const json& list, const std::string& where) {
    if (!list.is_array()) {
      g.sound = false;
      return;
    }
    for (std::size_t k = 0; k < list.size(); ++k) {
      std::string at = pointer_append(where, k);
      if (auto t = target(list[k], at, "branch")) {
        g.branch_target[*t] = true;
        branch_edges[*t].push_back({b, edge_kind::branch, at});
      }
    }
  }

  void collect_branch(std::size_t b, const json& s) {
    auto kind = s.find("kind");
    if (kind == s.end() || *kind != "branch") return;
    auto with = s.find("with");
    if (with == s.end() || !with->is_object()) return;
    std::string wbase = pointer_append(base(b), "with");
    if (auto cases = with->find("cases"); cases != with->end()) {
      if (!cases->is_array()) {
        g.sound = false;
      } else {
        for (std::size_t j = 0; j < cases->size(); ++j) {
          const json& c = (*cases)[j];
          auto next = c.is_object() ? c.find("next") : c.end();
          if (!c.is_object() || next == c.end()) {
            g.sound = false;
            continue;
          }
          collect_targets(
              b, *next, pointer_append(pointer_append(pointer_append(wbase, "cases"), j), "next"));
        }
      }
    }
    if (auto def = with->find("default"); def != with->end())
      collect_targets(b, *def, pointer_append(wbase, "default"));
  }

  void collect_fallback(std::size_t p, const json& s) {
    auto it = s.find("on_error");
    if (it == s.end() || !it->is_string()) return;
    std::string_view v = it->get_ref<const std::string&>();
    constexpr std::string_view prefix = "fallback:";
    if (v.substr(0, prefix.size()) != prefix) return;
    std::string where = pointer_append(base(p), "on_error");
    if (v.size() == prefix.size()) {
      g.sound = false;  // lint reports the missing id
      return;
    }
    auto t = target(json(v.substr(prefix.size())), where, "on_error fallback");
    if (!t) return;
    if (*t == p) {
      report(where, problem_code::invalid_value,
             "step '" + name(p) + "' cannot be its own fallback; name another step");
    } else if (g.fallback_of[*t]) {
      report(where, problem_code::invalid_value,
             "step '" + name(*t) + "' is already the fallback of '" + name(*g.fallback_of[*t]) +
                 "'; a step can be the fallback of one step only");
    } else {
      g.fallback_target[*t] = true;
      g.fallback_of[*t] = p;
      fallback_edge[*t] = edge{p, edge_kind::fallback, where};
    }
  }

  void resolve(std::size_t i) {
    if (!explicit_needs[i]) {
      if (g.branch_target[i]) {
        for (const auto& e : branch_edges[i]) edges[i].push_back(e);
      } else if (!g.fallback_target[i]) {
        for (std::size_t k = i; k-- > 0;) {
          if (g.branch_target[k] || g.fallback_target[k]) continue;
          edges[i].push_back({k, edge_kind::implicit, base(i)});
          break;
        }
      }
    }
    if (fallback_edge[i]) edges[i].push_back(*fallback_edge[i]);
    // One edge per predecessor: the first declaration wins (a repeated needs entry is harmless).
    std::vector<edge> unique;
    for (auto& e : edges[i]) {
      bool seen = std::any_of(unique.begin(), unique.end(),
                              [&](const edge& u) { return u.pred == e.pred; });
      if (!seen) unique.push_back(std::move(e));
    }
    edges[i] = std::move(unique);
    for (const auto& e : edges[i]) g.needs[i].push_back(e.pred);
  }

  // `path` holds the steps of the cycle, from the one the closing edge points back to.
  std::string cycle_message(std::span<const std::size_t> path, std::size_t u, const edge& e) {
    // Long cycles are cut: the start, the end and the count say enough to find it.
    constexpr std::size_t shown_steps = 8;
    std::string msg = "cycle: ";
    for (std::size_t k = 0; k < path.size(); ++k) {
      if (path.size() > shown_steps && k == shown_steps / 2) {
        msg += "… (";
        msg += std::to_string(path.size() - shown_steps) + " more) → ";
        k = path.size() - shown_steps / 2;
      }
      msg += name(path[k]) + " → ";
    }
    msg += name(e.pred);
    msg += " (each step waits for the next); ";
    switch (e.kind) {
      case edge_kind::explicit_need:
        msg += "remove '" + name(e.pred) + "' from the needs of '" + name(u) + "'";
        break;
      case edge_kind::implicit:
        msg += quote(name(u)) + " has no needs so it waits for '" + name(e.pred) +
               "', the step before it; give it explicit needs";
        break;
      case edge_kind::branch:
        msg += quote(name(u)) + " is a target of branch '" + name(e.pred) +
               "' without needs; give it explicit needs or route elsewhere";
        break;
      case edge_kind::fallback:
        msg += quote(name(u)) + " is the fallback of '" + name(e.pred) + "' and so waits for it";
        break;
    }
    return msg;
  }

  // Depth-first search in list order along needs edges, without recursion (graphs of any size
  // arrive from users). Returns the post-order (every step after its predecessors).
  std::vector<std::size_t> find_cycles() {
    const std::size_t n = g.ids.size();
    enum color : unsigned char { white, gray, black };
    std::vector<color> state(n, white);
    std::vector<std::size_t> order;
    std::vector<std::pair<std::size_t, std::size_t>> stack;  // (step, next edge to follow)
    std::vector<std::size_t> path;                           // the gray steps, root first
    std::vector<std::size_t> depth(n, 0);                    // a gray step's place in path
    for (std::size_t root = 0; root < n; ++root) {
      if (state[root] != white) continue;
      stack.push_back({root, 0});
      depth[root] = 0;
      path.push_back(root);
      state[root] = gray;
      while (!stack.empty()) {
        auto& [u, next] = stack.back();
        if (next == edges[u].size()) {
          state[u] = black;
          order.push_back(u);
          stack.pop_back();
          path.pop_back();
          continue;
        }
        const edge& e = edges[u][next++];
        if (state[e.pred] == gray) {
          std::span<const std::size_t> cyc(path.data() + depth[e.pred],
                                           path.size() - depth[e.pred]);
          report(e.where, problem_code::cycle, cycle_message(cyc, u, e));
        } else if (state[e.pred] == white) {
          state[e.pred] = gray;
          std::size_t v = e.pred;  // `u` and `next` dangle once the stack grows
          stack.push_back({v, 0});
          depth[v] = path.size();
          path.push_back(v);
        }
      }
    }
    return order;
  }

  void compute_upstream(const std::vector<std::size_t>& order) {
    const std::size_t n = g.ids.size(), words = (n + 63) / 64;
    g.upstream_.assign(n, std::vector<std::uint64_t>(words, 0));
    for (std::size_t u : order) {
      auto& row = g.upstream_[u];
      for (std::size_t p : g.needs[u]) {
        const auto& prow = g.upstream_[p];
        for (std::size_t w = 0; w < words; ++w) row[w] |= prow[w];
        row[p / 64] |= std::uint64_t{1} << (p % 64);
      }
    }
  }
};

std::optional<std::size_t> step_graph::find(std::string_view id) const {
  auto it = index_.find(std::string(id));
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

bool step_graph::is_upstream(std::size_t step, std::size_t of) const {
  if (step >= upstream_.size() || of >= upstream_.size()) return false;
  return (upstream_[step][of / 64] >> (of % 64)) & 1;
}

std::vector<std::size_t> step_graph::upstream_of(std::size_t step) const {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < upstream_.size(); ++i)
    if (is_upstream(step, i)) out.push_back(i);
  return out;
}

step_graph build_step_graph(const json& steps, std::vector<problem>* problems,
                            bool compute_upstream) {
  step_graph g;
  g.sound = true;
  if (!steps.is_array()) {
    g.sound = false;
    return g;
  }
  const std::size_t n = steps.size();
  step_graph_builder b{steps, problems, g, {}, {}, {}, {}};
  b.collect_ids();
  b.edges.resize(n);
  b.branch_edges.resize(n);
  b.fallback_edge.resize(n);
  b.explicit_needs.assign(n, false);
  g.needs.resize(n);
  g.branch_target.assign(n, false);
  g.fallback_target.assign(n, false);
  g.fallback_of.assign(n, std::nullopt);
  for (std::size_t i = 0; i < n; ++i) {
    if (!steps[i].is_object()) continue;
    b.collect_needs(i, steps[i]);
    b.collect_branch(i, steps[i]);
    b.collect_fallback(i, steps[i]);
  }
  for (std::size_t i = 0; i < n; ++i) b.resolve(i);
  auto order = b.find_cycles();
  if (g.sound && compute_upstream) b.compute_upstream(order);
  return g;
}

}  // namespace af::runtime
