#include "base/error.hpp"

namespace af {

std::string_view to_string(errc code) noexcept {
  switch (code) {
    case errc::invalid_argument:
      return "invalid_argument";
    case errc::invalid_json:
      return "invalid_json";
    case errc::not_found:
      return "not_found";
    case errc::conflict:
      return "conflict";
    case errc::failed_precondition:
      return "failed_precondition";
    case errc::resource_exhausted:
      return "resource_exhausted";
    case errc::unavailable:
      return "unavailable";
    case errc::timeout:
      return "timeout";
    case errc::corruption:
      return "corruption";
    case errc::io_error:
      return "io_error";
    case errc::internal:
      return "internal";
    case errc::unauthenticated:
      return "unauthenticated";
    case errc::permission_denied:
      return "permission_denied";
    case errc::method_not_allowed:
      return "method_not_allowed";
    case errc::payload_too_large:
      return "payload_too_large";
    case errc::uri_too_long:
      return "uri_too_long";
    case errc::unsupported_media_type:
      return "unsupported_media_type";
    case errc::invalid_definition:
      return "invalid_definition";
    case errc::idempotency_key_reused:
      return "idempotency_key_reused";
    case errc::credits_exhausted:
      return "credits_exhausted";
    case errc::rate_limited:
      return "rate_limited";
    case errc::not_ready:
      return "not_ready";
    case errc::expression_error:
      return "expression_error";
    case errc::limit_exceeded:
      return "limit_exceeded";
  }
  return "internal";
}

json to_json(const error& err) {
  json j = json::object();
  j["code"] = std::string(to_string(err.code));
  j["message"] = err.message;
  j["details"] = err.details.is_array() ? err.details : json::array();
  return j;
}

}  // namespace af
