#pragma once
// Named loggers, one per module, created once at start-up by init_logging(). Payloads and
// secrets are never logged above debug; log sizes and ids.

#include <memory>
#include <string>

#include <spdlog/spdlog.h>

namespace af {

// Creates the loggers "app", "storage", "actors", "http" (and "runtime" for tests) writing
// to stderr at `level` ("trace".."critical"). Safe to call more than once.
void init_logging(const std::string& level = "info");

// The named logger; falls back to spdlog's default logger when init_logging() was not called.
std::shared_ptr<spdlog::logger> logger(const std::string& name);

}  // namespace af
