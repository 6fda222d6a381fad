#include "tests/integration/effects/test_support.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>

namespace af::effects::test {
namespace {

// Binds 127.0.0.1 on a kernel-chosen port; returns the fd and stores the port.
int bind_loopback(int& port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  BOOST_REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  BOOST_REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  socklen_t len = sizeof addr;
  BOOST_REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  port = ntohs(addr.sin_port);
  return fd;
}

// Reads until the end of a request head, the peer closing, 64 KiB, or 5 s of silence.
std::string read_request_head(int fd) {
  std::string seen;
  char buf[4096];
  while (seen.find("\r\n\r\n") == std::string::npos && seen.size() < 64 * 1024) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 5000) <= 0) break;
    auto n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    seen.append(buf, static_cast<std::size_t>(n));
  }
  return seen;
}

}  // namespace

bool gate::wait(std::chrono::milliseconds limit) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, limit, [&] { return open_; });
}

void gate::open() {
  {
    std::lock_guard lock(mu_);
    open_ = true;
  }
  cv_.notify_all();
}

http_server::http_server(std::size_t threads) {
  server_.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server_.set_keep_alive_max_count(1000);
  server_.set_tcp_nodelay(true);
  // httplib closes a connection whose request has not arrived within this time; on a starved
  // machine (sanitizers, parallel builds) the default 5 s turned calls into "Empty reply".
  // The clients close their connections before the server stops, so this never delays a test.
  server_.set_keep_alive_timeout(
      30);  // else headers and body in two writes meet a delayed ACK: 40 ms
  // httplib's compiled-in backlog of 5 drops SYNs under a burst (dependencies.md §10): keep
  // the socket to raise it after bind; the callback replaces the default SO_REUSEADDR.
  server_.set_socket_options([this](socket_t fd) {
    int yes = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    listen_fd_ = fd;
  });
}

http_server::~http_server() {
  hold_.open();
  server_.stop();
  if (thread_.joinable()) thread_.join();
}

void http_server::start() {
  port_ = server_.bind_to_any_port("127.0.0.1");
  BOOST_REQUIRE(port_ > 0);
  BOOST_REQUIRE(listen_fd_ >= 0);
  BOOST_REQUIRE(::listen(listen_fd_, 4096) == 0);
  thread_ = std::thread([this] { server_.listen_after_bind(); });
  auto deadline = steady::now() + 5s;
  while (!server_.is_running() && steady::now() < deadline) std::this_thread::yield();
  BOOST_REQUIRE(server_.is_running());
}

std::string http_server::url(const std::string& target) const {
  return "http://127.0.0.1:" + std::to_string(port_) + target;
}

raw_server::raw_server(action a, std::string reply) : action_(a), reply_(std::move(reply)) {
  listen_fd_ = bind_loopback(port_);
  BOOST_REQUIRE(::listen(listen_fd_, 64) == 0);
  BOOST_REQUIRE(::pipe2(wake_, O_CLOEXEC) == 0);
  thread_ = std::thread([this] { serve(); });
}

raw_server::~raw_server() {
  char b = 'x';
  (void)!::write(wake_[1], &b, 1);
  thread_.join();
  ::close(listen_fd_);
  ::close(wake_[0]);
  ::close(wake_[1]);
}

std::string raw_server::url(const std::string& target) const {
  return "http://127.0.0.1:" + std::to_string(port_) + target;
}

void raw_server::serve() {
  for (;;) {
    pollfd p[2] = {{listen_fd_, POLLIN, 0}, {wake_[0], POLLIN, 0}};
    if (::poll(p, 2, -1) < 0) continue;
    if (p[1].revents) return;
    if (!(p[0].revents & POLLIN)) continue;
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    ++connections_;
    handle(fd);
  }
}

std::string raw_server::last_request_head() const {
  std::lock_guard lock(mu_);
  return last_head_;
}

void raw_server::handle(int fd) {
  switch (action_) {
    case action::close_at_once:
      break;
    case action::reply_and_close: {
      auto head = read_request_head(fd);
      {
        std::lock_guard lock(mu_);
        last_head_ = std::move(head);
      }
      ::send(fd, reply_.data(), reply_.size(), MSG_NOSIGNAL);
      break;
    }
    case action::reset_after_request: {
      read_request_head(fd);
      linger l{1, 0};
      ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
      break;
    }
  }
  ::close(fd);
}

int closed_port() {
  int port = 0;
  int fd = bind_loopback(port);
  ::close(fd);
  return port;
}

saturated_listener::saturated_listener() {
  listen_fd_ = bind_loopback(port_);
  BOOST_REQUIRE(::listen(listen_fd_, 0) == 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(port_));
  // Backlog 0 still queues one connection: the first filler takes that slot (its handshake
  // completes at once), the others only make sure nothing else can.
  for (int i = 0; i < 3; ++i) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    BOOST_REQUIRE(fd >= 0);
    fillers_.push_back(fd);
    ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    if (i == 0) {
      pollfd p{fd, POLLOUT, 0};
      BOOST_REQUIRE(::poll(&p, 1, 5000) == 1);
    }
  }
}

saturated_listener::~saturated_listener() {
  for (int fd : fillers_) ::close(fd);
  ::close(listen_fd_);
}

std::string saturated_listener::url() const {
  return "http://127.0.0.1:" + std::to_string(port_) + "/";
}

http_done collector::slot(std::size_t i) {
  return [this, i](result<http_response> r) {
    {
      std::lock_guard lock(mu_);
      if (calls_.at(i)++ == 0) {
        outcomes_.at(i).emplace(std::move(r));
        threads_.at(i) = std::this_thread::get_id();
        ++answered_;
      }
    }
    cv_.notify_all();
  };
}

bool collector::wait_all(std::chrono::milliseconds limit) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, limit, [&] { return answered_ == calls_.size(); });
}

bool collector::each_called_exactly_once() const {
  std::lock_guard lock(mu_);
  for (int c : calls_)
    if (c != 1) return false;
  return true;
}

result<http_response> call(http_client& client, http_request req) {
  // Shared with the callback: a failed wait must not leave it pointing at a dead collector.
  auto c = std::make_shared<collector>(1);
  client.submit(std::move(req),
                [c, slot = c->slot(0)](result<http_response> r) { slot(std::move(r)); });
  BOOST_REQUIRE(c->wait_all());
  BOOST_REQUIRE(c->each_called_exactly_once());
  return c->at(0);
}

}  // namespace af::effects::test
