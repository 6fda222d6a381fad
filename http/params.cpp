#include "http/params.hpp"

#include "base/duration.hpp"
#include "base/ids.hpp"

namespace af::http {
namespace {

constexpr std::size_t max_run_id_bytes = 200;

// Echoes a bad value back without flooding the message.
std::string shown(const std::string& value, std::size_t max = 64) {
  return value.size() > max ? value.substr(0, max) + "..." : value;
}

}  // namespace

result<std::string> workflow_id(const exchange& ex, std::size_t param) {
  const std::string& id = ex.params().at(param);
  if (id == "schema" || id == "lint")
    return error(errc::invalid_argument, "'" + id + "' is reserved and cannot be a workflow id");
  if (!valid_workflow_id(id))
    return error(errc::invalid_argument,
                 "invalid workflow id '" + shown(id) + "': use [a-z0-9][a-z0-9_-]{0,63}");
  return id;
}

bool valid_run_id(std::string_view id) {
  if (id.empty() || id.size() > max_run_id_bytes) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

result<std::string> run_id(const exchange& ex, std::size_t param) {
  const std::string& id = ex.params().at(param);
  if (!valid_run_id(id))
    return error(errc::invalid_argument,
                 "invalid run id '" + shown(id) + "': use 1 to 200 characters of [A-Za-z0-9_.-]");
  return id;
}

result<std::optional<std::chrono::milliseconds>> wait_param(const exchange& ex) {
  auto text = ex.query("wait");
  if (!text) return std::optional<std::chrono::milliseconds>();
  auto d = parse_duration(*text);
  if (!d || *d <= 0 || *d > max_wait.count())
    return error(
        errc::invalid_argument,
        "wait must be a duration like 500ms or 30s, greater than 0 and at most 60s; got '" +
            shown(*text) + "'");
  return std::optional<std::chrono::milliseconds>(std::chrono::milliseconds(*d));
}

}  // namespace af::http
