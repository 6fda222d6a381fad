#include "actors/run_store.hpp"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <map>

#include "storage/streams.hpp"

namespace af::actors {
namespace {

// Newest first: keys sort by the inverted creation time.
std::string inverted(millis t) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx",
                static_cast<unsigned long long>(std::numeric_limits<std::uint64_t>::max() -
                                                static_cast<std::uint64_t>(t)));
  return buf;
}

std::string hex_time(millis t) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(t));
  return buf;
}

std::string join(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (auto p : parts) {
    if (!out.empty()) out.push_back('/');
    out.append(p);
  }
  return out;
}

result<json> parse_record(std::string_view value, std::string_view what) {
  auto j = parse_json(value, json_parse_options{1024});
  if (!j) return error(errc::corruption, std::string(what) + ": " + j.error().message);
  return j;
}

}  // namespace

namespace run_keys {
std::string index(std::string_view ws, millis created_at, std::string_view id) {
  return join({"run", ws, inverted(created_at), id});
}
std::string by_workflow(std::string_view ws, std::string_view wf, millis created_at,
                        std::string_view id) {
  return join({"runwf", ws, wf, inverted(created_at), id});
}
std::string open(std::string_view ws, std::string_view id) {
  return join({"open", ws, id});
}
std::string failed(std::string_view ws, millis created_at, std::string_view id) {
  return join({"fail", ws, inverted(created_at), id});
}
std::string idempotency(std::string_view ws, std::string_view wf, std::string_view key) {
  return join({"idem", ws, wf, key});
}
std::string snapshot(std::string_view ws, std::string_view id) {
  return join({"run", ws, id});
}
std::string done(std::string_view ws, std::string_view wf, millis finished_at,
                 std::string_view id) {
  return join({"done", ws, wf, hex_time(finished_at), id});
}
}  // namespace run_keys

result<std::optional<runtime::run_state>> load_run(storage::event_log& log, std::string_view ws,
                                                   std::string_view id) {
  runtime::run_state st;
  auto snap = log.get(storage::space::snapshot, run_keys::snapshot(ws, id));
  if (!snap) return snap.error();
  if (*snap) {
    auto j = parse_record(**snap, "run snapshot");
    if (!j) return j.error();
    auto s = runtime::from_snapshot(*j);
    if (!s) return s.error();
    st = std::move(*s);
  } else {
    st.id = std::string(id);
    st.workspace = std::string(ws);
  }
  std::optional<error> failure;
  const std::string stream = storage::run_stream(ws, id);
  auto read = log.read_stream(stream, st.seq + 1, [&](const storage::event& ev) {
    if (ev.seq != st.seq + 1) {
      failure = error(errc::corruption,
                      "stream " + stream + ": expected seq " + std::to_string(st.seq + 1));
      return false;
    }
    auto data = parse_record(ev.data, "run event");
    if (!data) {
      failure = data.error();
      return false;
    }
    runtime::run_event rev{ev.type, std::move(*data), std::nullopt};
    if (auto it = rev.data.find("item"); it != rev.data.end() && it->is_string())
      rev.item_id = it->get<std::string>();
    if (auto r = runtime::apply(st, rev, ev.time); !r) {
      failure = r.error();
      return false;
    }
    st.seq = ev.seq;
    return true;
  });
  if (!read) return read.error();
  if (failure) return *failure;
  if (!st.exists() || st.workflow_id.empty()) return std::optional<runtime::run_state>();
  return std::optional<runtime::run_state>(std::move(st));
}

result<std::optional<idempotency_record>> load_idempotency(storage::event_log& log,
                                                           std::string_view ws, std::string_view wf,
                                                           std::string_view key) {
  auto v = log.get(storage::space::index, run_keys::idempotency(ws, wf, key));
  if (!v) return v.error();
  if (!*v) return std::optional<idempotency_record>();
  auto j = parse_record(**v, "idempotency record");
  if (!j) return j.error();
  idempotency_record r{j->value("run_id", ""), j->value("hash", ""), j->value("at", millis{0})};
  return std::optional<idempotency_record>(std::move(r));
}

std::string encode_idempotency(const idempotency_record& r) {
  return dump(json{{"run_id", r.run_id}, {"hash", r.hash}, {"at", r.at}});
}

result<page_reply> list_runs(storage::event_log& log, const run_list& q) {
  page_reply out;
  std::optional<error> failure;
  std::string last;
  auto take = [&](std::string_view key, std::string_view summary) {
    auto j = parse_record(summary, "run index entry");
    if (!j) {
      failure = j.error();
      return false;
    }
    if (q.workflow_id && j->value("workflow_id", "") != *q.workflow_id) return true;
    if (q.status && j->value("status", "") != *q.status) return true;
    if (q.mode && j->value("mode", "") != *q.mode) return true;
    if (out.items.size() == q.limit) {
      out.next = last;
      return false;
    }
    out.items.push_back(std::move(*j));
    last = std::string(key);
    return true;
  };
  result<void> scanned;
  if (q.workflow_id) {
    const std::string prefix = join({"runwf", q.workspace, *q.workflow_id}) + "/";
    scanned = log.scan(
        storage::space::index, prefix,
        [&](std::string_view key, std::string_view) {
          // "runwf/<ws>/<wf>/<inv>/<id>" → "run/<ws>/<inv>/<id>"
          const std::string main =
              "run/" + q.workspace + "/" + std::string(key.substr(prefix.size()));
          auto v = log.get(storage::space::index, main);
          if (!v) {
            failure = v.error();
            return false;
          }
          if (!*v) return true;
          return take(key, **v);
        },
        q.after.value_or(""));
  } else {
    scanned =
        log.scan(storage::space::index, "run/" + q.workspace + "/", take, q.after.value_or(""));
  }
  if (!scanned) return scanned.error();
  if (failure) return *failure;
  return out;
}

result<page_reply> list_failures(storage::event_log& log, const failure_list& q,
                                 std::string_view public_url) {
  page_reply out;
  std::optional<error> failure;
  std::string last;
  const std::string prefix = "fail/" + q.workspace + "/";
  auto scanned = log.scan(
      storage::space::index, prefix,
      [&](std::string_view key, std::string_view) {
        if (out.items.size() == q.limit) {
          out.next = last;
          return false;
        }
        auto slash = key.rfind('/');
        auto run = load_run(log, q.workspace, key.substr(slash + 1));
        if (!run) {
          failure = run.error();
          return false;
        }
        last = std::string(key);
        if (!*run || (*run)->status != runtime::run_status::failed) return true;
        json items = json::array();
        for (auto i : runtime::item_order(**run)) {
          const auto& it = (*run)->items[i];
          if (it.status == runtime::item_status::failed)
            items.push_back(runtime::item_view(**run, it));
        }
        out.items.push_back(json{{"run", runtime::run_view(**run, public_url)},
                                 {"failed_items", std::move(items)}});
        return true;
      },
      q.after.value_or(""));
  if (!scanned) return scanned.error();
  if (failure) return *failure;
  return out;
}

result<page_reply> run_history(storage::event_log& log, const run_history_get& q) {
  page_reply out;
  std::optional<error> failure;
  std::uint64_t last = 0;
  auto read = log.read_stream(storage::run_stream(q.workspace, q.run_id), q.after_seq + 1,
                              [&](const storage::event& ev) {
                                if (out.items.size() == q.limit) {
                                  out.next = std::to_string(last);
                                  return false;
                                }
                                auto data = parse_record(ev.data, "run event");
                                if (!data) {
                                  failure = data.error();
                                  return false;
                                }
                                json entry = json::object();
                                entry["seq"] = ev.seq;
                                entry["type"] = ev.type;
                                entry["time"] = format_time(ev.time);
                                if (auto it = data->find("item"); it != data->end()) {
                                  entry["item_id"] = *it;
                                  data->erase("item");
                                }
                                entry["data"] = std::move(*data);
                                out.items.push_back(std::move(entry));
                                last = ev.seq;
                                return true;
                              });
  if (!read) return read.error();
  if (failure) return *failure;
  return out;
}

page_reply items_page(const runtime::run_state& st, const run_items_get& q) {
  page_reply out;
  std::size_t start = 0;
  if (q.after) {
    std::size_t n = 0;
    for (char c : *q.after) {
      if (c < '0' || c > '9' || n > 100000000) break;
      n = n * 10 + static_cast<std::size_t>(c - '0');
    }
    start = n + 1;
  }
  const auto order = runtime::item_order(st);
  std::size_t last_shown = start;
  for (std::size_t pos = start; pos < order.size(); ++pos) {
    const auto& it = st.items[order[pos]];
    if (q.status && runtime::to_string(it.status) != *q.status) continue;
    if (out.items.size() == q.limit) {
      out.next = std::to_string(last_shown);  // the next page starts after it
      break;
    }
    out.items.push_back(runtime::item_view(st, it));
    last_shown = pos;
  }
  return out;
}

result<open_runs> recover_open_runs(storage::event_log& log, std::optional<std::string> workflow) {
  open_runs out;
  std::vector<std::pair<std::string, std::string>> ids;  // (ws, id)
  // "<ws>/<workflow id>": only the open runs (value: their workflow) of that one.
  std::string only_ws, only_wf;
  if (workflow) {
    only_ws = workflow->substr(0, workflow->find('/'));
    only_wf = workflow->substr(workflow->find('/') + 1);
  }
  auto scanned = log.scan(
      storage::space::index, workflow ? "open/" + only_ws + "/" : std::string("open/"),
      [&](std::string_view key, std::string_view value) {
        auto rest = key.substr(5);
        auto slash = rest.find('/');
        if (slash == std::string_view::npos) return true;
        if (workflow && value != only_wf) return true;
        ids.emplace_back(std::string(rest.substr(0, slash)), std::string(rest.substr(slash + 1)));
        return true;
      });
  if (!scanned) return scanned.error();
  for (const auto& [ws, id] : ids) {
    auto run = load_run(log, ws, id);
    if (!run) return run.error();
    if (!*run || runtime::finished((*run)->status)) continue;
    out.events += (*run)->seq;
    out.runs.push_back(std::move(**run));
  }
  return out;
}

result<std::vector<std::pair<std::string, workflow_run_stats>>> scan_run_stats(
    storage::event_log& log, millis now, std::string_view prefix) {
  std::map<std::string, workflow_run_stats> stats;
  auto scanned =
      log.scan(storage::space::index, prefix, [&](std::string_view key, std::string_view value) {
        // "done/<ws>/<wf>/<finished hex>/<id>"
        auto rest = key.substr(5);
        auto s1 = rest.find('/');
        auto s2 = rest.find('/', s1 + 1);
        auto s3 = rest.find('/', s2 + 1);
        if (s1 == std::string_view::npos || s2 == std::string_view::npos ||
            s3 == std::string_view::npos)
          return true;
        auto& w = stats[std::string(rest.substr(0, s2))];
        const millis at = static_cast<millis>(
            std::stoull(std::string(rest.substr(s2 + 1, s3 - s2 - 1)), nullptr, 16));
        ++w.run_count;
        if (value == "succeeded") {
          ++w.success_count;
          w.consecutive_failures = 0;
          w.trailing_failures.clear();
        } else if (value == "failed") {
          ++w.failure_count;
          ++w.consecutive_failures;
          w.trailing_failures.push_back(at);
        }
        if (now - at <= 7LL * 24 * 3600 * 1000) ++w.runs_7d;
        if (!w.last_run_at || at >= *w.last_run_at) {
          w.last_run_at = at;
          w.last_run_status = std::string(value);
        }
        return true;
      });
  if (!scanned) return scanned.error();
  return std::vector<std::pair<std::string, workflow_run_stats>>(stats.begin(), stats.end());
}

void decorate_batch(storage::write_batch& batch, const runtime::run_state& st,
                    std::string_view public_url, bool created, std::string& shown_status,
                    std::uint64_t& snapshot_seq) {
  using storage::space;
  const std::string status(runtime::to_string(runtime::view_status(st)));
  const bool done = runtime::finished(st.status);
  if (created || status != shown_status || done) {
    json summary = runtime::run_view(st, public_url);
    batch.records.push_back(
        {space::index, run_keys::index(st.workspace, st.created_at, st.id), dump(summary)});
    shown_status = status;
  }
  if (created) {
    batch.records.push_back(
        {space::index, run_keys::by_workflow(st.workspace, st.workflow_id, st.created_at, st.id),
         std::string()});
    if (!st.idempotency_key.empty())
      batch.records.push_back(
          {space::index, run_keys::idempotency(st.workspace, st.workflow_id, st.idempotency_key),
           encode_idempotency({st.id, st.request_hash, st.created_at})});
    if (!done)
      batch.records.push_back({space::index, run_keys::open(st.workspace, st.id), st.workflow_id});
  }
  if (done) {
    if (!created)
      batch.records.push_back({space::index, run_keys::open(st.workspace, st.id), std::nullopt});
    if (st.status == runtime::run_status::failed)
      batch.records.push_back(
          {space::index, run_keys::failed(st.workspace, st.created_at, st.id), std::string()});
    if (st.mode == "live")
      batch.records.push_back({space::index,
                               run_keys::done(st.workspace, st.workflow_id, st.finished_at, st.id),
                               std::string(runtime::to_string(st.status))});
  }
  // A finished run is read back as snapshot + suffix: short suffixes replay faster than a
  // snapshot costs to write, so small runs (most of them) finish without one.
  const std::uint64_t suffix = st.seq - snapshot_seq;
  if (suffix >= snapshot_every || (done && suffix > finished_suffix_max)) {
    batch.records.push_back(
        {space::snapshot, run_keys::snapshot(st.workspace, st.id), dump(runtime::to_snapshot(st))});
    snapshot_seq = st.seq;
  }
}

}  // namespace af::actors
