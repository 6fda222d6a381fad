#pragma once
// A lint problem: what is wrong with a definition, where (an RFC 6901 JSON Pointer into the
// definition, with array indices: "/steps/2/needs/0"), and for expressions the 1-based column.
// The codes form a closed list, documented in docs/lint.md; never reuse one for a new meaning.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/json.hpp"

namespace af::runtime {

namespace problem_code {
inline constexpr std::string_view required = "required";  // a required field is missing
inline constexpr std::string_view type = "type";          // wrong JSON type
inline constexpr std::string_view unknown_field =
    "unknown_field";  // a field this place does not know
inline constexpr std::string_view invalid_value =
    "invalid_value";                                          // outside the allowed values or range
inline constexpr std::string_view invalid_id = "invalid_id";  // breaks the id rule
inline constexpr std::string_view duplicate_id = "duplicate_id";  // two steps share an id
inline constexpr std::string_view unknown_kind = "unknown_kind";  // step kind not in DESIGN §3
inline constexpr std::string_view unknown_step =
    "unknown_step";                                 // needs/next/fallback names no step
inline constexpr std::string_view cycle = "cycle";  // the step graph has a cycle
inline constexpr std::string_view invalid_duration = "invalid_duration";
inline constexpr std::string_view invalid_time = "invalid_time";  // not an RFC 3339 time
inline constexpr std::string_view invalid_cron = "invalid_cron";
inline constexpr std::string_view invalid_topic = "invalid_topic";
inline constexpr std::string_view expression_syntax =
    "expression_syntax";  // template/expression does not parse
inline constexpr std::string_view unknown_reference =
    "unknown_reference";  // a name not in scope, a step not upstream
inline constexpr std::string_view limit_exceeded =
    "limit_exceeded";  // too many steps, expression too long
inline constexpr std::string_view invalid_schema =
    "invalid_schema";  // input_schema outside the supported subset
}  // namespace problem_code

struct problem {
  std::string path;                     // JSON Pointer, "" for the whole definition
  std::string code;                     // one of problem_code
  std::string message;                  // what is wrong and what to do, one sentence
  std::optional<std::size_t> position;  // 1-based column inside an expression string
};

// {"path", "code", "message", "position"?}
json to_json(const problem& p);
json to_json(const std::vector<problem>& ps);

// Appends an RFC 6901-escaped token ("~" → "~0", "/" → "~1") to a pointer.
std::string pointer_append(std::string_view base, std::string_view token);
std::string pointer_append(std::string_view base, std::size_t index);

}  // namespace af::runtime
