#pragma once
// Processes and node-level helpers of af_load: spawning and killing the node and the effects
// server, waiting for them to listen and be ready, applying workflows, reading /proc.

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace af::bench {

// Starts argv[0] with the rest as arguments, stdout and stderr appended to log_path, in its own
// process group. Returns the pid, or -1 (message on stderr).
pid_t spawn(const std::vector<std::string>& argv, const std::string& log_path);

// Waits until log_path holds "<marker>http://127.0.0.1:<port>" past byte `from` and returns the
// port; -1 when the process exits first or timeout_s passes.
int wait_listening(pid_t pid, const std::string& log_path, const std::string& marker,
                   double timeout_s, std::size_t from = 0);

// Polls GET /readyz every 5 ms until it answers 200; false after timeout_s.
bool wait_ready(int port, double timeout_s);

// Sends sig and reaps the process (SIGTERM is followed by SIGKILL after 10 s).
void stop_process(pid_t pid, int sig);

std::size_t file_size(const std::string& path);
std::string read_file(const std::string& path);

// PUT /v1/workflows/{id} with the definition, then POST …/publish. Empty string on success,
// else what failed.
std::string apply_and_publish(int port, const std::string& id, const std::string& definition);

// VmRSS of pid in bytes (-1 when unreadable) and its user+system CPU seconds.
long rss_bytes(pid_t pid);
double cpu_seconds(pid_t pid);

// RFC 3339 with milliseconds ("2026-11-22T02:13:46.123Z") → ms since the epoch.
std::optional<std::int64_t> parse_ms(const std::string& text);

// A fresh temporary directory under $TMPDIR (or /tmp).
std::string make_temp_dir(const std::string& prefix);

}  // namespace af::bench
