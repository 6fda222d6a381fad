#pragma once
// The scope every table row of the expression tests evaluates against, and the helpers that
// compare results strictly (3 and 3.0 are different answers here, unlike same_value).

#include <boost/test/unit_test.hpp>

#include <cstddef>
#include <string>

#include "base/json.hpp"
#include "base/result.hpp"
#include "runtime/expression.hpp"
#include "runtime/template.hpp"

namespace af::runtime::test {

inline json must_parse(const std::string& text) {
  auto r = parse_json(text);
  BOOST_REQUIRE_MESSAGE(r.has_value(), "bad test JSON: " + text);
  return *r;
}

struct test_scope {
  json input = must_parse(R"({
    "email": "a@b.c", "name": "  Ada  ", "n": 5, "pi": 2.5, "zero": 0,
    "big": 9223372036854775807, "min": -9223372036854775808,
    "list": [1, 2, 3], "nested": {"a": {"b": [10, {"c": "deep"}]}},
    "empty_s": "", "empty_a": [], "empty_o": {}, "nul": null, "t": true, "f": false,
    "obj": {"z": 1, "a": 2, "m": 3}, "words": "a,b,,c", "unicode": "h\u00e9llo\u2192\ud83d\ude00",
    "json_text": "{\"k\": [1, 2]}", "k": "score"})");
  json props = must_parse(R"({"threshold": 50})");
  json steps = must_parse(R"({
    "fetch-user": {"output": {"id": 7}, "status": "succeeded", "error": null},
    "score": {"output": {"score": 60}, "status": "succeeded", "error": null}})");
  json item = must_parse(R"({"id": 3})");
  json index = 2;
  json event = must_parse(R"({"data": {"score": 12}})");
  json run = must_parse(R"({"id": "r1", "mode": "live"})");
  json secrets = must_parse(R"({"TOKEN": "s3cr3t"})");
  scope s;

  test_scope() {
    s.input = &input;
    s.props = &props;
    s.steps = &steps;
    s.item = &item;
    s.index = &index;
    s.event = &event;
    s.run = &run;
    s.secrets = &secrets;
    s.now = 1700000000123;  // 2023-11-14T22:13:20.123Z
  }
};

// Compact JSON keeps integer and double apart ("3" vs "3.0") and object key order.
inline std::string strict(const json& j) {
  return dump(j);
}
inline std::string strict(const std::string& json_text) {
  return dump(json::parse(json_text));
}

// Checks an error's code, that its message contains `fragment`, and its position.
inline void check_error(const error& err, errc code, const std::string& fragment,
                        std::size_t position) {
  BOOST_TEST(err.code == code);
  BOOST_TEST(err.message.find(fragment) != std::string::npos,
             "message '" << err.message << "' lacks '" << fragment << "'");
  BOOST_TEST(expression_position(err) == position);
}

}  // namespace af::runtime::test
