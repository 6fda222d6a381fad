// actorflow: the node (`actorflow serve`). The command-line client comes with a later issue.
#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include "app/serve.hpp"
#include "base/log.hpp"

namespace {

constexpr const char* usage = R"(actorflow — a durable workflow node

Usage:
  actorflow serve [--listen HOST:PORT] [--data-dir DIR] [--config FILE]
                  [--durability sync|async] [--log-level LEVEL]
  actorflow --help | --version

serve options (flags win over the config file):
  --listen HOST:PORT     address of the HTTP API (default 127.0.0.1:7400)
  --data-dir DIR         where the event log lives (default ./data)
  --config FILE          JSON config file (see docs/configuration.md)
  --durability MODE      sync (default: every answer waits for fsync) or async (benchmarks)
  --log-level LEVEL      trace, debug, info (default), warn, error, critical, off

SIGTERM or Ctrl-C stops the node cleanly; it exits 0.
)";

int usage_error(const std::string& msg) {
  std::fprintf(stderr, "actorflow: %s\n\n%s", msg.c_str(), usage);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage_error("missing command");
  std::string_view cmd = argv[1];
  if (cmd == "--help" || cmd == "-h" || cmd == "help") {
    std::fputs(usage, stdout);
    return 0;
  }
  if (cmd == "--version" || cmd == "version") {
    std::printf("actorflow %s\n", ACTORFLOW_VERSION);
    return 0;
  }
  if (cmd != "serve") return usage_error("unknown command '" + std::string(cmd) + "'");

  af::config::overrides flags;
  for (int i = 2; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--help" || a == "-h") {
      std::fputs(usage, stdout);
      return 0;
    }
    std::string name(a), value;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      return usage_error("option " + name + " needs a value");
    }
    if (name == "--listen")
      flags.listen = value;
    else if (name == "--data-dir")
      flags.data_dir = value;
    else if (name == "--config")
      flags.config_file = value;
    else if (name == "--durability")
      flags.durability = value;
    else if (name == "--log-level")
      flags.log_level = value;
    else
      return usage_error("unknown option " + name);
  }

  // Block the stop signals before any thread exists; serve() waits for them with sigwait.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGUSR1);  // flush memtables (serve.cpp)
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  auto opts = af::config::load(flags);
  if (!opts) {
    std::fprintf(stderr, "actorflow: %s\n", opts.error().message.c_str());
    return 2;
  }
  af::init_logging(opts->log_level);
  return af::app::serve(*opts);
}
