#include "http/paging.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace af::http {
namespace {

constexpr char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::size_t max_cursor_bytes = 512;

std::string encode64(std::string_view in) {
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : in) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(b64url[(acc >> bits) & 0x3f]);
    }
  }
  if (bits > 0) out.push_back(b64url[(acc << (6 - bits)) & 0x3f]);
  return out;
}

std::optional<std::string> decode64(std::string_view in) {
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    const char* p = std::char_traits<char>::find(b64url, 64, c);
    if (!p) return std::nullopt;
    acc = (acc << 6) | static_cast<std::uint32_t>(p - b64url);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return out;
}

error bad_cursor() {
  return error(errc::invalid_argument, "invalid cursor; pass back next_cursor exactly as given");
}

}  // namespace

std::string cursor_codec::sign(std::string_view data) const {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret_.data(), static_cast<int>(secret_.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &len);
  return encode64(std::string_view(reinterpret_cast<const char*>(mac), 16));
}

std::string cursor_codec::encode(std::string_view kind, std::string_view payload) const {
  std::string signed_text(kind);
  signed_text.push_back('\n');
  signed_text.append(payload);
  return encode64(payload) + "." + sign(signed_text);
}

result<std::string> cursor_codec::decode(std::string_view kind, std::string_view cursor) const {
  if (cursor.empty() || cursor.size() > max_cursor_bytes) return bad_cursor();
  auto dot = cursor.find('.');
  if (dot == std::string_view::npos) return bad_cursor();
  auto payload = decode64(cursor.substr(0, dot));
  if (!payload) return bad_cursor();
  std::string signed_text(kind);
  signed_text.push_back('\n');
  signed_text.append(*payload);
  const std::string expected = sign(signed_text);
  const auto given = cursor.substr(dot + 1);
  // Constant-time comparison: the signature must not leak through timing.
  if (given.size() != expected.size()) return bad_cursor();
  unsigned char diff = 0;
  for (std::size_t i = 0; i < given.size(); ++i)
    diff |= static_cast<unsigned char>(given[i] ^ expected[i]);
  if (diff != 0) return bad_cursor();
  return std::move(*payload);
}

result<page_request> read_page(const exchange& ex, const cursor_codec& codec,
                               std::string_view kind) {
  page_request page;
  if (auto limit = ex.query("limit")) {
    const std::string& s = *limit;
    std::size_t n = 0;
    bool digits = !s.empty() && s.size() <= 4;
    for (char c : s) {
      if (c < '0' || c > '9')
        digits = false;
      else
        n = n * 10 + static_cast<std::size_t>(c - '0');
    }
    if (!digits || n < 1 || n > 1000)
      return error(errc::invalid_argument, "limit must be an integer from 1 to 1000");
    page.limit = n;
  }
  if (auto cursor = ex.query("cursor")) {
    auto payload = codec.decode(kind, *cursor);
    if (!payload) return std::move(payload).error();
    page.after = std::move(*payload);
  }
  return page;
}

json page_body(json data, const std::optional<std::string>& next_cursor) {
  json body = json::object();
  body["data"] = std::move(data);
  body["next_cursor"] = next_cursor ? json(*next_cursor) : json(nullptr);
  return body;
}

}  // namespace af::http
