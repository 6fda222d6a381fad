#include "base/json.hpp"

#include <cstdint>
#include <limits>
#include <unordered_set>

#include <simdjson.h>

#include "base/result.hpp"

namespace af {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

struct converter {
  std::size_t max_depth;
  std::string problem;
  std::size_t depth = 0;  // containers open around the element being converted

  bool convert(element e, json& out) {
    switch (e.type()) {
      case element_type::OBJECT: {
        if (++depth > max_depth) return fail("JSON nested too deeply");
        simdjson::dom::object obj;
        if (e.get(obj) != simdjson::SUCCESS) return fail("bad object");
        if (!convert_object(obj, out)) return false;
        --depth;
        return true;
      }
      case element_type::ARRAY: {
        if (++depth > max_depth) return fail("JSON nested too deeply");
        simdjson::dom::array arr;
        if (e.get(arr) != simdjson::SUCCESS) return fail("bad array");
        out = json::array();
        for (element child : arr) {
          json v;
          if (!convert(child, v)) return false;
          out.push_back(std::move(v));
        }
        --depth;
        return true;
      }
      case element_type::STRING: {
        std::string_view sv;
        if (e.get(sv) != simdjson::SUCCESS) return fail("bad string");
        out = std::string(sv);
        return true;
      }
      case element_type::INT64: {
        std::int64_t v = 0;
        if (e.get(v) != simdjson::SUCCESS) return fail("bad integer");
        out = v;
        return true;
      }
      case element_type::UINT64:
        // simdjson accepts integers up to 2^64-1; ours are int64 (DESIGN §9).
        return fail("integer out of int64 range");
      case element_type::DOUBLE: {
        double v = 0;
        if (e.get(v) != simdjson::SUCCESS) return fail("bad number");
        out = v;
        return true;
      }
      case element_type::BOOL: {
        bool v = false;
        if (e.get(v) != simdjson::SUCCESS) return fail("bad boolean");
        out = v;
        return true;
      }
      case element_type::NULL_VALUE:
        out = nullptr;
        return true;
    }
    return fail("unexpected JSON element");
  }

  bool fail(std::string why) {
    problem = std::move(why);
    return false;
  }

  bool convert_object(simdjson::dom::object obj, json& out) {
    out = json::object();
    // Small objects: a linear check is cheaper than hashing; large ones must not go quadratic.
    const bool hashed = obj.size() > 16;
    std::unordered_set<std::string_view> seen;
    for (auto field : obj) {
      if (hashed) {
        if (!seen.insert(field.key).second) return duplicate(field.key);
      } else if (out.find(std::string(field.key)) != out.end()) {
        return duplicate(field.key);
      }
      json v;
      if (!convert(field.value, v)) return false;
      out.emplace(std::string(field.key), std::move(v));
    }
    return true;
  }

  bool duplicate(std::string_view key) {
    std::string shown(key.substr(0, 64));
    problem = "duplicate object key \"" + shown + "\"";
    return false;
  }
};

std::string describe(simdjson::error_code code) {
  switch (code) {
    case simdjson::DEPTH_ERROR:
      return "JSON nested too deeply";
    case simdjson::UTF8_ERROR:
      return "invalid UTF-8 in JSON";
    case simdjson::NUMBER_ERROR:
      return "number out of range or malformed";
    case simdjson::EMPTY:
      return "empty body where JSON was expected";
    case simdjson::UNCLOSED_STRING:
      return "unclosed string";
    case simdjson::TAPE_ERROR:
      return "malformed JSON (truncated or unbalanced)";
    case simdjson::CAPACITY:
      return "JSON document too large";
    default:
      return std::string("malformed JSON: ") + simdjson::error_message(code);
  }
}

}  // namespace

result<json> parse_json(std::string_view text, const json_parse_options& opts) {
  thread_local simdjson::dom::parser parser;
  thread_local std::size_t depth = 0;
  if (depth != opts.max_depth) {
    // simdjson's depth also counts the scalar inside the innermost container, so it gets one
    // level more and the converter checks the exact container depth (root = 1).
    if (parser.allocate(4096, opts.max_depth + 1) != simdjson::SUCCESS)
      return error(errc::internal, "cannot allocate JSON parser");
    depth = opts.max_depth;
  }
  simdjson::padded_string padded(text);
  element root;
  if (auto code = parser.parse(padded).get(root); code != simdjson::SUCCESS)
    return error(errc::invalid_json, describe(code));
  converter c{opts.max_depth};
  json out;
  if (!c.convert(root, out)) return error(errc::invalid_json, c.problem);
  return out;
}

std::string dump(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

bool same_value(const json& a, const json& b) {
  if (a.is_number() && b.is_number()) {
    if (a.is_number_integer() && b.is_number_integer())
      return a.get<std::int64_t>() == b.get<std::int64_t>();
    return a.get<double>() == b.get<double>();
  }
  if (a.type() != b.type()) return false;
  if (a.is_object()) {
    if (a.size() != b.size()) return false;
    for (auto it = a.begin(); it != a.end(); ++it) {
      auto other = b.find(it.key());
      if (other == b.end() || !same_value(*it, *other)) return false;
    }
    return true;
  }
  if (a.is_array()) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
      if (!same_value(a[i], b[i])) return false;
    return true;
  }
  return a == b;
}

std::string_view type_name(const json& value) {
  switch (value.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::boolean:
      return "boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
      return "integer";
    case json::value_t::number_float:
      return "number";
    case json::value_t::string:
      return "string";
    case json::value_t::array:
      return "array";
    case json::value_t::object:
      return "object";
    default:
      return "binary";
  }
}

}  // namespace af
