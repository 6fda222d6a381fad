#pragma once
// The in-memory twin of the RocksDB log: the same group-commit writer and key encoding over a
// std::map, for tests that need a log but no disk. Not durable; durability is ignored.

#include <map>
#include <memory>
#include <shared_mutex>
#include <string>

#include "storage/backend.hpp"

namespace af::storage {

// An ordered map behind a reader-writer lock. Thread-safe.
class memory_backend final : public backend {
 public:
  result<void> write(const std::vector<const write_batch*>& batches, bool sync) override;
  result<std::optional<std::string>> get(std::string_view key) override;
  // Copies the range out in small chunks and calls `fn` without holding the lock, so `fn`
  // may append (and wait) without deadlocking the writer.
  result<void> scan(std::string_view lower, std::string_view upper, const scan_fn& fn) override;

  // Test hook: stores raw bytes under a raw key, bypassing the encoding (to plant garbage).
  void put_raw(std::string key, std::string value);

 private:
  mutable std::shared_mutex mutex_;
  std::map<std::string, std::string, std::less<>> map_;
};

// A fresh, empty memory log (format record written) with the group-commit writer.
std::unique_ptr<event_log> make_memory_log();

}  // namespace af::storage
