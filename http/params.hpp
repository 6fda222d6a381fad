#pragma once
// Path and query parameters shared by several route files. Each check answers
// invalid_argument with a message that says what a valid value looks like.

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

#include "base/result.hpp"
#include "http/exchange.hpp"

namespace af::http {

// Path parameter `param` as a workflow id: [a-z0-9][a-z0-9_-]{0,63}, not "schema" or "lint".
result<std::string> workflow_id(const exchange& ex, std::size_t param = 0);

// A run id as the API shows them: 1 to 200 characters of [A-Za-z0-9_.-]. Anything else could
// not name a run and is a 400, never a 404.
bool valid_run_id(std::string_view id);
result<std::string> run_id(const exchange& ex, std::size_t param = 0);

// The longest `?wait=` a request may hold its answer (DESIGN §9).
inline constexpr std::chrono::milliseconds max_wait{60'000};

// `?wait=<duration>` (base/duration.hpp spelling), 0 < wait <= max_wait; nullopt when absent.
result<std::optional<std::chrono::milliseconds>> wait_param(const exchange& ex);

}  // namespace af::http
