#pragma once
// The closed list of error conditions. Each edge converts to it once (RocksDB status in
// storage/, simdjson codes where JSON is parsed); http/ maps each to a status in one table.

#include <ostream>
#include <string>
#include <string_view>

#include "base/json.hpp"

namespace af {

enum class errc {
  invalid_argument,  // a bad field, query or path parameter
  invalid_json,      // bytes that are not acceptable JSON
  not_found,
  conflict,  // the resource is in the wrong state
  failed_precondition,
  resource_exhausted,
  unavailable,  // the log could not be written
  timeout,
  corruption,  // a stored record that cannot be read back
  io_error,
  internal,  // a bug
  unauthenticated,
  permission_denied,
  method_not_allowed,
  payload_too_large,
  uri_too_long,
  unsupported_media_type,
  invalid_definition,  // lint problems; details carry them
  idempotency_key_reused,
  credits_exhausted,
  rate_limited,
  not_ready,  // replay not finished
  expression_error,
  limit_exceeded,
};

// The snake_case name, used as `error.code` on the wire.
std::string_view to_string(errc code) noexcept;
inline std::ostream& operator<<(std::ostream& os, errc c) {
  return os << to_string(c);
}

struct error {
  errc code = errc::internal;
  std::string message;
  json details = json::array();  // extra context, e.g. lint problems

  error() = default;
  error(errc c, std::string msg) : code(c), message(std::move(msg)) {}
  error(errc c, std::string msg, json d)
      : code(c), message(std::move(msg)), details(std::move(d)) {}
};

// {"code": ..., "message": ..., "details": [...]}
json to_json(const error& err);

}  // namespace af
