#include "base/ids.hpp"

#include <sys/random.h>

#include <cstdint>
#include <stdexcept>
#include <vector>

namespace af {
namespace {

bool lower_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

}  // namespace

bool valid_workflow_id(std::string_view id) {
  if (id.empty() || id.size() > 64 || !lower_alnum(id[0])) return false;
  for (char c : id)
    if (!lower_alnum(c) && c != '_' && c != '-') return false;
  return id != "schema" && id != "lint";
}

bool valid_step_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id)
    if (!lower_alnum(c) && c != '_' && c != '-') return false;
  return true;
}

bool is_identifier(std::string_view s) {
  if (s.empty()) return false;
  auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  if (!alpha(s[0])) return false;
  for (char c : s)
    if (!alpha(c) && !(c >= '0' && c <= '9')) return false;
  return true;
}

std::string random_hex(std::size_t n) {
  static constexpr char hex[] = "0123456789abcdef";
  // getrandom(2): the kernel's CSPRNG, one syscall. (std::random_device costs an RDSEED with
  // retries per 4 bytes here: it showed up at 14% of a publish-heavy profile.)
  std::vector<unsigned char> bytes(n);
  std::size_t got = 0;
  while (got < n) {
    ssize_t r = ::getrandom(bytes.data() + got, n - got, 0);
    if (r < 0) throw std::runtime_error("getrandom failed");
    got += static_cast<std::size_t>(r);
  }
  std::string out;
  out.reserve(n * 2);
  for (unsigned char b : bytes) {
    out.push_back(hex[b >> 4]);
    out.push_back(hex[b & 0xf]);
  }
  return out;
}

}  // namespace af
