// Prints the definition schema (runtime/definition_schema.cpp) on stdout, for
// tests/schema/check_schema.py. Exits 1 when the embedded text does not parse strictly.
#include <cstdio>

#include "base/json.hpp"
#include "base/result.hpp"
#include "runtime/definition_schema.hpp"

int main() {
  const std::string& text = af::runtime::definition_schema_text();
  auto parsed = af::parse_json(text);
  if (!parsed) {
    std::fprintf(stderr, "definition schema does not parse: %s\n", parsed.error().message.c_str());
    return 1;
  }
  std::fwrite(text.data(), 1, text.size(), stdout);
  return std::fflush(stdout) == 0 ? 0 : 1;
}
