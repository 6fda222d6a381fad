#include "http/errors.hpp"

namespace af::http {

int status_of(errc code) {
  switch (code) {
    case errc::invalid_argument:
    case errc::invalid_json:
      return 400;
    case errc::unauthenticated:
      return 401;
    case errc::credits_exhausted:
      return 402;
    case errc::permission_denied:
      return 403;
    case errc::not_found:
      return 404;
    case errc::method_not_allowed:
      return 405;
    case errc::conflict:
    case errc::failed_precondition:
      return 409;
    case errc::payload_too_large:
      return 413;
    case errc::uri_too_long:
      return 414;
    case errc::unsupported_media_type:
      return 415;
    case errc::invalid_definition:
    case errc::idempotency_key_reused:
    case errc::expression_error:
    case errc::limit_exceeded:
      return 422;
    case errc::rate_limited:
    case errc::resource_exhausted:
      return 429;
    case errc::timeout:
      return 504;
    case errc::not_ready:
    case errc::unavailable:
    case errc::io_error:
      return 503;
    case errc::corruption:
    case errc::internal:
      return 500;
  }
  return 500;
}

errc code_of_status(int status) {
  switch (status) {
    case 400:
      return errc::invalid_argument;
    case 404:
      return errc::not_found;
    case 405:
      return errc::method_not_allowed;
    case 413:
      return errc::payload_too_large;
    case 414:
      return errc::uri_too_long;
    case 415:
      return errc::unsupported_media_type;
    case 416:
      return errc::invalid_argument;
    case 503:
      return errc::unavailable;
    default:
      return status >= 500 ? errc::internal : errc::invalid_argument;
  }
}

void write_json(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(dump(body), "application/json");
}

void write_error(httplib::Response& res, const error& err) {
  json body = json::object();
  // Errors the table does not know as such (storage trouble) are reported by their meaning.
  errc shown = err.code;
  if (shown == errc::io_error) shown = errc::unavailable;
  if (shown == errc::corruption) shown = errc::internal;
  if (shown == errc::failed_precondition) shown = errc::conflict;
  error out = err;
  out.code = shown;
  body["error"] = to_json(out);
  write_json(res, status_of(err.code), body);
}

}  // namespace af::http
