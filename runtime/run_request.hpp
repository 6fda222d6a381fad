#pragma once
// Helpers of the run machine that turn rendered step config into what the world sees: the
// outbound request of an `http` step and its output (DESIGN §9 "Step kinds", "Execution").

#include <optional>
#include <string>
#include <string_view>

#include "base/clock.hpp"
#include "base/json.hpp"
#include "base/result.hpp"
#include "runtime/run.hpp"

namespace af::runtime {

// `run` in expressions: {id, mode, workflow_id, version}.
json run_scope(const run_state& st);
// `secrets` until the secrets store exists: an empty object (a missing name reads as null).
const json& empty_secrets();

// The request an `http` step sends, from its rendered `with`:
// {method, url, headers: [[name, value]...], body, expect, timeout_ms, connect_timeout_ms}.
// Query values are percent-encoded; an object or array body is sent as JSON with that content
// type; Idempotency-Key is `<run_id>/<item_id>`. The attempt timeout is the smaller of the
// step's `timeout` and `with.timeout`, 30 s when neither is set; connect 5 s.
// Errors: invalid_argument (no http(s) URL, a method that is not a string).
result<json> build_http_request(const json& with, std::string_view run_id, std::string_view item_id,
                                std::optional<millis> step_timeout);

// Whether `status` is one of `expect` (statuses and "2xx"-style ranges; null means ["2xx"]).
bool status_expected(const json& expect, int status);

// {status, headers: {lower-cased name: value}, body}: the body parsed when it says JSON.
json http_output(const http_result& r);

std::string percent_encode(std::string_view s);

}  // namespace af::runtime
