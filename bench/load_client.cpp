// The epoll load engine of load_client.hpp: a state machine per connection
// (idle → connecting → writing → reading → idle), level-triggered epoll, one thread.

#include "bench/load_client.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>

namespace af::bench {
namespace {

using steady = std::chrono::steady_clock;

enum class state { idle, connecting, writing, reading, done };

struct connection {
  int fd = -1;
  state st = state::idle;
  bool reused = false;  // the socket already carried an answer (a stale keep-alive may be closed)
  bool retried = false;
  http_request req;
  std::string out;
  std::size_t out_off = 0;
  std::string in;
  steady::time_point sent;
};

double ms_since(steady::time_point t) {
  return std::chrono::duration<double, std::milli>(steady::now() - t).count();
}

bool iequals_prefix(const std::string& s, std::size_t at, const char* name) {
  std::size_t n = std::strlen(name);
  if (at + n > s.size()) return false;
  for (std::size_t i = 0; i < n; ++i)
    if (std::tolower(static_cast<unsigned char>(s[at + i])) != name[i]) return false;
  return true;
}

// Parses a whole answer from `in`. Returns 1 when complete (res filled, keep says whether the
// connection may carry another request), 0 when more bytes are needed, -1 on garbage.
int parse_answer(const std::string& in, bool eof, http_response& res, bool& keep) {
  auto head_end = in.find("\r\n\r\n");
  if (head_end == std::string::npos) return in.size() > (1 << 16) ? -1 : 0;
  if (in.compare(0, 5, "HTTP/") != 0) return -1;
  auto sp = in.find(' ');
  if (sp == std::string::npos || sp + 4 > head_end) return -1;
  int status = std::atoi(in.c_str() + sp + 1);
  if (status < 100 || status > 999) return -1;
  long length = -1;
  bool chunked = false;
  keep = in.compare(0, 8, "HTTP/1.0") != 0;
  for (std::size_t at = in.find("\r\n") + 2; at < head_end;) {
    auto eol = in.find("\r\n", at);
    if (iequals_prefix(in, at, "content-length:")) length = std::atol(in.c_str() + at + 15);
    if (iequals_prefix(in, at, "transfer-encoding:") &&
        in.substr(at, eol - at).find("chunked") != std::string::npos)
      chunked = true;
    if (iequals_prefix(in, at, "connection:")) {
      auto v = in.substr(at + 11, eol - at - 11);
      if (v.find("close") != std::string::npos) keep = false;
      if (v.find("keep-alive") != std::string::npos) keep = true;
    }
    at = eol + 2;
  }
  const std::size_t body_at = head_end + 4;
  if (chunked) {
    std::string body;
    std::size_t at = body_at;
    for (;;) {
      auto eol = in.find("\r\n", at);
      if (eol == std::string::npos) return 0;
      long size = std::strtol(in.c_str() + at, nullptr, 16);
      if (size < 0) return -1;
      if (size == 0) {
        if (in.find("\r\n", eol + 2) == std::string::npos) return 0;  // trailers
        break;
      }
      if (eol + 2 + static_cast<std::size_t>(size) + 2 > in.size()) return 0;
      body.append(in, eol + 2, static_cast<std::size_t>(size));
      at = eol + 2 + static_cast<std::size_t>(size) + 2;
    }
    res.status = status;
    res.body = std::move(body);
    return 1;
  }
  if (length < 0) {
    if (status == 204 || status == 304)
      length = 0;
    else if (!eof)
      return 0;  // read until close
    else
      length = static_cast<long>(in.size() - body_at), keep = false;
  }
  if (in.size() - body_at < static_cast<std::size_t>(length)) return 0;
  res.status = status;
  res.body = in.substr(body_at, static_cast<std::size_t>(length));
  return 1;
}

std::string render(const http_request& r, const std::string& host_header) {
  std::string out;
  out.reserve(r.target.size() + r.body.size() + 160);
  out += r.method;
  out += ' ';
  out += r.target;
  out += " HTTP/1.1\r\nHost: ";
  out += host_header;
  out += "\r\n";
  out += r.extra_headers;
  if (!r.body.empty() || r.method == "POST" || r.method == "PUT") {
    if (!r.body.empty()) out += "Content-Type: application/json\r\n";
    out += "Content-Length: " + std::to_string(r.body.size()) + "\r\n";
  }
  out += "\r\n";
  out += r.body;
  return out;
}

}  // namespace

load_totals run_load(const load_options& opt, const next_fn& next, const done_fn& done) {
  load_totals totals;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(opt.port));
  if (::inet_pton(AF_INET, opt.host.c_str(), &addr.sin_addr) != 1) {
    hostent* h = ::gethostbyname(opt.host.c_str());
    if (h == nullptr || h->h_addrtype != AF_INET) {
      totals.gave_up = true;
      return totals;
    }
    std::memcpy(&addr.sin_addr, h->h_addr_list[0], sizeof addr.sin_addr);
  }
  const std::string host_header = opt.host + ":" + std::to_string(opt.port);
  const int ep = ::epoll_create1(EPOLL_CLOEXEC);
  std::vector<connection> conns(static_cast<std::size_t>(std::max(1, opt.connections)));
  const auto start = steady::now();
  steady::time_point last_answer = start;
  long consecutive_errors = 0;
  bool started = !opt.connect_first;
  std::size_t open_count = conns.size();

  auto watch = [&](int i, std::uint32_t events) {
    epoll_event ev{};
    ev.events = events;
    ev.data.u32 = static_cast<std::uint32_t>(i);
    ::epoll_ctl(ep, EPOLL_CTL_MOD, conns[i].fd, &ev);
  };
  auto close_fd = [&](connection& c) {
    if (c.fd >= 0) {
      ::epoll_ctl(ep, EPOLL_CTL_DEL, c.fd, nullptr);
      ::close(c.fd);
    }
    c.fd = -1;
    c.reused = false;
    c.in.clear();
  };
  auto open_fd = [&](int i) -> bool {
    auto& c = conns[i];
    c.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c.fd < 0) return false;
    int one = 1;
    ::setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    int rc = ::connect(c.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    if (rc != 0 && errno != EINPROGRESS) {
      ::close(c.fd);
      c.fd = -1;
      return false;
    }
    epoll_event ev{};
    ev.events = EPOLLOUT;
    ev.data.u32 = static_cast<std::uint32_t>(i);
    ::epoll_ctl(ep, EPOLL_CTL_ADD, c.fd, &ev);
    c.st = state::connecting;
    return true;
  };
  std::function<void(int)> advance;  // gives an idle connection its next request
  auto finish = [&](int i, http_response&& res) {
    auto& c = conns[i];
    const double ms = ms_since(c.sent);
    last_answer = steady::now();
    if (res.error.empty()) {
      ++totals.answered;
      consecutive_errors = 0;
    } else {
      ++totals.transport_errors;
      ++consecutive_errors;
      close_fd(c);
    }
    c.st = state::idle;
    c.retried = false;
    http_request req = std::move(c.req);
    done(i, req, std::move(res), ms);
    if (consecutive_errors >= opt.max_consecutive_errors) totals.gave_up = true;
  };
  auto fail = [&](int i, const char* what) {
    auto& c = conns[i];
    // A kept-alive socket the server closed while idle: resend once on a fresh one.
    if (c.reused && c.in.empty() && !c.retried && c.st != state::connecting) {
      close_fd(c);
      c.retried = true;
      if (open_fd(i)) return;
    }
    http_response res;
    res.error = what;
    finish(i, std::move(res));
    advance(i);
  };
  auto begin_send = [&](int i) {
    auto& c = conns[i];
    c.out = render(c.req, host_header);
    c.out_off = 0;
    c.in.clear();
    if (!c.retried) c.sent = steady::now();
    c.st = state::writing;
    watch(i, EPOLLOUT);
  };
  advance = [&](int i) {
    auto& c = conns[i];
    for (;;) {
      if (c.st != state::idle) return;
      bool past_deadline =
          opt.deadline_s > 0 &&
          std::chrono::duration<double>(steady::now() - start).count() >= opt.deadline_s;
      std::optional<http_request> r;
      if (!past_deadline && !totals.gave_up) r = next(i);
      if (!r) {
        close_fd(c);
        c.st = state::done;
        --open_count;
        return;
      }
      c.req = std::move(*r);
      if (c.fd >= 0) {
        begin_send(i);
        return;
      }
      if (open_fd(i)) {
        if (started) c.sent = steady::now();
        return;
      }
      http_response res;
      res.error = std::string("socket/connect: ") + std::strerror(errno);
      c.sent = steady::now();
      finish(i, std::move(res));
    }
  };

  if (opt.connect_first) {
    // Open every socket (no request yet), then send all requests back to back.
    for (std::size_t i = 0; i < conns.size(); ++i) open_fd(static_cast<int>(i));
    std::size_t pending = conns.size();
    std::vector<epoll_event> evs(256);
    auto limit = steady::now() + std::chrono::seconds(10);
    while (pending > 0 && steady::now() < limit) {
      int n = ::epoll_wait(ep, evs.data(), static_cast<int>(evs.size()), 100);
      for (int k = 0; k < n; ++k) {
        int i = static_cast<int>(evs[k].data.u32);
        auto& c = conns[i];
        if (c.st != state::connecting) continue;
        int err = 0;
        socklen_t len = sizeof err;
        ::getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err != 0) close_fd(c);  // advance() reconnects it
        c.st = state::idle;
        watch(i, 0);
        --pending;
      }
    }
    for (auto& c : conns)
      if (c.st == state::connecting) close_fd(c), c.st = state::idle;
    started = true;
  }
  const auto send_start = steady::now();
  for (std::size_t i = 0; i < conns.size(); ++i) advance(static_cast<int>(i));

  std::vector<epoll_event> evs(512);
  char buf[65536];
  auto last_sweep = steady::now();
  while (open_count > 0) {
    int n = ::epoll_wait(ep, evs.data(), static_cast<int>(evs.size()), 50);
    for (int k = 0; k < n; ++k) {
      int i = static_cast<int>(evs[k].data.u32);
      auto& c = conns[i];
      if (c.fd < 0) continue;
      if (c.st == state::connecting) {
        int err = 0;
        socklen_t len = sizeof err;
        ::getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err != 0) {
          fail(i, "connect refused or failed");
          continue;
        }
        begin_send(i);
        continue;
      }
      if (c.st == state::writing) {
        ssize_t w = ::send(c.fd, c.out.data() + c.out_off, c.out.size() - c.out_off, MSG_NOSIGNAL);
        if (w < 0 && (errno == EAGAIN || errno == EINTR)) continue;
        if (w <= 0) {
          fail(i, "write failed");
          continue;
        }
        c.out_off += static_cast<std::size_t>(w);
        if (c.out_off == c.out.size()) {
          c.st = state::reading;
          watch(i, EPOLLIN);
        }
        continue;
      }
      if (c.st == state::reading) {
        bool eof = false;
        for (;;) {
          ssize_t r = ::recv(c.fd, buf, sizeof buf, 0);
          if (r > 0) {
            c.in.append(buf, static_cast<std::size_t>(r));
            if (r < static_cast<ssize_t>(sizeof buf)) break;
            continue;
          }
          if (r == 0)
            eof = true;
          else if (errno != EAGAIN && errno != EINTR)
            eof = true;
          break;
        }
        http_response res;
        bool keep = true;
        int p = parse_answer(c.in, eof, res, keep);
        if (p == 0 && !eof) continue;
        if (p <= 0) {
          fail(i, p < 0 ? "malformed answer" : "connection closed before the answer");
          continue;
        }
        if (!keep || eof)
          close_fd(c);
        else
          c.reused = true, c.in.clear();
        finish(i, std::move(res));
        advance(i);
        continue;
      }
      close_fd(c);  // an idle socket has nothing to say but a close: drop it, reconnect later
    }
    auto now = steady::now();
    if (now - last_sweep > std::chrono::milliseconds(100)) {
      last_sweep = now;
      for (std::size_t i = 0; i < conns.size(); ++i) {
        auto& c = conns[i];
        if ((c.st == state::connecting || c.st == state::writing || c.st == state::reading) &&
            ms_since(c.sent) > opt.request_timeout_s * 1000) {
          c.retried = true;  // no resend after a timeout
          fail(static_cast<int>(i), "timeout");
        }
      }
    }
  }
  ::close(ep);
  totals.elapsed_s = std::chrono::duration<double>(last_answer - send_start).count();
  return totals;
}

http_response sync_request(const std::string& host, int port, const std::string& method,
                           const std::string& target, const std::string& body, double timeout_s) {
  load_options opt;
  opt.host = host;
  opt.port = port;
  opt.connections = 1;
  opt.request_timeout_s = timeout_s;
  bool sent = false;
  http_response out;
  out.error = "not sent";
  run_load(
      opt,
      [&](int) -> std::optional<http_request> {
        if (sent) return std::nullopt;
        sent = true;
        http_request r;
        r.method = method;
        r.target = target;
        r.body = body;
        return r;
      },
      [&](int, const http_request&, http_response&& res, double) { out = std::move(res); });
  return out;
}

double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(sorted.size())));
  return sorted[std::min(sorted.size() - 1, rank == 0 ? 0 : rank - 1)];
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v.size() % 2 == 1 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

long raise_nofile() {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) != 0) return -1;
  lim.rlim_cur = lim.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &lim);
  ::getrlimit(RLIMIT_NOFILE, &lim);
  return static_cast<long>(lim.rlim_cur);
}

}  // namespace af::bench
