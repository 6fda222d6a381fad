#include "storage/memory_log.hpp"

#include <cassert>
#include <mutex>
#include <utility>
#include <vector>

#include "storage/keys.hpp"

namespace af::storage {

result<void> memory_backend::write(const std::vector<const write_batch*>& batches, bool) {
  std::string key, value;
  std::unique_lock lock(mutex_);
  for (const auto* batch : batches) {
    for (const auto& e : batch->events) {
      key.clear();
      value.clear();
      keys::append_event_key(key, e.stream, e.seq);
      keys::append_event_value(value, e);
      map_.insert_or_assign(key, value);
    }
    for (const auto& r : batch->records) {
      auto k = keys::record_key(r.where, r.key);
      if (r.value) {
        map_.insert_or_assign(std::move(k), *r.value);
      } else if (auto it = map_.find(k); it != map_.end()) {
        map_.erase(it);
      }
    }
  }
  return ok();
}

result<std::optional<std::string>> memory_backend::get(std::string_view key) {
  std::shared_lock lock(mutex_);
  auto it = map_.find(key);
  if (it == map_.end()) return std::optional<std::string>{};
  return std::optional<std::string>{it->second};
}

result<void> memory_backend::scan(std::string_view lower, std::string_view upper,
                                  const scan_fn& fn) {
  constexpr std::size_t chunk_size = 256;
  std::string cursor(lower);
  std::vector<std::pair<std::string, std::string>> chunk;
  for (;;) {
    chunk.clear();
    {
      std::shared_lock lock(mutex_);
      for (auto it = map_.lower_bound(cursor); it != map_.end() && chunk.size() < chunk_size;
           ++it) {
        if (!upper.empty() && std::string_view(it->first) >= upper) break;
        chunk.emplace_back(it->first, it->second);
      }
    }
    for (const auto& [k, v] : chunk) {
      if (!fn(k, v)) return ok();
    }
    if (chunk.size() < chunk_size) return ok();
    cursor = chunk.back().first;
    cursor += '\0';  // the smallest key after the last one seen
  }
}

void memory_backend::put_raw(std::string key, std::string value) {
  std::unique_lock lock(mutex_);
  map_.insert_or_assign(std::move(key), std::move(value));
}

std::unique_ptr<event_log> make_memory_log() {
  auto store = std::make_unique<memory_backend>();
  [[maybe_unused]] auto formatted = ensure_format(*store);
  assert(formatted.has_value());  // an empty map cannot fail
  return make_event_log(std::move(store), durability::sync);
}

}  // namespace af::storage
