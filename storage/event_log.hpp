#pragma once
// The event log contract: every state change of a workflow or run is an event appended here
// before anyone outside the node hears of it.
//
// A log holds *streams* (one per workflow or run, named e.g. "wf/default/lead-enrichment"),
// each a sequence of events numbered 1, 2, ... by the stream's owner, plus small keyed records
// in a few *spaces* (snapshots, indexes, node metadata) written in the same atomic batch as
// the events they belong to. Key layout and encoding: storage/keys.hpp, docs/storage-format.md.
//
// Appends are group-committed: a writer thread drains every queued batch into one storage
// write and, with durability::sync, one WAL sync; each appender's callback runs only after
// that write (and sync) completed. A failed write fails every batch in it and applies none.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.hpp"
#include "base/result.hpp"

namespace af::storage {

enum class durability { sync, async };

struct event {
  std::string stream;     // owner's stream name; no '\0', at most 256 bytes
  std::uint64_t seq = 0;  // 1-based position in the stream
  std::string type;       // "workflow.published", "run.created", ...
  millis time = 0;        // when the owner decided it
  std::string data;       // compact JSON
};

// Secondary records live in spaces; a byte value per space is part of the storage format.
enum class space : char {
  meta = 'm',      // node-wide facts: node id, cursor secret, format version
  snapshot = 's',  // a stream's state as of a seq, so replay reads only the suffix
  index = 'i',     // lookups that replay should not have to rebuild (later: runs by workflow)
};

struct record_write {
  space where = space::meta;
  std::string key;
  std::optional<std::string> value;  // nullopt deletes the key
};

// Everything in one batch becomes durable together or not at all.
struct write_batch {
  std::vector<event> events;
  std::vector<record_write> records;
  bool empty() const { return events.empty() && records.empty(); }
};

struct log_stats {
  std::uint64_t appends = 0;  // batches acknowledged
  std::uint64_t events = 0;   // events acknowledged
  std::uint64_t writes = 0;   // storage writes (group commits) attempted
  std::uint64_t failed = 0;   // batches answered with an error (write failed, invalid, closed)
  std::uint64_t failed_writes = 0;  // storage writes that failed
};

class event_log {
 public:
  using done_fn = std::function<void(result<void>)>;
  virtual ~event_log() = default;

  // Queues `batch` and returns at once. `done` runs exactly once, on the writer thread, after
  // the batch is durable (ok) or definitely not applied (error: errc::unavailable for a
  // failed write, errc::unavailable after close()). Batches are applied in the order append()
  // was called. `done` must be quick: send a message, fulfil a promise. Thread-safe.
  // A batch that breaks keys::check_batch (empty or over-long stream name, a NUL in it, seq 0,
  // a type over 255 bytes, the reserved meta record "format") is not written and gets
  // errc::invalid_argument, in order. After close() `done` runs on the calling thread.
  virtual void append(write_batch batch, done_fn done) = 0;

  // append() and block until done. Never call from an actor scheduler thread, nor from a
  // `done` callback (the writer would wait for itself).
  result<void> append_and_wait(write_batch batch);

  // Calls `fn` for each event of `stream` with seq >= from_seq, in seq order, until it
  // returns false.
  virtual result<void> read_stream(std::string_view stream, std::uint64_t from_seq,
                                   const std::function<bool(const event&)>& fn) = 0;

  // Calls `fn` for each event of every stream whose name starts with `stream_prefix`,
  // ordered by (stream name, seq). Used by replay. The prefix is a plain byte prefix: "wf/a"
  // also matches "wf/ab/x"; end it with '/' to select one workspace ("wf/default/").
  // Reads (this and the ones below) are thread-safe and may run while appends are written;
  // a stored event that cannot be decoded is errc::corruption.
  virtual result<void> scan_events(std::string_view stream_prefix,
                                   const std::function<bool(const event&)>& fn) = 0;

  virtual result<std::optional<std::string>> get(space where, std::string_view key) = 0;

  // Calls `fn(key, value)` for each record of `where` whose key starts with `prefix`, in key
  // order, until it returns false. With `after` (a key starting with `prefix`), the scan starts
  // strictly after that key: list pages seek instead of re-reading what came before.
  virtual result<void> scan(
      space where, std::string_view prefix,
      const std::function<bool(std::string_view key, std::string_view value)>& fn,
      std::string_view after = {}) = 0;

  // Stops accepting appends, finishes every queued one, stops the writer. Idempotent.
  virtual void close() = 0;

  virtual log_stats stats() const = 0;

  // Writes the storage's in-memory buffers to files and releases them (RocksDB memtables):
  // for memory measurements and operators; durability does not depend on it.
  virtual result<void> flush() = 0;
};

}  // namespace af::storage
