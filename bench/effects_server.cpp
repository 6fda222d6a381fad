// effects_server: the side-effect target of workload W4 (../shared/bench/README.md). Answers
// POST /a and /c at once and /b after --b-delay-ms (2 s), each with 200 {"ok":true}, and
// appends one JSON line per call to --record FILE as it arrives:
//   {"path":"/b","n":17,"key":"run_0123456789abcdef/b","method":"POST","t_us":1763777626000123}
// (n is the query parameter n, a number when it parses as one; key the Idempotency-Key header or
// null; t_us the arrival time in µs since the Unix epoch). Each line is one write(2) on an
// O_APPEND descriptor, so a reader sees whole lines as soon as they are written.
// GET /stats answers the counts per path and the number of /b answers being held.
//
//   effects_server [--port 17499] [--host 127.0.0.1] [--record FILE] [--b-delay-ms 2000]
//
// One thread and one epoll loop; a held /b answer is a timer, not a thread. cpp-httplib 0.11 was
// tried first (thread per connection): with 2,000 simultaneous fresh connections it closed
// 40–60 % of them unanswered and took up to 7 s for the rest, whatever the pool size.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <functional>
#include <string>
#include <vector>

namespace {

using steady = std::chrono::steady_clock;

struct options {
  std::string host = "127.0.0.1";
  int port = 17499;
  std::string record;
  int b_delay_ms = 2000;
};

struct conn {
  bool open = false;
  bool held = false;         // a /b answer is waiting for its timer
  bool close_after = false;  // close once the answer is written
  std::uint64_t gen = 0;     // bumped on close so stale timers are ignored
  std::string in, out;
  std::size_t out_off = 0;
};

struct timer {
  steady::time_point due;
  int fd;
  std::uint64_t gen;
};

std::int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// JSON string literal of s (the key comes from the caller: escape everything unusual).
std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c >= 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

// n as a JSON number when it is a plain (optionally negative) integer, else as a string.
std::string n_value(const std::string& n, bool present) {
  if (!present) return "null";
  if (n.empty() || n.size() > 18) return quoted(n);
  std::size_t i = n[0] == '-' ? 1 : 0;
  if (i == n.size()) return quoted(n);
  for (; i < n.size(); ++i)
    if (n[i] < '0' || n[i] > '9') return quoted(n);
  return n;
}

bool header_is(const std::string& line, const char* name) {
  std::size_t n = std::strlen(name);
  if (line.size() <= n || line[n] != ':') return false;
  for (std::size_t i = 0; i < n; ++i)
    if (std::tolower(static_cast<unsigned char>(line[i])) != name[i]) return false;
  return true;
}

std::string header_value(const std::string& line) {
  auto at = line.find(':') + 1;
  while (at < line.size() && (line[at] == ' ' || line[at] == '\t')) ++at;
  auto end = line.size();
  while (end > at && (line[end - 1] == ' ' || line[end - 1] == '\t')) --end;
  return line.substr(at, end - at);
}

struct request {
  std::string method, path, n, key;
  bool has_n = false, has_key = false, close = false;
};

// Parses one request from the front of `in`. Returns the bytes it took, 0 when incomplete,
// -1 when malformed. A request with neither Content-Length nor chunking has no body.
long parse_request(const std::string& in, request& r) {
  auto head_end = in.find("\r\n\r\n");
  if (head_end == std::string::npos) return in.size() > (64 << 10) ? -1 : 0;
  auto eol = in.find("\r\n");
  const std::string first = in.substr(0, eol);
  auto sp1 = first.find(' '), sp2 = first.rfind(' ');
  if (sp1 == std::string::npos || sp2 == sp1) return -1;
  r.method = first.substr(0, sp1);
  const std::string target = first.substr(sp1 + 1, sp2 - sp1 - 1);
  r.close = first.compare(sp2 + 1, std::string::npos, "HTTP/1.0") == 0;
  auto q = target.find('?');
  r.path = target.substr(0, q);
  if (q != std::string::npos) {
    std::string query = target.substr(q + 1);
    for (std::size_t at = 0; at <= query.size();) {
      auto amp = query.find('&', at);
      if (amp == std::string::npos) amp = query.size();
      std::string pair = query.substr(at, amp - at);
      if (pair.rfind("n=", 0) == 0) {
        r.n = pair.substr(2);
        r.has_n = true;
      }
      at = amp + 1;
    }
  }
  long length = 0;
  bool chunked = false;
  for (std::size_t at = eol + 2; at < head_end;) {
    auto e = in.find("\r\n", at);
    const std::string line = in.substr(at, e - at);
    if (header_is(line, "content-length")) length = std::atol(header_value(line).c_str());
    if (header_is(line, "transfer-encoding") &&
        header_value(line).find("chunked") != std::string::npos)
      chunked = true;
    if (header_is(line, "idempotency-key")) {
      r.key = header_value(line);
      r.has_key = true;
    }
    if (header_is(line, "connection")) {
      auto v = header_value(line);
      if (v.find("close") != std::string::npos) r.close = true;
      if (v.find("keep-alive") != std::string::npos) r.close = false;
    }
    at = e + 2;
  }
  std::size_t at = head_end + 4;
  if (chunked) {
    for (;;) {
      auto e = in.find("\r\n", at);
      if (e == std::string::npos) return 0;
      long size = std::strtol(in.c_str() + at, nullptr, 16);
      if (size < 0 || size > (64 << 20)) return -1;
      if (size == 0) {
        auto end = in.find("\r\n\r\n", e);  // optional trailers end with an empty line
        if (in.compare(e, 4, "\r\n\r\n") == 0) return static_cast<long>(e + 4);
        return end == std::string::npos ? 0 : static_cast<long>(end + 4);
      }
      if (e + 2 + static_cast<std::size_t>(size) + 2 > in.size()) return 0;
      at = e + 2 + static_cast<std::size_t>(size) + 2;
    }
  }
  if (length < 0 || length > (64 << 20)) return -1;
  if (in.size() < at + static_cast<std::size_t>(length)) return 0;
  return static_cast<long>(at + static_cast<std::size_t>(length));
}

std::string answer(int status, const std::string& body, bool close) {
  std::string out = status == 200   ? "HTTP/1.1 200 OK\r\n"
                    : status == 404 ? "HTTP/1.1 404 Not Found\r\n"
                                    : "HTTP/1.1 400 Bad Request\r\n";
  out +=
      "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  if (close) out += "Connection: close\r\n";
  return out + "\r\n" + body;
}

}  // namespace

int main(int argc, char** argv) {
  options opt;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (i + 1 >= argc) {
      std::fprintf(stderr,
                   "usage: effects_server [--port 17499] [--host H] [--record FILE] "
                   "[--b-delay-ms 2000]\n");
      return 2;
    }
    std::string v = argv[++i];
    if (a == "--port")
      opt.port = std::atoi(v.c_str());
    else if (a == "--host")
      opt.host = v;
    else if (a == "--record")
      opt.record = v;
    else if (a == "--b-delay-ms")
      opt.b_delay_ms = std::atoi(v.c_str());
    else {
      std::fprintf(stderr, "effects_server: unknown option %s\n", a.c_str());
      return 2;
    }
  }
  rlimit lim{};
  getrlimit(RLIMIT_NOFILE, &lim);
  lim.rlim_cur = lim.rlim_max;
  setrlimit(RLIMIT_NOFILE, &lim);
  getrlimit(RLIMIT_NOFILE, &lim);
  ::signal(SIGPIPE, SIG_IGN);

  int record_fd = -1;
  if (!opt.record.empty()) {
    record_fd = ::open(opt.record.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (record_fd < 0) {
      std::perror(opt.record.c_str());
      return 1;
    }
  }
  int lfd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int one = 1;
  ::setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(opt.port));
  if (::inet_pton(AF_INET, opt.host.c_str(), &addr.sin_addr) != 1 ||
      ::bind(lfd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(lfd, 4096) != 0) {
    std::fprintf(stderr, "effects_server: cannot listen on %s:%d: %s\n", opt.host.c_str(), opt.port,
                 std::strerror(errno));
    return 1;
  }
  const int ep = ::epoll_create1(EPOLL_CLOEXEC);
  epoll_event lev{};
  lev.events = EPOLLIN;
  lev.data.fd = lfd;
  ::epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &lev);

  std::vector<conn> conns(1024);
  std::deque<timer> timers;  // every /b waits the same delay: FIFO order is deadline order
  long count_a = 0, count_b = 0, count_c = 0, held_b = 0, count_other = 0;
  const std::string ok = R"({"ok":true})";

  auto set_events = [&](int fd, std::uint32_t events) {
    epoll_event ev{};
    ev.events = events;
    ev.data.fd = fd;
    ::epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
  };
  auto close_conn = [&](int fd) {
    auto& c = conns[static_cast<std::size_t>(fd)];
    if (!c.open) return;
    if (c.held) --held_b;
    ::epoll_ctl(ep, EPOLL_CTL_DEL, fd, nullptr);
    ::close(fd);
    c.open = c.held = c.close_after = false;
    ++c.gen;
    c.in.clear();
    c.out.clear();
    c.out_off = 0;
  };
  auto record = [&](const request& r) {
    if (record_fd < 0) return;
    std::string line = "{\"path\":" + quoted(r.path) + ",\"n\":" + n_value(r.n, r.has_n) +
                       ",\"key\":" + (r.has_key ? quoted(r.key) : std::string("null")) +
                       ",\"method\":" + quoted(r.method) + ",\"t_us\":" + std::to_string(now_us()) +
                       "}\n";
    if (::write(record_fd, line.data(), line.size()) < 0) std::perror("record");
  };
  // Writes what is pending; false when the connection was closed.
  auto flush = [&](int fd) -> bool {
    auto& c = conns[static_cast<std::size_t>(fd)];
    while (c.out_off < c.out.size()) {
      ssize_t w = ::send(fd, c.out.data() + c.out_off, c.out.size() - c.out_off, MSG_NOSIGNAL);
      if (w < 0 && errno == EINTR) continue;
      if (w < 0 && errno == EAGAIN) {
        set_events(fd, EPOLLOUT);
        return true;
      }
      if (w <= 0) {
        close_conn(fd);
        return false;
      }
      c.out_off += static_cast<std::size_t>(w);
    }
    c.out.clear();
    c.out_off = 0;
    if (c.close_after) {
      close_conn(fd);
      return false;
    }
    set_events(fd, EPOLLIN);
    return true;
  };
  // Serves the requests buffered on fd until one is held, incomplete, or the socket is closed.
  std::function<void(int)> serve = [&](int fd) {
    for (;;) {
      auto& c = conns[static_cast<std::size_t>(fd)];
      if (!c.open || c.held || !c.out.empty()) return;
      request r;
      long used = parse_request(c.in, r);
      if (used == 0) return;
      if (used < 0) {
        c.out = answer(400, R"({"ok":false,"error":"malformed request"})", true);
        c.close_after = true;
        flush(fd);
        return;
      }
      c.in.erase(0, static_cast<std::size_t>(used));
      c.close_after = r.close;
      if (r.method == "GET" && r.path == "/stats") {
        c.out = answer(200,
                       "{\"a\":" + std::to_string(count_a) + ",\"b\":" + std::to_string(count_b) +
                           ",\"c\":" + std::to_string(count_c) +
                           ",\"other\":" + std::to_string(count_other) +
                           ",\"held_b\":" + std::to_string(held_b) + "}",
                       r.close);
      } else {
        record(r);
        if (r.path == "/b") {
          ++count_b;
          ++held_b;
          c.held = true;
          timers.push_back({steady::now() + std::chrono::milliseconds(opt.b_delay_ms), fd, c.gen});
          set_events(fd, 0);  // pipelined bytes wait; a close shows up as EPOLLHUP/ERR
          return;
        }
        if (r.path == "/a")
          ++count_a;
        else if (r.path == "/c")
          ++count_c;
        else
          ++count_other;
        c.out = r.path == "/a" || r.path == "/c"
                    ? answer(200, ok, r.close)
                    : answer(404, R"({"ok":false,"error":"unknown path"})", r.close);
      }
      if (!flush(fd)) return;
    }
  };

  std::fprintf(stderr, "effects_server listening on http://%s:%d (open files %lu, record %s)\n",
               opt.host.c_str(), opt.port, static_cast<unsigned long>(lim.rlim_cur),
               opt.record.empty() ? "-" : opt.record.c_str());
  std::vector<epoll_event> evs(1024);
  char buf[65536];
  for (;;) {
    int wait_ms = -1;
    if (!timers.empty()) {
      auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(timers.front().due - steady::now())
              .count();
      wait_ms = left < 0 ? 0 : static_cast<int>(left) + 1;
    }
    int n = ::epoll_wait(ep, evs.data(), static_cast<int>(evs.size()), wait_ms);
    for (int k = 0; k < n; ++k) {
      const int fd = evs[k].data.fd;
      if (fd == lfd) {
        for (;;) {
          int cfd = ::accept4(lfd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
          if (cfd < 0) break;  // EAGAIN, or EMFILE: the rest wait in the backlog
          ::setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          if (static_cast<std::size_t>(cfd) >= conns.size())
            conns.resize(static_cast<std::size_t>(cfd) * 2);
          auto& c = conns[static_cast<std::size_t>(cfd)];
          c.open = true;
          epoll_event ev{};
          ev.events = EPOLLIN;
          ev.data.fd = cfd;
          ::epoll_ctl(ep, EPOLL_CTL_ADD, cfd, &ev);
        }
        continue;
      }
      auto& c = conns[static_cast<std::size_t>(fd)];
      if (!c.open) continue;
      if (evs[k].events & (EPOLLHUP | EPOLLERR)) {
        close_conn(fd);
        continue;
      }
      if (evs[k].events & EPOLLOUT) {
        if (flush(fd)) serve(fd);
        continue;
      }
      if (evs[k].events & EPOLLIN) {
        bool closed = false;
        for (;;) {
          ssize_t r = ::recv(fd, buf, sizeof buf, 0);
          if (r > 0) {
            c.in.append(buf, static_cast<std::size_t>(r));
            if (r < static_cast<ssize_t>(sizeof buf)) break;
            continue;
          }
          if (r < 0 && (errno == EAGAIN || errno == EINTR)) break;
          closed = true;  // EOF or error
          break;
        }
        if (closed && c.in.empty()) {
          close_conn(fd);
          continue;
        }
        serve(fd);
        if (closed) close_conn(fd);  // a request cut short, or answered already
      }
    }
    const auto now = steady::now();
    while (!timers.empty() && timers.front().due <= now) {
      timer t = timers.front();
      timers.pop_front();
      auto& c = conns[static_cast<std::size_t>(t.fd)];
      if (!c.open || c.gen != t.gen || !c.held) continue;
      c.held = false;
      --held_b;
      c.out = answer(200, ok, c.close_after);
      if (flush(t.fd)) serve(t.fd);
    }
  }
}
