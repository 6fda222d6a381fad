#pragma once
// The configurable limits of DESIGN §7. config/ fills them; http/ and runtime/ obey them.

#include <cstddef>

namespace af {

struct limits {
  std::size_t body_bytes = 1 << 20;            // request body, also when chunked
  std::size_t json_depth = 64;                 // the root counts as 1
  std::size_t steps = 500;                     // steps per workflow
  std::size_t foreach_elements = 10000;        // foreach elements and batch rows
  std::size_t expression_bytes = 4096;         // one {{ }} expression
  std::size_t step_output_bytes = 256 * 1024;  // compact JSON of one step output
};

}  // namespace af
