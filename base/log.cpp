#include "base/log.hpp"

#include <mutex>

#include <spdlog/sinks/stdout_color_sinks.h>

namespace af {

void init_logging(const std::string& level) {
  static std::mutex mu;
  std::lock_guard lock(mu);
  auto lvl = spdlog::level::from_str(level);
  static auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  for (const char* name : {"app", "storage", "actors", "http", "runtime", "effects"}) {
    auto existing = spdlog::get(name);
    if (!existing) {
      existing = std::make_shared<spdlog::logger>(name, sink);
      existing->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%-5l%$ [%n] %v",
                            spdlog::pattern_time_type::utc);
      spdlog::register_logger(existing);
    }
    existing->set_level(lvl);
  }
}

std::shared_ptr<spdlog::logger> logger(const std::string& name) {
  if (auto l = spdlog::get(name)) return l;
  return spdlog::default_logger();
}

}  // namespace af
