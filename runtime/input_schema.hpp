#pragma once
// A workflow's input_schema: the subset of JSON Schema that DESIGN §9 allows, checked by lint
// and applied to the input of every run (a failure answers 400 invalid_argument).
//
// Keywords: type, properties, required, additionalProperties, items, enum, const, minimum,
// maximum, minLength, maxLength, minItems, maxItems; plus the annotations title and description,
// accepted because editors and generators write them and they change nothing. Any other
// keyword ($ref, pattern, format, default, oneOf, ...) is a lint problem, so a schema never
// silently checks less than its author thinks. Schemas are objects (a boolean is allowed only
// as additionalProperties) nested at most max_input_schema_depth deep.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "base/json.hpp"
#include "runtime/problem.hpp"

namespace af::runtime {

// The root schema is depth 1; each properties/items/additionalProperties step adds one.
inline constexpr std::size_t max_input_schema_depth = 32;
// validate_input returns at most this many problems (a huge array of wrong elements must not turn
// a 1 MiB body into a far larger answer). When there are more, it stops looking and its last
// entry, at path "", says the list was cut.
inline constexpr std::size_t max_validation_problems = 100;

// Lint: every problem in `schema`, located by JSON Pointers under `path` (e.g. "/input_schema"
// gives "/input_schema/properties/age/minimum"). Codes: type (a keyword's value or a schema has
// the wrong JSON type), invalid_schema (unsupported keyword, unknown type name, negative or
// fractional length, empty enum or type list, duplicate required name, minimum above maximum
// and the like), limit_exceeded (nesting deeper than max_input_schema_depth; nothing below is
// examined). Never throws; work is linear in the size of `schema`.
std::vector<problem> check_input_schema(const json& schema, std::string_view path);

struct validation_problem {
  std::string path;     // JSON Pointer into the validated value ("" = the whole input)
  std::string message;  // one sentence, e.g. "must be at least 3 characters long"
};

// Validates `value` against `schema`, which must have passed check_input_schema (anything else
// is validated as far as it makes sense, never crashes). Reports every problem (up to
// max_validation_problems) in a stable order: for an object, missing required properties first,
// then its members in their order. A missing required property is reported at the
// property's own path ("/email"); a value of the wrong type gets only the type problem.
// "integer" matches integral numbers, 2.0 included; lengths count code points; enum and const
// compare with af::same_value (1 == 1.0, key order ignored). Work is bounded by the sizes of
// `value` and `schema`; recursion by the schema's depth.
std::vector<validation_problem> validate_input(const json& schema, const json& value);

}  // namespace af::runtime
