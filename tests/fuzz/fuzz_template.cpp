// libFuzzer target: arbitrary bytes as a template string → parse → render against a small
// scope, and as a lone expression. Must never crash, hang or trip a sanitizer.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/json.hpp"
#include "runtime/expression.hpp"
#include "runtime/template.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const af::json input =
      af::json::parse(R"({"a": 1, "b": "x", "c": [1, 2, {"d": null}], "e": {"f": 2.5}})");
  static const af::json steps =
      af::json::parse(R"({"s": {"output": {"v": [1, "2"]}, "status": "succeeded"}})");
  af::runtime::scope sc;
  sc.input = &input;
  sc.props = &input;
  sc.steps = &steps;
  sc.now = 1795313626123;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto t = af::runtime::template_string::parse(text, 4096)) {
    (void)t->render(sc);
    (void)t->references();
  }
  if (auto e = af::runtime::expression::parse(text)) (void)e->evaluate(sc);
  return 0;
}
