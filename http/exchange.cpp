#include "http/exchange.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>

namespace af::http {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return out;
}

// application/json, application/json; charset=utf-8, application/cloudevents+json, ...
bool is_json_type(std::string_view content_type) {
  auto semi = content_type.find(';');
  std::string media = lower(content_type.substr(0, semi));
  while (!media.empty() && media.back() == ' ') media.pop_back();
  while (!media.empty() && media.front() == ' ') media.erase(media.begin());
  if (media == "application/json") return true;
  return media.rfind("application/", 0) == 0 && media.size() > 17 &&
         media.compare(media.size() - 5, 5, "+json") == 0;
}

bool is_chunked(const httplib::Request& req) {
  return lower(req.get_header_value("Transfer-Encoding")).find("chunked") != std::string::npos;
}

}  // namespace

std::optional<std::string> exchange::query(const std::string& name) const {
  auto it = req_.params.find(name);
  if (it == req_.params.end()) return std::nullopt;
  return it->second;
}

result<std::string> exchange::read_body(bool require_json_type) {
  body_read_ = true;
  const bool chunked = is_chunked(req_);
  const bool has_length = req_.has_header("Content-Length");
  // A request with neither a length nor chunking has no body (RFC 9112 §6.3); httplib would
  // otherwise read until the peer closes.
  if (!chunked && !has_length) return std::string();
  if (!reader_) {
    // httplib reads no body for GET/HEAD/OPTIONS: whatever was sent would be parsed as the
    // next request on this connection, so the connection ends with this answer.
    if (chunked || req_.get_header_value("Content-Length") != "0") close_connection();
    return std::string();
  }
  std::uint64_t declared = 0;
  if (has_length && !chunked) {
    const std::string& text = req_.get_header_value("Content-Length");
    if (text.empty() || text.size() > 19 ||
        !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      close_connection();
      return error(errc::invalid_argument, "malformed Content-Length");
    }
    declared = std::stoull(text);
    if (declared == 0) return std::string();
    if (declared > lim_.body_bytes) {
      // Reading (and dropping) a moderately large body lets the client see our answer: closing
      // with unread bytes makes the kernel send a reset that can destroy it in flight.
      // httplib skips a body over its payload limit by itself.
      if (declared <= drain_limit()) (*reader_)([](const char*, std::size_t) { return true; });
      close_connection();
      return error(errc::payload_too_large,
                   "request body over " + std::to_string(lim_.body_bytes) + " bytes");
    }
  }
  const bool json_type = is_json_type(req_.get_header_value("Content-Type"));
  // With a length we refuse a wrong type before reading; a chunked body may turn out empty
  // (which needs no type), so it is read first.
  if (require_json_type && !json_type && !chunked) {
    close_connection();
    return error(errc::unsupported_media_type, "send the body as application/json");
  }
  std::string body;
  bool too_large = false, too_slow = false;
  std::uint64_t dropped = 0;
  const auto give_up_at = std::chrono::steady_clock::now() + body_deadline;
  bool ok = (*reader_)([&](const char* data, std::size_t n) {
    // A client trickling bytes holds a pool thread (and delays shutdown): bound the whole
    // body, not only each read.
    if ((stopping_ && stopping_->load()) || std::chrono::steady_clock::now() > give_up_at) {
      too_slow = true;
      return false;
    }
    if (too_large || body.size() + n > lim_.body_bytes) {
      // Past the limit: drop the rest (up to drain_limit) so the answer arrives intact.
      too_large = true;
      dropped += n;
      return dropped <= drain_limit();
    }
    body.append(data, n);
    return true;
  });
  if (too_large) {
    body.clear();
    close_connection();
    return error(errc::payload_too_large,
                 "request body over " + std::to_string(lim_.body_bytes) + " bytes");
  }
  if (!ok) {
    close_connection();
    if (too_slow) return error(errc::invalid_argument, "the request body did not arrive in time");
    return error(errc::invalid_argument, "the request body could not be read");
  }
  if (require_json_type && !json_type && !body.empty()) {
    close_connection();
    return error(errc::unsupported_media_type, "send the body as application/json");
  }
  return body;
}

result<std::optional<json>> exchange::json_body(bool optional) {
  auto text = read_body(true);
  if (!text) return std::move(text).error();
  if (text->empty()) {
    if (optional) return std::optional<json>();
    return error(errc::invalid_json, "a JSON object body is required");
  }
  auto parsed = parse_json(*text, json_parse_options{lim_.json_depth});
  if (!parsed) return std::move(parsed).error();
  if (!parsed->is_object())
    return error(errc::invalid_argument,
                 "the body must be a JSON object, not " + std::string(type_name(*parsed)));
  return std::optional<json>(std::move(*parsed));
}

result<void> exchange::drain_body() {
  if (body_read_) return ok();
  auto text = read_body(false);
  if (!text) return std::move(text).error();
  return ok();
}

}  // namespace af::http
