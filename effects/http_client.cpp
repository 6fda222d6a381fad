#include "effects/http_client.hpp"

#include <curl/curl.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <vector>

#include "base/log.hpp"
#include "effects/transfer.hpp"

// The loop uses libcurl's socket interface (curl_multi_socket_action) over its own epoll set
// rather than curl_multi_perform + curl_multi_poll: in libcurl 7.88 every perform call visits
// every transfer (a poll() each), so with thousands in flight each wake-up costs O(n) and the
// loop O(n^2). Here a wake-up costs O(ready sockets). An eventfd in the same epoll set wakes
// the loop on submit/stop (curl_multi_wakeup only interrupts curl_multi_poll).

namespace af::effects {
namespace {

using detail::transfer;
using clock_type = std::chrono::steady_clock;

constexpr std::size_t easy_pool_size = 64;  // idle easy handles kept for reuse
constexpr int wait_ceiling_ms = 1000;       // longest epoll_wait, whatever libcurl's timer says
constexpr int max_events = 256;

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
  void start(std::unique_ptr<transfer> t);
  int wait_ms() const;
  void dispatch(const epoll_event& ev);
  void reap();
  void shut_down();
  void deliver(transfer& t, result<http_response> r);
  void wake();  // called with mu_ held
  CURL* acquire_easy();
  void release_easy(CURL* easy);

  static int on_socket(CURL* easy, curl_socket_t s, int what, void* self, void* socket_data);
  static int on_timer(CURLM* multi, long timeout_ms, void* self);

  const options options_;
  CURLM* multi_ = nullptr;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  std::atomic<std::size_t> in_flight_{0};

  std::mutex mu_;
  std::deque<std::unique_ptr<transfer>> queue_;  // guarded by mu_
  bool stopping_ = false;                        // guarded by mu_
  bool wake_sent_ = false;                       // guarded by mu_

  // Touched by the loop thread only (libcurl calls on_socket/on_timer on it too).
  std::unordered_map<CURL*, std::unique_ptr<transfer>> active_;
  std::vector<CURL*> idle_easies_;
  std::optional<clock_type::time_point> timer_;  // when libcurl wants CURL_SOCKET_TIMEOUT

  std::mutex join_mu_;  // serialises concurrent stop() calls
  std::thread thread_;
};

http_client::impl::impl(options o) : options_(o) {
  global_init_once();
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  multi_ = curl_multi_init();
  if (epoll_fd_ < 0 || wake_fd_ < 0 || !multi_) {
    if (multi_) curl_multi_cleanup(multi_);
    if (epoll_fd_ >= 0) ::close(epoll_fd_);
    if (wake_fd_ >= 0) ::close(wake_fd_);
    throw std::runtime_error("effects: cannot create the curl loop (epoll, eventfd or multi)");
  }
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = wake_fd_;
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev);
  curl_multi_setopt(multi_, CURLMOPT_SOCKETFUNCTION, &impl::on_socket);
  curl_multi_setopt(multi_, CURLMOPT_SOCKETDATA, this);
  curl_multi_setopt(multi_, CURLMOPT_TIMERFUNCTION, &impl::on_timer);
  curl_multi_setopt(multi_, CURLMOPT_TIMERDATA, this);
  if (options_.max_host_connections > 0)
    curl_multi_setopt(multi_, CURLMOPT_MAX_HOST_CONNECTIONS,
                      static_cast<long>(options_.max_host_connections));
  thread_ = std::thread([this] { run(); });
}

http_client::impl::~impl() {
  // stop() has joined the loop, which removed and cleaned every easy handle. Cleaning the multi
  // handle closes cached connections and calls on_socket, so epoll must still be open.
  curl_multi_cleanup(multi_);
  ::close(wake_fd_);
  ::close(epoll_fd_);
}

// libcurl says which events it wants on a socket; mirror that in the epoll set.
int http_client::impl::on_socket(CURL*, curl_socket_t s, int what, void* self, void*) {
  auto& me = *static_cast<impl*>(self);
  if (what == CURL_POLL_REMOVE) {
    ::epoll_ctl(me.epoll_fd_, EPOLL_CTL_DEL, s, nullptr);  // may already be gone: closed fd
    return 0;
  }
  epoll_event ev{};
  ev.data.fd = s;
  if (what & CURL_POLL_IN) ev.events |= EPOLLIN;
  if (what & CURL_POLL_OUT) ev.events |= EPOLLOUT;
  if (::epoll_ctl(me.epoll_fd_, EPOLL_CTL_MOD, s, &ev) != 0 && errno == ENOENT &&
      ::epoll_ctl(me.epoll_fd_, EPOLL_CTL_ADD, s, &ev) != 0)
    SPDLOG_LOGGER_ERROR(logger("effects"), "epoll_ctl add: {}", std::strerror(errno));
  return 0;
}

// Only records the deadline: libcurl forbids calling socket_action from inside this callback.
int http_client::impl::on_timer(CURLM*, long timeout_ms, void* self) {
  auto& me = *static_cast<impl*>(self);
  if (timeout_ms < 0)
    me.timer_.reset();
  else
    me.timer_ = clock_type::now() + std::chrono::milliseconds(timeout_ms);
  return 0;
}

void http_client::impl::run() {
  pthread_setname_np(pthread_self(), "af-effects");  // visible in top -H and /proc
  std::vector<std::unique_ptr<transfer>> starting;
  epoll_event events[max_events];
  for (;;) {
    if (!take_queued(starting)) break;
    for (auto& t : starting) start(std::move(t));
    starting.clear();
    int n = ::epoll_wait(epoll_fd_, events, max_events, wait_ms());
    if (n < 0 && errno != EINTR)
      SPDLOG_LOGGER_ERROR(logger("effects"), "epoll_wait: {}", std::strerror(errno));
    for (int i = 0; i < n; ++i) dispatch(events[i]);
    if (timer_ && *timer_ <= clock_type::now()) {
      timer_.reset();  // libcurl sets the next one from inside socket_action
      int running = 0;
      curl_multi_socket_action(multi_, CURL_SOCKET_TIMEOUT, 0, &running);
    }
    reap();  // freed slots are filled at the top of the next turn
  }
  shut_down();
}

int http_client::impl::wait_ms() const {
  if (!timer_) return wait_ceiling_ms;
  auto left = *timer_ - clock_type::now();
  if (left <= clock_type::duration::zero()) return 0;
  // Rounded up, so a deadline 0.4 ms away does not spin through zero-length waits.
  auto ms = std::chrono::ceil<std::chrono::milliseconds>(left).count();
  return static_cast<int>(std::min<long long>(ms, wait_ceiling_ms));
}

void http_client::impl::dispatch(const epoll_event& ev) {
  if (ev.data.fd == wake_fd_) {
    std::uint64_t count = 0;
    (void)!::read(wake_fd_, &count, sizeof count);
    return;
  }
  int flags = 0;
  if (ev.events & (EPOLLIN | EPOLLHUP | EPOLLRDHUP)) flags |= CURL_CSELECT_IN;
  if (ev.events & EPOLLOUT) flags |= CURL_CSELECT_OUT;
  if (ev.events & EPOLLERR) flags |= CURL_CSELECT_ERR;
  int running = 0;
  curl_multi_socket_action(multi_, ev.data.fd, flags, &running);
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

void http_client::impl::start(std::unique_ptr<transfer> t) {
  if (auto r = detail::validate(t->request); !r) return deliver(*t, std::move(r).error());
  CURL* easy = acquire_easy();
  if (!easy) return deliver(*t, error{errc::internal, "curl_easy_init failed"});
  if (auto r = detail::configure(easy, *t); !r) {
    release_easy(easy);
    return deliver(*t, std::move(r).error());
  }
  // Adding sets a 0 ms timer (on_timer): the next turn kicks the transfer off.
  if (auto rc = curl_multi_add_handle(multi_, easy); rc != CURLM_OK) {
    release_easy(easy);
    return deliver(*t, error{errc::internal,
                             std::string("curl_multi_add_handle: ") + curl_multi_strerror(rc)});
  }
  active_.emplace(easy, std::move(t));
}

void http_client::impl::reap() {
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
  }
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

// Under mu_, so stop() cannot close the eventfd in between; one write per loop turn is enough.
void http_client::impl::wake() {
  if (wake_sent_) return;
  wake_sent_ = true;
  std::uint64_t one = 1;
  (void)!::write(wake_fd_, &one, sizeof one);
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
      impl_->wake();
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
      impl_->wake_sent_ = false;
      impl_->wake();
    }
  }
  if (impl_->thread_.joinable()) impl_->thread_.join();
}

std::size_t http_client::in_flight() const {
  return impl_->in_flight_.load(std::memory_order_relaxed);
}

}  // namespace af::effects
