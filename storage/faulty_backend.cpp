#include "storage/faulty_backend.hpp"

#include <string>

namespace af::storage {

faulty_backend::faulty_backend(std::unique_ptr<backend> inner) : inner_(std::move(inner)) {}

void faulty_backend::fail_write(std::uint64_t n, bool sticky) {
  std::lock_guard lock(mutex_);
  fail_at_ = n == 0 ? 0 : writes_ + n;
  sticky_ = sticky;
}

void faulty_backend::heal() {
  std::lock_guard lock(mutex_);
  fail_at_ = 0;
  sticky_ = false;
}

void faulty_backend::pause_next_write() {
  std::lock_guard lock(mutex_);
  pause_armed_ = true;
}

bool faulty_backend::wait_until_paused(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [this] { return paused_; });
}

void faulty_backend::resume() {
  std::lock_guard lock(mutex_);
  pause_armed_ = false;
  paused_ = false;
  changed_.notify_all();
}

std::uint64_t faulty_backend::writes() const {
  std::lock_guard lock(mutex_);
  return writes_;
}

result<void> faulty_backend::write(const std::vector<const write_batch*>& batches, bool sync) {
  bool fail = false;
  std::uint64_t n = 0;
  {
    std::unique_lock lock(mutex_);
    n = ++writes_;
    if (pause_armed_) {
      pause_armed_ = false;
      paused_ = true;
      changed_.notify_all();
      changed_.wait_for(lock, std::chrono::seconds(30), [this] { return !paused_; });
      paused_ = false;
    }
    fail = fail_at_ != 0 && (n == fail_at_ || (sticky_ && n > fail_at_));
  }
  if (fail) return error{errc::unavailable, "injected fault on write " + std::to_string(n)};
  return inner_->write(batches, sync);
}

result<std::optional<std::string>> faulty_backend::get(std::string_view key) {
  return inner_->get(key);
}

result<void> faulty_backend::scan(std::string_view lower, std::string_view upper,
                                  const scan_fn& fn) {
  return inner_->scan(lower, upper, fn);
}

}  // namespace af::storage
