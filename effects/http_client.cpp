#include "effects/http_client.hpp"

#include <curl/curl.h>

#include <atomic>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "base/log.hpp"
#include "effects/transfer.hpp"

namespace af::effects {
namespace {

using detail::transfer;

// Idle easy handles kept for reuse; more are cleaned up when their transfer ends.
constexpr std::size_t easy_pool_size = 64;
// Upper bound of one curl_multi_poll; libcurl shortens it to its own next timeout.
constexpr int poll_ceiling_ms = 1000;

void global_init_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

error stopping_error() {
  return error{errc::unavailable, "stopping"};
}

}  // namespace

struct http_client::impl {
  explicit impl(options o);
  ~impl();

  void run();
  bool take_queued(std::vector<std::unique_ptr<transfer>>& out);
  bool has_queued();
  void start(std::unique_ptr<transfer> t);
  bool reap();
  void shut_down();
  void deliver(transfer& t, result<http_response> r);
  CURL* acquire_easy();
  void release_easy(CURL* easy);

  const options options_;
  CURLM* multi_ = nullptr;
  std::atomic<std::size_t> in_flight_{0};

  std::mutex mu_;
  std::deque<std::unique_ptr<transfer>> queue_;  // guarded by mu_
  bool stopping_ = false;                        // guarded by mu_
  bool wake_sent_ = false;                       // guarded by mu_

  // Touched by the loop thread only.
  std::unordered_map<CURL*, std::unique_ptr<transfer>> active_;
  std::vector<CURL*> idle_easies_;

  std::mutex join_mu_;  // serialises concurrent stop() calls
  std::thread thread_;
};

http_client::impl::impl(options o) : options_(o) {
  global_init_once();
  multi_ = curl_multi_init();
  if (!multi_) throw std::runtime_error("curl_multi_init failed");
  if (options_.max_host_connections > 0)
    curl_multi_setopt(multi_, CURLMOPT_MAX_HOST_CONNECTIONS,
                      static_cast<long>(options_.max_host_connections));
  thread_ = std::thread([this] { run(); });
}

http_client::impl::~impl() {
  // The loop thread is joined (stop() ran) and has removed and cleaned every easy handle.
  curl_multi_cleanup(multi_);
}

void http_client::impl::run() {
  std::vector<std::unique_ptr<transfer>> starting;
  for (;;) {
    if (!take_queued(starting)) break;
    for (auto& t : starting) start(std::move(t));
    starting.clear();
    int running = 0;
    if (auto rc = curl_multi_perform(multi_, &running); rc != CURLM_OK)
      SPDLOG_LOGGER_ERROR(logger("effects"), "curl_multi_perform: {}", curl_multi_strerror(rc));
    // Finished calls free slots: start queued ones now rather than after the next poll.
    if (reap() && has_queued()) continue;
    if (auto rc = curl_multi_poll(multi_, nullptr, 0, poll_ceiling_ms, nullptr); rc != CURLM_OK)
      SPDLOG_LOGGER_ERROR(logger("effects"), "curl_multi_poll: {}", curl_multi_strerror(rc));
  }
  shut_down();
}

// Moves as many queued calls as there are free slots into `out`; false once stopping.
bool http_client::impl::take_queued(std::vector<std::unique_ptr<transfer>>& out) {
  const std::size_t cap = std::max<std::size_t>(options_.max_in_flight, 1);
  std::lock_guard lock(mu_);
  wake_sent_ = false;
  if (stopping_) return false;
  while (active_.size() + out.size() < cap && !queue_.empty()) {
    out.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  return true;
}

bool http_client::impl::has_queued() {
  std::lock_guard lock(mu_);
  return !queue_.empty();
}

void http_client::impl::start(std::unique_ptr<transfer> t) {
  if (auto r = detail::validate(t->request); !r) return deliver(*t, std::move(r).error());
  CURL* easy = acquire_easy();
  if (!easy) return deliver(*t, error{errc::internal, "curl_easy_init failed"});
  if (auto r = detail::configure(easy, *t); !r) {
    release_easy(easy);
    return deliver(*t, std::move(r).error());
  }
  if (auto rc = curl_multi_add_handle(multi_, easy); rc != CURLM_OK) {
    release_easy(easy);
    return deliver(*t, error{errc::internal, std::string("curl_multi_add_handle: ") +
                                                 curl_multi_strerror(rc)});
  }
  active_.emplace(easy, std::move(t));
}

// Delivers every finished transfer; true when at least one finished.
bool http_client::impl::reap() {
  bool any = false;
  int left = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi_, &left)) {
    if (msg->msg != CURLMSG_DONE) continue;
    // `msg` dies with curl_multi_remove_handle: copy what it says first.
    CURL* easy = msg->easy_handle;
    CURLcode code = msg->data.result;
    auto it = active_.find(easy);
    if (it == active_.end()) continue;  // not ours: cannot happen, never crash on it
    auto t = std::move(it->second);
    active_.erase(it);
    curl_multi_remove_handle(multi_, easy);
    auto outcome = detail::conclude(easy, *t, code);
    release_easy(easy);
    deliver(*t, std::move(outcome));
    any = true;
  }
  return any;
}

void http_client::impl::shut_down() {
  std::deque<std::unique_ptr<transfer>> queued;
  {
    std::lock_guard lock(mu_);
    queued.swap(queue_);
  }
  for (auto& [easy, t] : active_) {
    curl_multi_remove_handle(multi_, easy);
    curl_easy_cleanup(easy);
    deliver(*t, stopping_error());
  }
  active_.clear();
  for (auto& t : queued) deliver(*t, stopping_error());
  for (CURL* easy : idle_easies_) curl_easy_cleanup(easy);
  idle_easies_.clear();
}

void http_client::impl::deliver(transfer& t, result<http_response> r) {
  in_flight_.fetch_sub(1, std::memory_order_relaxed);
  auto done = std::move(t.done);
  try {
    done(std::move(r));
  } catch (const std::exception& e) {
    // A throwing callback must not take the loop (and every other call) down with it.
    SPDLOG_LOGGER_ERROR(logger("effects"), "http_done threw: {}", e.what());
  } catch (...) {
    SPDLOG_LOGGER_ERROR(logger("effects"), "http_done threw a non-exception");
  }
}

CURL* http_client::impl::acquire_easy() {
  if (idle_easies_.empty()) return curl_easy_init();
  CURL* easy = idle_easies_.back();
  idle_easies_.pop_back();
  return easy;
}

void http_client::impl::release_easy(CURL* easy) {
  if (idle_easies_.size() >= easy_pool_size) return curl_easy_cleanup(easy);
  curl_easy_reset(easy);  // no pointer into a finished transfer survives in an idle handle
  idle_easies_.push_back(easy);
}

http_client::http_client(options o) : impl_(std::make_unique<impl>(o)) {}

http_client::~http_client() {
  stop();
}

void http_client::submit(http_request req, http_done done) {
  auto t = std::make_unique<transfer>(std::move(req), std::move(done));
  {
    std::lock_guard lock(impl_->mu_);
    if (!impl_->stopping_) {
      impl_->in_flight_.fetch_add(1, std::memory_order_relaxed);
      impl_->queue_.push_back(std::move(t));
      // Woken under the lock: stop() cannot clean the multi handle up in between.
      if (!impl_->wake_sent_) {
        impl_->wake_sent_ = true;
        curl_multi_wakeup(impl_->multi_);
      }
      return;
    }
  }
  auto callback = std::move(t->done);
  callback(stopping_error());
}

void http_client::stop() {
  std::lock_guard join_lock(impl_->join_mu_);
  {
    std::lock_guard lock(impl_->mu_);
    if (!impl_->stopping_) {
      impl_->stopping_ = true;
      curl_multi_wakeup(impl_->multi_);
    }
  }
  if (impl_->thread_.joinable()) impl_->thread_.join();
}

std::size_t http_client::in_flight() const {
  return impl_->in_flight_.load(std::memory_order_relaxed);
}

}  // namespace af::effects
