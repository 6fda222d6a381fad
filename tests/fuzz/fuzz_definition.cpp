// libFuzzer target: arbitrary bytes as a request body → strict JSON parse → lint. Must never
// crash, hang or trip a sanitizer, whatever the bytes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/json.hpp"
#include "base/limits.hpp"
#include "base/result.hpp"
#include "runtime/lint.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto parsed = af::parse_json(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!parsed) return 0;
  (void)af::runtime::lint(*parsed, af::limits{});
  return 0;
}
