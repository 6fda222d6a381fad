#pragma once
// The real actorflow binary as a child process for end-to-end tests: started on a free
// loopback port with a temp data dir, driven over HTTP, killed with any signal, restarted on
// the same data dir. Every wait has a deadline; nothing sleeps "long enough".

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <httplib.h>

namespace af::e2e {

// A fresh directory under /tmp, removed when destroyed.
class temp_dir {
 public:
  temp_dir();
  ~temp_dir();
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

class node_process {
 public:
  // `binary`: path of the actorflow executable (tests get it from argv / an env variable).
  node_process(std::string binary, std::filesystem::path data_dir,
               std::vector<std::string> extra_args = {});
  ~node_process();  // SIGKILLs a node still running

  // Starts the node and waits (deadline) until /readyz answers 200. Returns false, with the
  // node's log on stderr, when it does not.
  bool start(std::chrono::seconds deadline = std::chrono::seconds(30));
  // Starts the node and returns as soon as it listens (before replay may have finished).
  bool start_listening(std::chrono::seconds deadline = std::chrono::seconds(30));
  // Sends `sig` and waits (deadline) for the exit; returns the exit status as from waitpid
  // (use WIFEXITED / WEXITSTATUS / WIFSIGNALED), or -1 on timeout.
  int stop(int sig, std::chrono::seconds deadline = std::chrono::seconds(30));

  int port() const { return port_; }
  // The exit status (waitpid form) when start() failed because the node exited.
  int exit_status() const { return exit_status_; }
  pid_t pid() const { return pid_; }
  std::string log_text() const;                     // everything the node wrote to stderr so far
  std::unique_ptr<httplib::Client> client() const;  // keep-alive client with 10 s timeouts

 private:
  std::string binary_;
  std::filesystem::path data_dir_;
  std::filesystem::path log_file_;
  std::vector<std::string> extra_;
  pid_t pid_ = -1;
  int port_ = 0;
  int starts_ = 0;
  int exit_status_ = -1;
  bool launch(std::chrono::seconds deadline);
};

// Runs `binary args...` to completion (deadline), with stdout and stderr captured.
struct command_result {
  int exit_code = -1;  // -1: killed or timed out
  std::string output;  // stdout then stderr
};
command_result run_command(const std::vector<std::string>& args,
                           std::chrono::seconds deadline = std::chrono::seconds(30));

// The actorflow binary under test: $ACTORFLOW_BIN, set by CTest.
std::string binary_path();

// Waits until `cond` holds or the deadline passes; returns the last value of `cond`.
bool wait_until(const std::function<bool()>& cond, std::chrono::milliseconds deadline);

// Sends raw bytes on a fresh connection and reads the answer until the server closes the
// connection, a complete response (by Content-Length) arrived, or `deadline` passed.
struct raw_answer {
  int status = 0;    // 0: no HTTP answer
  std::string head;  // status line and headers
  std::string body;
  bool closed = false;  // the server closed the connection
};
raw_answer raw_request(int port, const std::string& bytes,
                       std::chrono::milliseconds deadline = std::chrono::seconds(10));

}  // namespace af::e2e
