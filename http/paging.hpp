#pragma once
// List parameters (DESIGN §9): `limit` 1..1000, default 50; `cursor` opaque, signed with the
// node's secret so a forged or altered cursor is a 400, never a scan from a made-up place.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "http/exchange.hpp"

namespace af::http {

class cursor_codec {
 public:
  explicit cursor_codec(std::string secret) : secret_(std::move(secret)) {}
  // `kind` keeps a cursor of one list from being used on another.
  std::string encode(std::string_view kind, std::string_view payload) const;
  // The payload, or invalid_argument for anything this node did not issue for `kind`.
  result<std::string> decode(std::string_view kind, std::string_view cursor) const;

 private:
  std::string sign(std::string_view data) const;
  std::string secret_;
};

struct page_request {
  std::size_t limit = 50;
  std::optional<std::string> after;  // decoded cursor payload
};

result<page_request> read_page(const exchange& ex, const cursor_codec& codec,
                               std::string_view kind);

// {"data": [...], "next_cursor": "..." | null}
json page_body(json data, const std::optional<std::string>& next_cursor);

}  // namespace af::http
