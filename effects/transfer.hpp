#pragma once
// One call's state while the loop drives it, and the libcurl details of a single transfer:
// checking the request, setting up an easy handle, collecting the answer, mapping CURLcode to
// af::error. Private to effects/: only http_client.cpp includes it.

#include <curl/curl.h>

#include <cstddef>
#include <string>

#include "base/result.hpp"
#include "effects/http_client.hpp"

namespace af::effects::detail {

// Response headers beyond this (all lines, interim responses included) fail the call.
inline constexpr std::size_t max_header_bytes = 256 * 1024;

struct transfer {
  http_request request;
  http_done done;
  http_response response;
  curl_slist* header_list = nullptr;  // owned; must outlive the transfer
  std::size_t header_bytes = 0;       // every header line received so far
  bool body_over_limit = false;       // set by the write callback when it refused bytes
  bool headers_over_limit = false;    // set by the header callback
  char error_buffer[CURL_ERROR_SIZE] = {};

  transfer(http_request r, http_done d) : request(std::move(r)), done(std::move(d)) {}
  ~transfer();
  transfer(const transfer&) = delete;
  transfer& operator=(const transfer&) = delete;
};

// Rejects what must never reach libcurl: a non-token method, a URL that does not parse or is
// not http(s), a header that is not a token or whose value holds CR, LF or NUL.
result<void> validate(const http_request& req);

// Sets every option of `easy` (fresh or curl_easy_reset) for `t`. `t` must stay at the same
// address until the transfer is removed from the multi handle.
result<void> configure(CURL* easy, transfer& t);

// The outcome of a finished transfer: the response (any status) or the mapped error.
result<http_response> conclude(CURL* easy, transfer& t, CURLcode code);

}  // namespace af::effects::detail
