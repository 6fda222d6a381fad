#pragma once
// Identifier rules (DESIGN §3, §9) as small hand-written scanners: never std::regex on
// untrusted input (its recursion overflows the stack on long strings).

#include <string>
#include <string_view>

namespace af {

// [a-z0-9][a-z0-9_-]{0,63}, and not a reserved word ("schema", "lint").
bool valid_workflow_id(std::string_view id);
// [a-z0-9_-]{1,64}
bool valid_step_id(std::string_view id);
// [A-Za-z_][A-Za-z0-9_]*  — a name that dotted access can reach.
bool is_identifier(std::string_view s);

// `n` random bytes from the OS, hex-encoded (2n characters).
std::string random_hex(std::size_t n);

}  // namespace af
