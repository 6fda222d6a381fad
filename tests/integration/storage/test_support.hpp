#pragma once
// Shared helpers of the storage tests: temp dirs, the two log factories the contract suite
// runs against, and small builders.

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "storage/event_log.hpp"
#include "storage/memory_log.hpp"
#include "storage/rocksdb_log.hpp"

// Records are compared as optionals; Boost.Test prints only the verdict for them.
BOOST_TEST_DONT_PRINT_LOG_VALUE(std::optional<std::string>)

namespace af::storage::test {

// A fresh folder under the system temp dir, removed with everything in it on destruction.
class temp_dir {
 public:
  temp_dir() {
    auto pattern = (std::filesystem::temp_directory_path() / "af-storage-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string sub(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// The two implementations of the contract. open() may be called again after the previous log
// was destroyed; only rocksdb keeps data across that.
struct memory_factory {
  static constexpr bool persistent = false;
  std::unique_ptr<event_log> open() { return make_memory_log(); }
};

struct rocksdb_factory {
  static constexpr bool persistent = true;
  temp_dir dir;
  std::unique_ptr<event_log> open(durability mode = durability::sync) {
    auto log = open_rocksdb_log({dir.sub("log"), mode, nullptr});
    BOOST_REQUIRE_MESSAGE(log.has_value(), (log ? "" : log.error().message));
    return std::move(*log);
  }
};

using factories = std::tuple<memory_factory, rocksdb_factory>;

inline event make_event(std::string stream, std::uint64_t seq, std::string type = "test.event",
                        millis time = 1'700'000'000'000, std::string data = R"({"x":1})") {
  return event{std::move(stream), seq, std::move(type), time, std::move(data)};
}

inline write_batch batch_of(std::vector<event> events, std::vector<record_write> records = {}) {
  write_batch b;
  b.events = std::move(events);
  b.records = std::move(records);
  return b;
}

inline std::vector<event> read_all(event_log& log, const std::string& stream,
                                   std::uint64_t from = 1) {
  std::vector<event> out;
  auto r = log.read_stream(stream, from, [&](const event& e) {
    out.push_back(e);
    return true;
  });
  BOOST_REQUIRE_MESSAGE(r.has_value(), (r ? "" : r.error().message));
  return out;
}

inline std::vector<event> scan_all(event_log& log, const std::string& prefix) {
  std::vector<event> out;
  auto r = log.scan_events(prefix, [&](const event& e) {
    out.push_back(e);
    return true;
  });
  BOOST_REQUIRE_MESSAGE(r.has_value(), (r ? "" : r.error().message));
  return out;
}

inline std::optional<std::string> get_record(event_log& log, space where, const std::string& key) {
  auto r = log.get(where, key);
  BOOST_REQUIRE_MESSAGE(r.has_value(), (r ? "" : r.error().message));
  return *r;
}

// Counts callbacks and lets a test wait for a number of them with a deadline.
class countdown {
 public:
  void hit() {
    std::lock_guard lock(mutex_);
    ++count_;
    changed_.notify_all();
  }
  bool wait_for(std::size_t n, std::chrono::seconds limit = std::chrono::seconds(30)) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, limit, [&] { return count_ >= n; });
  }
  std::size_t count() const {
    std::lock_guard lock(mutex_);
    return count_;
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::size_t count_ = 0;
};

}  // namespace af::storage::test
