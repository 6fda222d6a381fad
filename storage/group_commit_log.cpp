// The event_log over any backend: one writer thread turns every queued batch into one storage
// write (one WAL sync), then answers the batches in submission order.
//
// Why one thread: RocksDB's own write grouping only reached ~13k synced writes/s here
// (shared/notes/dependencies.md §5); draining a queue into one WriteBatch per sync lets 64
// appenders share each 0.2-0.3 ms fsync. While the writer is inside write() new appends queue
// up, which is exactly what forms the next group.

#include <atomic>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>

#include "base/log.hpp"
#include "storage/backend.hpp"
#include "storage/keys.hpp"

namespace af::storage {
namespace {

class group_commit_log final : public event_log {
 public:
  group_commit_log(std::unique_ptr<backend> store, durability mode)
      : store_(std::move(store)), sync_(mode == durability::sync) {
    writer_ = std::thread([this] { run(); });
  }

  ~group_commit_log() override { close(); }

  void append(write_batch batch, done_fn done) override {
    pending p;
    if (auto checked = keys::check_batch(batch); !checked) p.rejected = std::move(checked).error();
    p.bytes = keys::estimated_bytes(batch);
    p.batch = std::move(batch);
    p.done = std::move(done);
    {
      std::lock_guard lock(mutex_);
      if (!closing_) {
        queue_.push_back(std::move(p));
        queued_bytes_ += queue_.back().bytes;
        if (writer_waiting_) wake_.notify_one();
        return;
      }
    }
    // Closed: the writer may be gone, so the refusal is answered on the caller's thread.
    failed_.fetch_add(1, std::memory_order_relaxed);
    answer(p.done, error{errc::unavailable, "the event log is closed"});
  }

  result<void> read_stream(std::string_view stream, std::uint64_t from_seq,
                           const std::function<bool(const event&)>& fn) override {
    if (auto r = keys::check_stream(stream); !r) return r;
    return scan_decoded(keys::event_key(stream, from_seq), keys::stream_end(stream), fn);
  }

  result<void> scan_events(std::string_view stream_prefix,
                           const std::function<bool(const event&)>& fn) override {
    if (stream_prefix.find('\0') != std::string_view::npos) {
      return error{errc::invalid_argument, "stream prefix contains a NUL byte"};
    }
    auto lower = keys::event_prefix_key(stream_prefix);
    return scan_decoded(lower, *keys::prefix_end(lower), fn);
  }

  result<std::optional<std::string>> get(space where, std::string_view key) override {
    if (!keys::known_space(where)) return error{errc::invalid_argument, "unknown record space"};
    return store_->get(keys::record_key(where, key));
  }

  result<void> scan(space where, std::string_view prefix,
                    const std::function<bool(std::string_view, std::string_view)>& fn,
                    std::string_view after) override {
    if (!keys::known_space(where)) return error{errc::invalid_argument, "unknown record space"};
    auto lower = keys::record_key(where, prefix);
    const auto upper = *keys::prefix_end(lower);
    if (!after.empty() && after.substr(0, prefix.size()) == prefix) {
      lower = keys::record_key(where, after);
      lower.push_back('\0');  // the smallest key greater than `after`
    }
    return store_->scan(lower, upper, [&](std::string_view key, std::string_view value) {
      return fn(key.substr(1), value);
    });
  }

  void close() override {
    std::lock_guard close_lock(close_mutex_);
    {
      std::lock_guard lock(mutex_);
      closing_ = true;
      wake_.notify_one();
    }
    // A done callback that closes the log must not join its own thread; the destructor,
    // running elsewhere, joins later.
    if (writer_.joinable() && writer_.get_id() != std::this_thread::get_id()) writer_.join();
  }

  result<void> flush() override { return store_->flush(); }

  log_stats stats() const override {
    log_stats s;
    s.appends = appends_.load(std::memory_order_relaxed);
    s.events = events_.load(std::memory_order_relaxed);
    s.writes = writes_.load(std::memory_order_relaxed);
    s.failed = failed_.load(std::memory_order_relaxed);
    s.failed_writes = failed_writes_.load(std::memory_order_relaxed);
    return s;
  }

 private:
  struct pending {
    write_batch batch;
    done_fn done;
    std::optional<error> rejected;  // failed keys::check_batch: answered, never written
    std::size_t bytes = 0;
  };

  result<void> scan_decoded(std::string_view lower, std::string_view upper,
                            const std::function<bool(const event&)>& fn) {
    event e;
    result<void> decoded;
    auto scanned = store_->scan(lower, upper, [&](std::string_view key, std::string_view value) {
      decoded = keys::decode_event(key, value, e);
      return decoded.has_value() && fn(e);
    });
    if (!scanned) return scanned;
    return decoded;
  }

  static void answer(done_fn& done, result<void> r) {
    if (!done) return;
    try {
      done(std::move(r));
    } catch (const std::exception& ex) {
      logger("storage")->error("an append callback threw: {}", ex.what());
    } catch (...) {
      logger("storage")->error("an append callback threw");
    }
  }

  // Moves the next group out of the queue: everything when it fits the caps (the usual case,
  // a swap that keeps both vectors' capacity), else a prefix of it.
  void take(std::vector<pending>& group) {
    if (queue_.size() <= max_group_batches && queued_bytes_ <= max_group_bytes) {
      group.swap(queue_);
      queued_bytes_ = 0;
      return;
    }
    std::size_t n = 0, bytes = 0;
    while (n < queue_.size() && n < max_group_batches &&
           (n == 0 || bytes + queue_[n].bytes <= max_group_bytes)) {
      bytes += queue_[n].bytes;
      ++n;
    }
    group.assign(std::make_move_iterator(queue_.begin()),
                 std::make_move_iterator(queue_.begin() + static_cast<std::ptrdiff_t>(n)));
    queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
    queued_bytes_ -= bytes;
  }

  void run() {
    std::vector<pending> group;
    std::vector<const write_batch*> batches;
    for (;;) {
      {
        std::unique_lock lock(mutex_);
        writer_waiting_ = true;
        wake_.wait(lock, [this] { return !queue_.empty() || closing_; });
        writer_waiting_ = false;
        if (queue_.empty()) return;  // closing, and everything queued was answered
        take(group);
      }
      commit(group, batches);
      group.clear();  // destroys the batches outside the lock
    }
  }

  void commit(std::vector<pending>& group, std::vector<const write_batch*>& batches) {
    batches.clear();
    for (const auto& p : group) {
      if (!p.rejected && !p.batch.empty()) batches.push_back(&p.batch);
    }
    result<void> written;
    if (!batches.empty()) {
      writes_.fetch_add(1, std::memory_order_relaxed);
      written = store_->write(batches, sync_);
      if (!written) {
        failed_writes_.fetch_add(1, std::memory_order_relaxed);
        const auto& e = written.error();
        logger("storage")->error("log write of {} batches failed ({}): {}", batches.size(),
                                 to_string(e.code), e.message);
        json details = json::array();
        details.push_back({{"storage_code", to_string(e.code)}});
        written = error{errc::unavailable, "the event log could not be written: " + e.message,
                        std::move(details)};
      }
    }
    for (auto& p : group) {
      if (p.rejected) {
        failed_.fetch_add(1, std::memory_order_relaxed);
        answer(p.done, std::move(*p.rejected));
      } else if (!written) {
        failed_.fetch_add(1, std::memory_order_relaxed);
        answer(p.done, written);
      } else {
        appends_.fetch_add(1, std::memory_order_relaxed);
        events_.fetch_add(p.batch.events.size(), std::memory_order_relaxed);
        answer(p.done, ok());
      }
    }
  }

  std::unique_ptr<backend> store_;
  const bool sync_;

  std::mutex mutex_;  // guards the queue and the flags below
  std::condition_variable wake_;
  std::vector<pending> queue_;
  std::size_t queued_bytes_ = 0;
  bool closing_ = false;
  bool writer_waiting_ = false;

  std::mutex close_mutex_;  // makes concurrent close() calls join once
  std::thread writer_;

  std::atomic<std::uint64_t> appends_{0}, events_{0}, writes_{0}, failed_{0}, failed_writes_{0};
};

}  // namespace

std::unique_ptr<event_log> make_event_log(std::unique_ptr<backend> store, durability mode) {
  return std::make_unique<group_commit_log>(std::move(store), mode);
}

}  // namespace af::storage
