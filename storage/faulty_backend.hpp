#pragma once
// A backend wrapper for crash-safety tests: fails chosen writes with errc::unavailable and can
// hold a write so that later appends pile up into the next group (deterministic grouping).
// Build a log over it with make_event_log(std::make_unique<faulty_backend>(...)), keeping a
// raw pointer to steer it. Thread-safe.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>

#include "storage/backend.hpp"

namespace af::storage {

class faulty_backend final : public backend {
 public:
  explicit faulty_backend(std::unique_ptr<backend> inner);

  // Fails the n-th write from now (1 = the next one) without reaching the inner store; with
  // `sticky`, every later write fails too. Replaces any earlier plan.
  void fail_write(std::uint64_t n, bool sticky = false);
  // Stops failing writes.
  void heal();

  // The next write blocks before it reaches the inner store until resume(). It gives up
  // waiting after 30 s so a broken test cannot hang the suite.
  void pause_next_write();
  // True once a write is blocked by pause_next_write(); false after `timeout`.
  bool wait_until_paused(std::chrono::milliseconds timeout);
  void resume();

  // Write calls seen so far, failed ones included.
  std::uint64_t writes() const;

  result<void> write(const std::vector<const write_batch*>& batches, bool sync) override;
  result<std::optional<std::string>> get(std::string_view key) override;
  result<void> scan(std::string_view lower, std::string_view upper, const scan_fn& fn) override;
  result<void> flush() override { return inner_->flush(); }

 private:
  std::unique_ptr<backend> inner_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::uint64_t writes_ = 0;
  std::uint64_t fail_at_ = 0;  // 0: no fault planned
  bool sticky_ = false;
  bool pause_armed_ = false;
  bool paused_ = false;
};

}  // namespace af::storage
