#include "actors/recovery.hpp"

#include <algorithm>

#include "actors/run_store.hpp"
#include "storage/streams.hpp"

namespace af::actors {
namespace {

// Applies one stored event to `st`, checking that the stream has no gap.
result<void> replay_one(runtime::workflow_state& st, const storage::event& ev) {
  if (ev.seq != st.seq + 1)
    return error(errc::corruption, "stream " + ev.stream + ": expected seq " +
                                       std::to_string(st.seq + 1) + ", found " +
                                       std::to_string(ev.seq));
  auto data = parse_json(ev.data, json_parse_options{1024});
  if (!data)
    return error(errc::corruption, "stream " + ev.stream + " seq " + std::to_string(ev.seq) + ": " +
                                       data.error().message);
  if (auto r = runtime::apply(st, runtime::workflow_event{ev.type, std::move(*data)}, ev.time); !r)
    return r;
  st.seq = ev.seq;
  return ok();
}

// Metrics of §2/§9 from the `done/` index; only failures after the last pause or resume
// count toward auto-pause (a resumed workflow starts a new streak).
void fill_metrics(const std::string& workspace, runtime::workflow_state& state,
                  const std::vector<std::pair<std::string, workflow_run_stats>>& stats) {
  const std::string key = workspace + "/" + state.id;
  auto it = std::lower_bound(stats.begin(), stats.end(), key,
                             [](const auto& e, const std::string& k) { return e.first < k; });
  if (it == stats.end() || it->first != key) return;
  auto& m = state.metrics;
  m.run_count = it->second.run_count;
  m.success_count = it->second.success_count;
  m.failure_count = it->second.failure_count;
  m.runs_7d = it->second.runs_7d;
  m.last_run_at = it->second.last_run_at;
  m.last_run_status = it->second.last_run_status;
  const millis reset = state.streak_reset_at;
  m.consecutive_failures = static_cast<int>(std::count_if(it->second.trailing_failures.begin(),
                                                          it->second.trailing_failures.end(),
                                                          [reset](millis t) { return t > reset; }));
}

}  // namespace

result<recovery_report> recover_workflows(storage::event_log& log, millis now) {
  recovery_report report;
  std::string current_stream;
  std::optional<error> failure;
  auto scanned = log.scan_events(storage::workflow_stream_prefix, [&](const storage::event& ev) {
    if (ev.stream != current_stream) {
      current_stream = ev.stream;
      // "wf/<workspace>/<id>"
      auto rest = std::string_view(ev.stream).substr(storage::workflow_stream_prefix.size());
      auto slash = rest.find('/');
      if (slash == std::string_view::npos) {
        failure = error(errc::corruption, "malformed workflow stream name " + ev.stream);
        return false;
      }
      recovered_workflow wf;
      wf.workspace = std::string(rest.substr(0, slash));
      wf.state.id = std::string(rest.substr(slash + 1));
      report.workflows.push_back(std::move(wf));
    }
    if (auto r = replay_one(report.workflows.back().state, ev); !r) {
      failure = r.error();
      return false;
    }
    ++report.events;
    return true;
  });
  if (!scanned) return scanned.error();
  if (failure) return *failure;
  auto stats = scan_run_stats(log, now);
  if (!stats) return stats.error();
  for (auto& wf : report.workflows) fill_metrics(wf.workspace, wf.state, *stats);
  auto open = recover_open_runs(log);
  if (!open) return open.error();
  report.events += open->events;
  report.runs = std::move(open->runs);
  return report;
}

result<recovered_supervisor> recover_supervisor(storage::event_log& log,
                                                const std::string& workspace, const std::string& id,
                                                millis now) {
  recovered_supervisor out;
  auto wf = recover_workflow(log, workspace, id);
  if (!wf) return wf.error();
  out.state = std::move(*wf);
  auto stats = scan_run_stats(log, now, "done/" + workspace + "/" + id + "/");
  if (!stats) return stats.error();
  fill_metrics(workspace, out.state, *stats);
  auto open = recover_open_runs(log, workspace + "/" + id);
  if (!open) return open.error();
  out.runs = std::move(open->runs);
  return out;
}

result<runtime::workflow_state> recover_workflow(storage::event_log& log,
                                                 const std::string& workspace,
                                                 const std::string& id) {
  runtime::workflow_state st;
  st.id = id;
  std::optional<error> failure;
  auto read =
      log.read_stream(storage::workflow_stream(workspace, id), 1, [&](const storage::event& ev) {
        if (auto r = replay_one(st, ev); !r) {
          failure = r.error();
          return false;
        }
        return true;
      });
  if (!read) return read.error();
  if (failure) return *failure;
  return st;
}

}  // namespace af::actors
