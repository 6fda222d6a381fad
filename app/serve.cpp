#include "app/serve.hpp"

#include <malloc.h>
#include <sys/resource.h>

#include <chrono>
#include <csignal>
#include <filesystem>

#include "actors/node.hpp"
#include "actors/recovery.hpp"
#include "base/ids.hpp"
#include "base/log.hpp"
#include "http/server.hpp"
#include "storage/rocksdb_log.hpp"

#ifndef ACTORFLOW_VERSION
#define ACTORFLOW_VERSION "dev"
#endif

namespace af::app {
namespace {

// Thousands of keep-alive clients and outbound calls need more than a login's 1,024 files.
void raise_open_file_limit() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return;
  const auto before = lim.rlim_cur;
  lim.rlim_cur = lim.rlim_max;
  if (setrlimit(RLIMIT_NOFILE, &lim) != 0) lim.rlim_cur = before;
  logger("app")->info("open-file limit {} (was {}, hard limit {})", lim.rlim_cur, before,
                      lim.rlim_max);
}

// A value kept in the log's meta space, created on first start.
result<std::string> node_fact(storage::event_log& log, const std::string& key,
                              std::size_t random_bytes) {
  auto existing = log.get(storage::space::meta, key);
  if (!existing) return std::move(existing).error();
  if (*existing) return std::move(**existing);
  std::string value = random_hex(random_bytes);
  storage::write_batch b;
  b.records.push_back({storage::space::meta, key, value});
  if (auto r = log.append_and_wait(std::move(b)); !r) return std::move(r).error();
  return value;
}

// Waits for SIGTERM or SIGINT. SIGUSR1 meanwhile flushes the log's memtables and returns freed
// memory to the system: how the memory benchmark measures what runs themselves cost.
int wait_for_stop_signal(storage::event_log& events) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGUSR1);
  for (;;) {
    int sig = 0;
    sigwait(&set, &sig);
    if (sig != SIGUSR1) return sig;
    auto flushed = events.flush();
    malloc_trim(0);
    if (flushed)
      logger("app")->info("SIGUSR1: memtables flushed, free memory returned");
    else
      logger("app")->warn("SIGUSR1: {}", flushed.error().message);
  }
}

}  // namespace

int serve(const config::node_options& opts) {
  auto log = logger("app");
  const auto start = std::chrono::steady_clock::now();
  auto clock = std::make_shared<system_clock>();
  raise_open_file_limit();
  if (opts.api_keys.empty())
    log->warn(
        "no api_keys configured: this is an open node with the one workspace 'default'; "
        "keep it on a trusted network");

  std::error_code ec;
  std::filesystem::create_directories(opts.data_dir, ec);
  if (ec) {
    log->critical("cannot create data dir '{}': {}", opts.data_dir, ec.message());
    return 1;
  }
  storage::rocksdb_log_options lopts;
  lopts.path = (std::filesystem::path(opts.data_dir) / "log").string();
  lopts.mode = opts.log_durability == config::durability::sync ? storage::durability::sync
                                                               : storage::durability::async;
  auto opened = storage::open_rocksdb_log(lopts);
  if (!opened) {
    log->critical("cannot open the event log in '{}': {}", lopts.path, opened.error().message);
    return 1;
  }
  std::shared_ptr<storage::event_log> events = std::move(*opened);
  auto node_id = node_fact(*events, "node_id", 8);
  auto cursor_secret = node_fact(*events, "cursor_secret", 32);
  if (!node_id || !cursor_secret) {
    log->critical("cannot read node identity from the log: {}",
                  (!node_id ? node_id.error() : cursor_secret.error()).message);
    return 1;
  }

  auto ctx = std::make_shared<actors::node_context>();
  ctx->log = events;
  ctx->clock = clock;
  ctx->public_url = opts.effective_public_url();
  ctx->lim = opts.lim;
  ctx->http = std::make_shared<effects::http_client>();
  ctx->on_fatal = [](const error& e) {
    logger("app")->critical(
        "storage failed for good ({}): exiting so that a restart replays the log", e.message);
    spdlog::shutdown();
    std::_Exit(70);
  };
  actors::node node(ctx);

  http::node_status status;
  status.version = ACTORFLOW_VERSION;
  status.node_id = *node_id;
  status.data_dir = std::filesystem::absolute(opts.data_dir).lexically_normal().string();
  status.started_at = clock->now();
  http::server_context hctx{opts, &node.api(), &status, clock, *cursor_secret};
  http::server gateway(hctx);
  auto port = gateway.start();
  if (!port) {
    log->critical("{}", port.error().message);
    return 1;
  }
  // The default public URL names the port actually bound (the configured one may be 0).
  // No actor runs yet, so the context can still change.
  if (opts.public_url.empty())
    ctx->public_url = "http://" + opts.listen_host + ":" + std::to_string(*port);
  log->info("actorflow {} node {} listening on http://{}:{} (durability {}, data dir {})",
            ACTORFLOW_VERSION, *node_id, opts.listen_host, *port,
            opts.log_durability == config::durability::sync ? "sync" : "async", status.data_dir);

  // Replay while HTTP already answers: /healthz 200, /readyz and /v1/* 503 until done.
  const auto replay_start = std::chrono::steady_clock::now();
  auto recovered = actors::recover_workflows(*events, clock->now());
  if (!recovered) {
    log->critical("replay failed: {}", recovered.error().message);
    gateway.stop();
    return 2;
  }
  const auto replay_us = std::chrono::duration_cast<std::chrono::microseconds>(
                             std::chrono::steady_clock::now() - replay_start)
                             .count();
  status.replay_events = recovered->events;
  status.replay_micros = replay_us;
  log->info("replayed {} events in {:.3f} s ({} workflows, {} unfinished runs)",
            status.replay_events.load(), static_cast<double>(replay_us) / 1e6,
            recovered->workflows.size(), recovered->runs.size());
  node.restore(std::move(*recovered));
  log->info("ready after {:.3f} s",
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());

  const int sig = wait_for_stop_signal(*events);
  log->info("received {}, stopping: HTTP first, then actors, then the log",
            sig == SIGTERM ? "SIGTERM" : "SIGINT");
  node.drain_waits();  // `?wait` requests answer now instead of holding HTTP's stop up
  gateway.stop();
  node.stop();
  ctx->http->stop();
  events->close();
  log->info("stopped cleanly");
  return 0;
}

}  // namespace af::app
