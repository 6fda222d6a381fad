#pragma once
// Definition lint (DESIGN §3, §5, §9 "Lint and workflow answers"): every problem of a workflow
// definition at once, each with an RFC 6901 JSON Pointer into the definition, a code from the
// closed list of runtime/problem.hpp and a message a user can act on. The rules and the codes
// are documented in docs/lint.md.
//
// Pure and thread-safe: no I/O, no clock. Input is untrusted: any JSON value is accepted and
// nothing recurses without a bound (the JSON parser has already bounded depth and size).

#include <vector>

#include "base/json.hpp"
#include "base/limits.hpp"
#include "runtime/problem.hpp"

namespace af::runtime {

// Every problem of `definition`, in document order (the order of the fields and array elements
// the problems point at; problems at one place keep the order they were found in). Empty means
// valid. The body "id" is optional and checked only for its syntax: comparing it with the id in
// the URL is the HTTP layer's 400, not a lint problem.
// At most max_problems are listed, then one limit_exceeded problem at "" says how many more.
inline constexpr std::size_t max_problems = 1000;
std::vector<problem> lint(const json& definition, const limits& lim);

}  // namespace af::runtime
