#include "effects/transfer.hpp"

#include <algorithm>
#include <limits>
#include <memory>
#include <string_view>
#include <vector>

namespace af::effects::detail {
namespace {

bool is_tchar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_token(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), is_tchar);
}

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return lower(x) == lower(y); });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

bool has_header(const http_request& req, std::string_view name) {
  return std::any_of(req.headers.begin(), req.headers.end(),
                     [&](const auto& h) { return iequals(h.first, name); });
}

// Framing headers are computed by libcurl from the body; a caller's copy could disagree with
// the bytes sent and poison the connection for the next call that reuses it.
bool is_framing_header(std::string_view name) {
  return iequals(name, "content-length") || iequals(name, "transfer-encoding");
}

// libcurl hands over one header line at a time, CRLF included, status lines of interim (1xx)
// responses too; a status line starts a new header block.
std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto& t = *static_cast<transfer*>(user);
  const std::size_t len = size * count;
  t.header_bytes += len;
  if (t.header_bytes > max_header_bytes) {
    t.headers_over_limit = true;
    return 0;  // libcurl fails the transfer with CURLE_WRITE_ERROR
  }
  std::string_view line(data, len);
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
  auto& headers = t.response.headers;
  if (line.empty()) return len;
  if (line.substr(0, 5) == "HTTP/") {
    headers.clear();
    return len;
  }
  if (line.front() == ' ' || line.front() == '\t') {  // obsolete line folding
    if (!headers.empty()) {
      headers.back().second += ' ';
      headers.back().second += trim(line);
    }
    return len;
  }
  auto colon = line.find(':');
  if (colon == std::string_view::npos) return len;
  std::string name(line.substr(0, colon));
  std::transform(name.begin(), name.end(), name.begin(), lower);
  headers.emplace_back(std::move(name), std::string(trim(line.substr(colon + 1))));
  return len;
}

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto& t = *static_cast<transfer*>(user);
  const std::size_t len = size * count;
  if (len > t.request.max_response_bytes - t.response.body.size()) {
    t.body_over_limit = true;
    return 0;  // CURLE_WRITE_ERROR
  }
  t.response.body.append(data, len);
  return len;
}

long clamp_millis(std::chrono::milliseconds d) {
  return static_cast<long>(
      std::clamp<std::int64_t>(d.count(), 1, std::numeric_limits<long>::max()));
}

struct curl_url_deleter {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
struct curl_string_deleter {
  void operator()(char* s) const { curl_free(s); }
};

result<void> validate_url(const std::string& url) {
  if (url.find('\0') != std::string::npos) return error{errc::invalid_argument, "url holds a NUL"};
  std::unique_ptr<CURLU, curl_url_deleter> u(curl_url());
  if (!u) return error{errc::internal, "curl_url: out of memory"};
  if (auto rc = curl_url_set(u.get(), CURLUPART_URL, url.c_str(), 0); rc != CURLUE_OK)
    return error{errc::invalid_argument,
                 std::string("url does not parse: ") + curl_url_strerror(rc)};
  char* raw = nullptr;
  if (curl_url_get(u.get(), CURLUPART_SCHEME, &raw, 0) != CURLUE_OK)
    return error{errc::invalid_argument, "url has no scheme"};
  std::unique_ptr<char, curl_string_deleter> scheme(raw);
  if (!iequals(scheme.get(), "http") && !iequals(scheme.get(), "https"))
    return error{errc::invalid_argument,
                 "url scheme must be http or https, not " + std::string(scheme.get())};
  raw = nullptr;
  if (curl_url_get(u.get(), CURLUPART_HOST, &raw, 0) != CURLUE_OK)
    return error{errc::invalid_argument, "url has no host"};
  std::unique_ptr<char, curl_string_deleter> host(raw);
  if (host.get()[0] == '\0') return error{errc::invalid_argument, "url has no host"};
  return ok();
}

// Collects setopt failures so configure() reads as a list of options.
struct options_setter {
  CURL* easy;
  CURLcode first = CURLE_OK;
  template <class T>
  void operator()(CURLoption opt, T value) {
    auto rc = curl_easy_setopt(easy, opt, value);
    if (first == CURLE_OK) first = rc;
  }
};

}  // namespace

transfer::~transfer() {
  curl_slist_free_all(header_list);
}

result<void> validate(const http_request& req) {
  if (!is_token(req.method)) return error{errc::invalid_argument, "http method is not a token"};
  if (req.method == "HEAD" && !req.body.empty())
    return error{errc::invalid_argument, "a HEAD request cannot carry a body"};
  if (auto r = validate_url(req.url); !r) return r;
  for (const auto& [name, value] : req.headers) {
    if (!is_token(name))
      return error{errc::invalid_argument, "header name is not a token: " + name.substr(0, 64)};
    if (value.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos)
      return error{errc::invalid_argument, "header value holds CR, LF or NUL: " + name};
  }
  return ok();
}

result<void> configure(CURL* easy, transfer& t) {
  const http_request& req = t.request;
  for (const auto& [name, value] : req.headers) {
    if (is_framing_header(name)) continue;
    // "Name;" is libcurl's spelling of an empty header ("Name:" would remove it).
    std::string line = value.empty() ? name + ";" : name + ": " + value;
    curl_slist* next = curl_slist_append(t.header_list, line.c_str());
    if (!next) return error{errc::internal, "curl_slist_append: out of memory"};
    t.header_list = next;
  }
  const bool sends_body = req.method != "HEAD" && (!req.body.empty() || req.method == "POST" ||
                                                   req.method == "PUT" || req.method == "PATCH");
  std::vector<const char*> removals;
  if (!has_header(req, "expect")) removals.push_back("Expect:");  // no 100-continue round trip
  if (sends_body && !has_header(req, "content-type")) removals.push_back("Content-Type:");
  for (const char* line : removals) {
    curl_slist* next = curl_slist_append(t.header_list, line);
    if (!next) return error{errc::internal, "curl_slist_append: out of memory"};
    t.header_list = next;
  }

  options_setter set{easy};
  set(CURLOPT_URL, req.url.c_str());
  set(CURLOPT_PRIVATE, static_cast<void*>(&t));
  set(CURLOPT_ERRORBUFFER, t.error_buffer);
  set(CURLOPT_NOSIGNAL, 1L);
  set(CURLOPT_PROTOCOLS_STR, "http,https");
  set(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  set(CURLOPT_FOLLOWLOCATION, 0L);
  set(CURLOPT_PROXY, "");  // "" disables proxies, environment variables included
  set(CURLOPT_CONNECTTIMEOUT_MS, clamp_millis(req.connect_timeout));
  set(CURLOPT_TIMEOUT_MS, clamp_millis(req.timeout));
  set(CURLOPT_TCP_KEEPALIVE, 1L);
  // No CURLOPT_MAXFILESIZE: it judges the Content-Length header, which a HEAD or 304 answer
  // carries without a body. on_body counts the bytes that actually arrive.
  set(CURLOPT_HEADERFUNCTION, &on_header);
  set(CURLOPT_HEADERDATA, static_cast<void*>(&t));
  set(CURLOPT_WRITEFUNCTION, &on_body);
  set(CURLOPT_WRITEDATA, static_cast<void*>(&t));
  set(CURLOPT_HTTPHEADER, t.header_list);
  if (req.method == "HEAD") {
    set(CURLOPT_NOBODY, 1L);
  } else if (req.method == "GET" && req.body.empty()) {
    set(CURLOPT_HTTPGET, 1L);
  } else if (sends_body) {
    set(CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
    set(CURLOPT_POSTFIELDS, req.body.data());
    if (req.method != "POST") set(CURLOPT_CUSTOMREQUEST, req.method.c_str());
  } else {
    set(CURLOPT_CUSTOMREQUEST, req.method.c_str());
  }
  if (set.first != CURLE_OK)
    return error{errc::internal,
                 std::string("curl_easy_setopt failed: ") + curl_easy_strerror(set.first)};
  return ok();
}

result<http_response> conclude(CURL* easy, transfer& t, CURLcode code) {
  const auto& req = t.request;
  if (t.body_over_limit)
    return error{errc::limit_exceeded,
                 "response body over " + std::to_string(req.max_response_bytes) + " bytes"};
  if (t.headers_over_limit)
    return error{errc::limit_exceeded,
                 "response headers over " + std::to_string(max_header_bytes) + " bytes"};
  if (code == CURLE_OK) {
    long status = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    t.response.status = static_cast<int>(status);
    return std::move(t.response);
  }
  std::string what = std::string(curl_easy_strerror(code)) + " (curl " +
                     std::to_string(static_cast<int>(code)) + ")";
  if (t.error_buffer[0] != '\0') what += ": " + std::string(t.error_buffer);
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT: {
      // Nothing was sent before the deadline: the connection (TCP, TLS) never became ready.
      curl_off_t pretransfer = 0;
      curl_easy_getinfo(easy, CURLINFO_PRETRANSFER_TIME_T, &pretransfer);
      if (pretransfer == 0)
        return error{
            errc::timeout,
            "connect timeout (" + std::to_string(req.connect_timeout.count()) + " ms): " + what};
      return error{errc::timeout,
                   "attempt timeout (" + std::to_string(req.timeout.count()) + " ms): " + what};
    }
    case CURLE_URL_MALFORMAT:
      return error{errc::invalid_argument, "url refused: " + what};
    case CURLE_OUT_OF_MEMORY:
    case CURLE_BAD_FUNCTION_ARGUMENT:
    case CURLE_UNKNOWN_OPTION:
    case CURLE_NOT_BUILT_IN:
    case CURLE_FAILED_INIT:
    case CURLE_WRITE_ERROR:  // only our callbacks refuse bytes, and both set a flag first
      return error{errc::internal, "libcurl failed: " + what};
    default:
      // Refused, reset, DNS, TLS, and replies that are not HTTP (libcurl reports HTTP/0.9 as
      // CURLE_UNSUPPORTED_PROTOCOL; the scheme itself was checked before the call started).
      return error{errc::unavailable, what};
  }
}

}  // namespace af::effects::detail
