#pragma once
// What an event_log needs from a store: an ordered byte-key map that applies many batches in
// one atomic write. The group-commit writer (make_event_log) is the same for every store;
// RocksDB (rocksdb_log.hpp), a std::map (memory_log.hpp) and the fault injector
// (faulty_backend.hpp) implement this.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "storage/event_log.hpp"

namespace af::storage {

class backend {
 public:
  using scan_fn = std::function<bool(std::string_view key, std::string_view value)>;
  virtual ~backend() = default;

  // Applies every batch, in order, as ONE atomic write encoded with storage/keys.hpp: on error
  // nothing of any batch is applied. With `sync` the write is on stable storage (WAL synced)
  // when this returns ok. Batches were checked with keys::check_batch. Called by one thread
  // at a time (the writer); reads may run concurrently from other threads.
  virtual result<void> write(const std::vector<const write_batch*>& batches, bool sync) = 0;

  // The value stored under the raw `key`, or nullopt.
  virtual result<std::optional<std::string>> get(std::string_view key) = 0;

  // Calls `fn` for every raw key in [lower, upper) in key order until it returns false; an
  // empty `upper` means no upper bound.
  // `fn` may append to the log (it is not called under a lock the writer needs).
  virtual result<void> scan(std::string_view lower, std::string_view upper, const scan_fn& fn) = 0;

  // Moves what is buffered in memory (RocksDB's memtable) to files and waits; nothing to do
  // for stores that keep no such buffer.
  virtual result<void> flush() { return {}; }
};

// One group commit writes at most this many batches, or this many (estimated) bytes, so the
// latency of a write stays bounded; a single larger batch is written alone.
inline constexpr std::size_t max_group_batches = 4096;
inline constexpr std::size_t max_group_bytes = std::size_t{4} << 20;

// Writes the format meta record into an empty store, or checks the one found: an unknown
// version, or a non-empty store without one, is errc::failed_precondition with a message
// saying what was found. Uses a synced write.
result<void> ensure_format(backend& store);

// An event_log over `store` with the group-commit writer thread of this module: appends queue
// up while a write (and, with durability::sync, its WAL sync) is in progress and are then
// written together. The log owns the store and destroys it after its writer stopped. A `done`
// callback may call close() but must not destroy the log (its thread cannot join itself).
std::unique_ptr<event_log> make_event_log(std::unique_ptr<backend> store,
                                          durability mode = durability::sync);

}  // namespace af::storage
