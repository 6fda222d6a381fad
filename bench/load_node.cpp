// Process and /proc helpers of load_node.hpp.

#include "bench/load_node.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "base/clock.hpp"
#include "bench/load_client.hpp"

namespace af::bench {

using steady = std::chrono::steady_clock;

pid_t spawn(const std::vector<std::string>& argv, const std::string& log_path) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) {
    std::perror("fork");
    return -1;
  }
  if (pid == 0) {
    ::setpgid(0, 0);
    int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      ::close(fd);
    }
    ::execv(args[0], args.data());
    std::fprintf(stderr, "exec %s: %s\n", args[0], std::strerror(errno));
    ::_exit(127);
  }
  return pid;
}

std::size_t file_size(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  return in ? static_cast<std::size_t>(in.tellg()) : 0;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int wait_listening(pid_t pid, const std::string& log_path, const std::string& marker,
                   double timeout_s, std::size_t from) {
  const std::string needle = marker + "http://127.0.0.1:";
  const auto limit = steady::now() + std::chrono::duration<double>(timeout_s);
  while (steady::now() < limit) {
    std::string log = read_file(log_path);
    auto at = log.size() > from ? log.find(needle, from) : std::string::npos;
    if (at != std::string::npos) {
      int port = std::atoi(log.c_str() + at + needle.size());
      if (port > 0) return port;
    }
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      std::fprintf(stderr, "process %d exited before listening; log %s\n", pid, log_path.c_str());
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return -1;
}

bool wait_ready(int port, double timeout_s) {
  const auto limit = steady::now() + std::chrono::duration<double>(timeout_s);
  while (steady::now() < limit) {
    auto r = sync_request("127.0.0.1", port, "GET", "/readyz", {}, 2);
    if (r.status == 200) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

void stop_process(pid_t pid, int sig) {
  if (pid <= 0) return;
  ::kill(pid, sig);
  const auto limit = steady::now() + std::chrono::seconds(10);
  int status = 0;
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    if (steady::now() > limit) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

std::string apply_and_publish(int port, const std::string& id, const std::string& definition) {
  auto put = sync_request("127.0.0.1", port, "PUT", "/v1/workflows/" + id, definition);
  if (put.status != 200 && put.status != 201)
    return "PUT " + id + ": " + std::to_string(put.status) + " " + put.error + put.body;
  auto pub = sync_request("127.0.0.1", port, "POST", "/v1/workflows/" + id + "/publish", "{}");
  if (pub.status != 200 && pub.status != 201)
    return "publish " + id + ": " + std::to_string(pub.status) + " " + pub.error + pub.body;
  return {};
}

long rss_bytes(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6) * 1024;
  return -1;
}

double cpu_seconds(pid_t pid) {
  std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
  auto close = stat.rfind(')');  // the command name may hold spaces
  if (close == std::string::npos) return -1;
  std::istringstream in(stat.substr(close + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; in >> field; ++i) {  // field 3 is the state
    if (i == 14) utime = std::stoull(field);
    if (i == 15) {
      stime = std::stoull(field);
      break;
    }
  }
  return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

std::optional<std::int64_t> parse_ms(const std::string& text) {
  auto t = af::parse_time(text);
  if (!t) return std::nullopt;
  return static_cast<std::int64_t>(*t);
}

std::string make_temp_dir(const std::string& prefix) {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = std::string(base != nullptr ? base : "/tmp") + "/" + prefix + "-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) return {};
  return pattern;
}

}  // namespace af::bench
