#include "tests/e2e/node_process.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <thread>

extern char** environ;

namespace af::e2e {

namespace fs = std::filesystem;
using namespace std::chrono;

temp_dir::temp_dir() {
  std::random_device rd;
  path_ = fs::temp_directory_path() /
          ("actorflow-e2e-" + std::to_string(rd()) + std::to_string(::getpid()));
  fs::create_directories(path_);
}

temp_dir::~temp_dir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

std::string binary_path() {
  const char* b = std::getenv("ACTORFLOW_BIN");
  return b ? b : "actorflow";
}

namespace {

// Starts `args` with stdout and stderr appended to `out_file` (stdout to /dev/null when
// `stderr_only`). Returns the pid, or -1 with errno-style `rc`.
pid_t spawn(std::vector<std::string> args, const fs::path& out_file, bool stderr_only, int& rc) {
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 2, out_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (stderr_only)
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  else
    posix_spawn_file_actions_adddup2(&fa, 2, 1);
  pid_t pid = -1;
  rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  return rc == 0 ? pid : -1;
}

}  // namespace

bool wait_until(const std::function<bool()>& cond, milliseconds deadline) {
  const auto end = steady_clock::now() + deadline;
  while (true) {
    if (cond()) return true;
    if (steady_clock::now() >= end) return cond();
    std::this_thread::sleep_for(milliseconds(5));  // poll interval, not a wait for an outcome
  }
}

node_process::node_process(std::string binary, fs::path data_dir, std::vector<std::string> extra)
    : binary_(std::move(binary)), data_dir_(std::move(data_dir)), extra_(std::move(extra)) {
  log_file_ = data_dir_.parent_path() / (data_dir_.filename().string() + ".log");
}

node_process::~node_process() {
  if (pid_ > 0) stop(SIGKILL, seconds(10));
}

std::string node_process::log_text() const {
  std::ifstream in(log_file_);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::unique_ptr<httplib::Client> node_process::client() const {
  auto c = std::make_unique<httplib::Client>("127.0.0.1", port_);
  c->set_connection_timeout(5);
  c->set_read_timeout(10);
  c->set_write_timeout(10);
  c->set_keep_alive(true);
  c->set_tcp_nodelay(true);
  return c;
}

bool node_process::start(seconds deadline) {
  bool ready = launch(deadline) && wait_until(
                                       [&] {
                                         auto c = client();
                                         auto r = c->Get("/readyz");
                                         return r && r->status == 200;
                                       },
                                       deadline);
  if (!ready) std::cerr << "node did not become ready; its log:\n" << log_text() << "\n";
  return ready;
}

bool node_process::start_listening(seconds deadline) {
  bool up = launch(deadline);
  if (!up) std::cerr << "node did not start listening; its log:\n" << log_text() << "\n";
  return up;
}

bool node_process::launch(seconds deadline) {
  ++starts_;
  // Port 0: the node picks a free port and logs it; we read it from the log.
  std::vector<std::string> args = {binary_,       "serve",      "--listen",
                                   "127.0.0.1:0", "--data-dir", data_dir_.string()};
  args.insert(args.end(), extra_.begin(), extra_.end());
  const auto log_offset = fs::exists(log_file_) ? fs::file_size(log_file_) : 0;
  int rc = 0;
  pid_ = spawn(std::move(args), log_file_, true, rc);
  if (pid_ < 0) {
    std::cerr << "cannot start " << binary_ << ": " << std::strerror(rc) << "\n";
    pid_ = -1;
    return false;
  }
  port_ = 0;
  const std::string marker = "listening on http://127.0.0.1:";
  bool exited = false;
  bool listening = wait_until(
      [&] {
        if (exited) return true;
        if (::waitpid(pid_, &exit_status_, WNOHANG) == pid_) {
          exited = true;  // it gave up (bad config, locked data dir): stop waiting
          pid_ = -1;
          return true;
        }
        std::string text = log_text().substr(log_offset);
        auto at = text.find(marker);
        if (at == std::string::npos) return false;
        port_ = std::atoi(text.c_str() + at + marker.size());
        return port_ > 0;
      },
      deadline);
  return listening && !exited;
}

int node_process::stop(int sig, seconds deadline) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, sig);
  int status = -1;
  bool done = wait_until([&] { return ::waitpid(pid_, &status, WNOHANG) == pid_; }, deadline);
  if (!done) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return -1;
  }
  pid_ = -1;
  return status;
}

command_result run_command(const std::vector<std::string>& args, seconds deadline) {
  temp_dir out_dir;
  const auto out_file = out_dir.path() / "out.txt";
  command_result out;
  int rc = 0;
  pid_t pid = spawn(args, out_file, false, rc);
  if (pid < 0) return out;
  int status = 0;
  if (!wait_until([&] { return ::waitpid(pid, &status, WNOHANG) == pid; }, deadline)) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
  } else if (WIFEXITED(status)) {
    out.exit_code = WEXITSTATUS(status);
  }
  std::ifstream in(out_file);
  std::stringstream text;
  text << in.rdbuf();
  out.output = text.str();
  return out;
}

raw_answer raw_request(int port, const std::string& bytes, milliseconds deadline) {
  raw_answer out;
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return out;
  }
  const auto end = steady_clock::now() + deadline;
  std::size_t sent = 0;
  std::string in;
  char buf[65536];
  bool writing = true;
  while (steady_clock::now() < end) {
    pollfd p{fd, static_cast<short>(POLLIN | (writing ? POLLOUT : 0)), 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    if (p.revents & POLLIN) {
      ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) {
        out.closed = true;
        break;
      }
      in.append(buf, static_cast<std::size_t>(n));
      auto hdr_end = in.find("\r\n\r\n");
      if (hdr_end != std::string::npos) {
        auto cl = in.find("Content-Length: ");
        if (cl != std::string::npos && cl < hdr_end) {
          std::size_t len = std::stoul(in.substr(cl + 16));
          // A complete answer; when the server announced a close, wait to see it.
          const bool closing = in.find("Connection: close") < hdr_end;
          if (in.size() >= hdr_end + 4 + len && !closing) break;
        }
      }
    }
    if (writing && (p.revents & POLLOUT)) {
      ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n < 0)
        writing = false;  // the server stopped reading (e.g. after a 413)
      else
        sent += static_cast<std::size_t>(n);
      if (sent == bytes.size()) writing = false;
    }
    if (p.revents & (POLLERR | POLLHUP)) {
      out.closed = true;
      if (!(p.revents & POLLIN)) break;
    }
  }
  ::close(fd);
  auto hdr_end = in.find("\r\n\r\n");
  if (in.rfind("HTTP/1.1 ", 0) == 0 && hdr_end != std::string::npos) {
    out.status = std::atoi(in.c_str() + 9);
    out.head = in.substr(0, hdr_end);
    out.body = in.substr(hdr_end + 4);
  }
  return out;
}

}  // namespace af::e2e
