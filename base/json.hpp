#pragma once
// The mutable JSON value of actorflow and its strict parser.
//
// `af::json` is nlohmann::ordered_json: objects keep insertion order (DESIGN §9: keys()
// keeps it, and definitions read back as they were written). Bytes from outside become
// values only through parse_json(), which uses simdjson's validating DOM parser and adds the
// checks simdjson leaves out (duplicate keys, integers outside int64).

#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace af {

using json = nlohmann::ordered_json;

template <class T>
class result;

struct json_parse_options {
  std::size_t max_depth = 64;  // the root counts as 1
};

// Parses `text` strictly: valid UTF-8, no duplicate keys, integers within int64, doubles
// within range, nesting at most max_depth. Fails with errc::invalid_json and a message that
// says what is wrong. Thread-safe (one simdjson parser per thread).
result<json> parse_json(std::string_view text, const json_parse_options& opts = {});

// Compact JSON; invalid UTF-8 inside strings is replaced rather than thrown on.
std::string dump(const json& value);

// Structural equality that ignores object key order and compares numbers by value
// (1 == 1.0). Used to tell whether two definitions or two request bodies are "the same".
bool same_value(const json& a, const json& b);

// A short description of a value's type for messages: "string", "object", "integer"...
std::string_view type_name(const json& value);

}  // namespace af
