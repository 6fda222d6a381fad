#pragma once
// Where runs live in the log besides their event streams (docs/storage-format.md): the run
// index for listing, the open-run index for recovery, failures, idempotency keys, and
// snapshots (a run's whole state as of a seq, written every `snapshot_every` events and when a
// run finishes with more than `finished_suffix_max` events since the last one, so that reads
// and restarts never replay a long stream).
// CAF-free: used by run actors to decorate their batches, and by the client and recovery to
// read on their own threads.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "actors/requests.hpp"
#include "base/result.hpp"
#include "runtime/run.hpp"
#include "storage/event_log.hpp"

namespace af::actors {

inline constexpr std::uint64_t snapshot_every = 256;
inline constexpr std::uint64_t finished_suffix_max = 32;
inline constexpr millis idempotency_window = 24LL * 3600 * 1000;

namespace run_keys {
std::string index(std::string_view ws, millis created_at, std::string_view id);  // "run/..."
std::string by_workflow(std::string_view ws, std::string_view wf, millis created_at,
                        std::string_view id);
std::string open(std::string_view ws, std::string_view id);
std::string failed(std::string_view ws, millis created_at, std::string_view id);
std::string idempotency(std::string_view ws, std::string_view wf, std::string_view key);
std::string snapshot(std::string_view ws, std::string_view id);
// Finished live runs by workflow and finish time, value the status: metrics and auto-pause.
std::string done(std::string_view ws, std::string_view wf, millis finished_at, std::string_view id);
}  // namespace run_keys

// A run's current state: its snapshot plus the events after it. nullopt: no such run.
result<std::optional<runtime::run_state>> load_run(storage::event_log& log, std::string_view ws,
                                                   std::string_view id);

// An idempotency record {run_id, hash, at}, when one is stored.
struct idempotency_record {
  std::string run_id;
  std::string hash;
  millis at = 0;
};
result<std::optional<idempotency_record>> load_idempotency(storage::event_log& log,
                                                           std::string_view ws, std::string_view wf,
                                                           std::string_view key);
std::string encode_idempotency(const idempotency_record& r);

// Lists for the API; `public_url` for web_url.
result<page_reply> list_runs(storage::event_log& log, const run_list& q);
result<page_reply> list_failures(storage::event_log& log, const failure_list& q,
                                 std::string_view public_url);
result<page_reply> run_history(storage::event_log& log, const run_history_get& q);
page_reply items_page(const runtime::run_state& st, const run_items_get& q);

// Every unfinished run, rebuilt (replay at start).
struct open_runs {
  std::vector<runtime::run_state> runs;
  std::uint64_t events = 0;
};
// `workflow` ("<ws>/<workflow id>"): only that workflow's runs (a crashed supervisor's).
result<open_runs> recover_open_runs(storage::event_log& log,
                                    std::optional<std::string> workflow = std::nullopt);

// Per-workflow metrics from the run index (live runs only), keyed "<ws>/<workflow id>", with
// the trailing count of consecutive failed live runs.
struct workflow_run_stats {
  std::int64_t run_count = 0, success_count = 0, failure_count = 0, runs_7d = 0;
  std::optional<millis> last_run_at;
  std::string last_run_status;
  int consecutive_failures = 0;
  std::vector<millis> trailing_failures;  // finish times of the failed runs since the last success
};
// `prefix` narrows the scan ("done/<ws>/<workflow>/" for one workflow).
result<std::vector<std::pair<std::string, workflow_run_stats>>> scan_run_stats(
    storage::event_log& log, millis now, std::string_view prefix = "done/");

// Adds the records that go with `events` of run `st` (already applied) to `batch`:
// index entries on creation and status change, the open-run marker, idempotency, failure
// and metrics entries when it finishes, and a snapshot every snapshot_every events (or at the
// finish, past finished_suffix_max). `shown_status` is the status the index last showed and
// `snapshot_seq` the seq of the last snapshot (both updated).
void decorate_batch(storage::write_batch& batch, const runtime::run_state& st,
                    std::string_view public_url, bool created, std::string& shown_status,
                    std::uint64_t& snapshot_seq);
}  // namespace af::actors
