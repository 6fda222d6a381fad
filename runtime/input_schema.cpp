#include "runtime/input_schema.hpp"

#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <unordered_map>
#include <unordered_set>

namespace af::runtime {
namespace {

constexpr std::string_view supported_keywords =
    "type, properties, required, additionalProperties, items, enum, const, minimum, maximum, "
    "minLength, maxLength, minItems, maxItems, title, description";

constexpr std::string_view type_names[] = {"null",   "boolean", "object", "array",
                                           "number", "integer", "string"};

bool known_type(std::string_view name) {
  for (auto t : type_names)
    if (t == name) return true;
  return false;
}

// A non-negative integer keyword value (2.0 counts, as JSON Schema says); nullopt otherwise.
std::optional<std::uint64_t> as_count(const json& v) {
  if (v.is_number_unsigned()) return v.get<std::uint64_t>();
  if (v.is_number_integer()) {
    auto i = v.get<std::int64_t>();
    if (i < 0) return std::nullopt;
    return static_cast<std::uint64_t>(i);
  }
  if (v.is_number_float()) {
    double d = v.get<double>();
    if (!(d >= 0) || d > 9007199254740992.0 || std::floor(d) != d) return std::nullopt;
    return static_cast<std::uint64_t>(d);
  }
  return std::nullopt;
}

// long double holds every int64, uint64 and double exactly on x86-64, so comparisons of mixed
// integer and floating values need no special cases.
long double as_number(const json& v) {
  if (v.is_number_unsigned()) return static_cast<long double>(v.get<std::uint64_t>());
  if (v.is_number_integer()) return static_cast<long double>(v.get<std::int64_t>());
  return static_cast<long double>(v.get<double>());
}

bool is_integral(const json& v) {
  if (v.is_number_integer()) return true;  // unsigned included
  if (!v.is_number_float()) return false;
  double d = v.get<double>();
  return std::isfinite(d) && std::floor(d) == d;
}

std::size_t code_points(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

// Joins message pieces. (g++ 12 warns falsely, -Wrestrict, on "literal" + std::string&&.)
std::string cat(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (auto p : parts) out.append(p);
  return out;
}

// A user-written name cut to 64 bytes (on a UTF-8 boundary) so that messages stay short.
std::string clip(std::string_view s) {
  if (s.size() <= 64) return std::string(s);
  std::size_t n = 61;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return cat({s.substr(0, n), "..."});
}

// Compact JSON of a schema value for a message, cut so that a huge enum stays readable.
std::string show(const json& v) {
  std::string s = dump(v);
  if (s.size() > 200) s = cat({std::string_view(s).substr(0, 197), "..."});
  return s;
}

class checker {
 public:
  std::vector<problem> problems;

  void check(const json& schema, const std::string& path, std::size_t depth) {
    if (depth > max_input_schema_depth) {
      add(path, problem_code::limit_exceeded,
          cat({"input_schema nests more than ", std::to_string(max_input_schema_depth),
               " schemas deep"}));
      return;
    }
    if (!schema.is_object()) {
      add(path, problem_code::type, cat({"a schema must be an object, got ", type_name(schema)}));
      return;
    }
    for (auto it = schema.begin(); it != schema.end(); ++it)
      check_keyword(it.key(), it.value(), pointer_append(path, it.key()), depth);
    check_bounds(schema, path, "minimum", "maximum");
    check_bounds(schema, path, "minLength", "maxLength");
    check_bounds(schema, path, "minItems", "maxItems");
  }

 private:
  void check_keyword(const std::string& key, const json& v, const std::string& at,
                     std::size_t depth) {
    if (key == "type") return check_type(v, at);
    if (key == "properties") return check_properties(v, at, depth);
    if (key == "required") return check_required(v, at);
    if (key == "items") return check(v, at, depth + 1);
    if (key == "const") return;  // any value
    if (key == "additionalProperties") {
      if (v.is_object()) return check(v, at, depth + 1);
      if (!v.is_boolean())
        add(at, problem_code::type, "additionalProperties must be a boolean or a schema");
      return;
    }
    if (key == "enum") {
      if (!v.is_array())
        add(at, problem_code::type, "enum must be an array");
      else if (v.empty())
        add(at, problem_code::invalid_schema, "enum must list a value");
      return;
    }
    if (key == "minimum" || key == "maximum") {
      if (!v.is_number()) add(at, problem_code::type, cat({key, " must be a number"}));
      return;
    }
    if (key == "minLength" || key == "maxLength" || key == "minItems" || key == "maxItems") {
      std::string message = cat({key, " must be a non-negative integer"});
      if (!v.is_number())
        add(at, problem_code::type, std::move(message));
      else if (!as_count(v))
        add(at, problem_code::invalid_schema, std::move(message));
      return;
    }
    if (key == "title" || key == "description") {
      if (!v.is_string()) add(at, problem_code::type, cat({key, " must be a string"}));
      return;
    }
    add(at, problem_code::invalid_schema,
        cat({"unsupported keyword \"", clip(key), "\"; input_schema supports ",
             supported_keywords}));
  }

  void add(std::string path, std::string_view code, std::string message) {
    problems.push_back(problem{std::move(path), std::string(code), std::move(message), {}});
  }

  void check_type_name(const json& v, const std::string& at) {
    if (!v.is_string()) {
      add(at, problem_code::type, "a type name must be a string");
    } else if (!known_type(v.get_ref<const std::string&>())) {
      add(at, problem_code::invalid_schema,
          cat({"unknown type \"", clip(v.get_ref<const std::string&>()),
               "\"; use null, boolean, object, array, number, integer or string"}));
    }
  }

  void check_type(const json& v, const std::string& at) {
    if (v.is_string()) return check_type_name(v, at);
    if (!v.is_array()) {
      add(at, problem_code::type, "type must be a string or an array of strings");
      return;
    }
    if (v.empty()) add(at, problem_code::invalid_schema, "type must list at least one type");
    std::unordered_set<std::string_view> seen;
    for (std::size_t i = 0; i < v.size(); ++i) {
      check_type_name(v[i], pointer_append(at, i));
      if (v[i].is_string() && !seen.insert(v[i].get_ref<const std::string&>()).second)
        add(pointer_append(at, i), problem_code::invalid_schema,
            cat({"type \"", clip(v[i].get_ref<const std::string&>()), "\" is listed twice"}));
    }
  }

  void check_properties(const json& v, const std::string& at, std::size_t depth) {
    if (!v.is_object()) {
      add(at, problem_code::type, "properties must be an object of schemas");
      return;
    }
    for (auto it = v.begin(); it != v.end(); ++it)
      check(it.value(), pointer_append(at, it.key()), depth + 1);
  }

  void check_required(const json& v, const std::string& at) {
    if (!v.is_array()) {
      add(at, problem_code::type, "required must be an array of property names");
      return;
    }
    std::unordered_set<std::string_view> seen;
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (!v[i].is_string()) {
        add(pointer_append(at, i), problem_code::type, "a required property name must be a string");
      } else if (!seen.insert(v[i].get_ref<const std::string&>()).second) {
        add(pointer_append(at, i), problem_code::invalid_schema,
            cat({"\"", clip(v[i].get_ref<const std::string&>()),
                 "\" is listed twice in required"}));
      }
    }
  }

  // A lower bound above its upper bound makes the schema refuse everything: surely a mistake.
  void check_bounds(const json& schema, const std::string& path, const char* low,
                    const char* high) {
    auto l = schema.find(low);
    auto h = schema.find(high);
    if (l == schema.end() || h == schema.end() || !l->is_number() || !h->is_number()) return;
    if (as_number(*l) > as_number(*h))
      add(pointer_append(path, high), problem_code::invalid_schema, cat({high, " is below ", low}));
  }
};

// Finds members of one object by name: a linear scan for small objects, a hash map for large
// ones, so a wide object against a wide schema stays linear.
class member_index {
 public:
  explicit member_index(const json& object) : object_(object) {
    if (object.size() <= 16) return;
    map_.reserve(object.size());
    for (auto it = object.begin(); it != object.end(); ++it) map_.emplace(it.key(), &it.value());
  }
  const json* find(std::string_view key) const {
    if (object_.size() <= 16) {
      for (auto it = object_.begin(); it != object_.end(); ++it)
        if (it.key() == key) return &it.value();
      return nullptr;
    }
    auto it = map_.find(key);
    return it == map_.end() ? nullptr : it->second;
  }

 private:
  const json& object_;
  std::unordered_map<std::string_view, const json*> map_;
};

class validator {
 public:
  std::vector<validation_problem> problems;
  bool truncated = false;

  void validate(const json& schema, const json& value, const std::string& path, std::size_t depth) {
    if (truncated || depth > max_input_schema_depth || !schema.is_object()) return;
    if (!check_type(schema, value, path)) return;
    if (auto e = schema.find("enum"); e != schema.end() && e->is_array()) {
      bool found = false;
      for (const auto& option : *e) {
        if (same_value(option, value)) {
          found = true;
          break;
        }
      }
      if (!found) add(path, cat({"must be one of ", show(*e)}));
    }
    if (auto c = schema.find("const"); c != schema.end() && !same_value(*c, value))
      add(path, cat({"must equal ", show(*c)}));
    if (value.is_number())
      check_number(schema, value, path);
    else if (value.is_string())
      check_length(schema, code_points(value.get_ref<const std::string&>()), path);
    else if (value.is_array())
      check_array(schema, value, path, depth);
    else if (value.is_object())
      check_object(schema, value, path, depth);
  }

 private:
  void add(const std::string& path, std::string message) {
    if (problems.size() >= max_validation_problems) {
      truncated = true;
      return;
    }
    problems.push_back(validation_problem{path, std::move(message)});
  }

  static bool matches(std::string_view type, const json& v) {
    if (type == "null") return v.is_null();
    if (type == "boolean") return v.is_boolean();
    if (type == "object") return v.is_object();
    if (type == "array") return v.is_array();
    if (type == "string") return v.is_string();
    if (type == "number") return v.is_number();
    if (type == "integer") return is_integral(v);
    return false;
  }

  // False (and one problem) when the value has none of the allowed types.
  bool check_type(const json& schema, const json& value, const std::string& path) {
    auto t = schema.find("type");
    if (t == schema.end()) return true;
    std::string wanted;
    if (t->is_string()) {
      if (matches(t->get_ref<const std::string&>(), value)) return true;
      wanted = t->get<std::string>();
    } else if (t->is_array()) {
      for (const auto& name : *t) {
        if (!name.is_string()) continue;
        if (matches(name.get_ref<const std::string&>(), value)) return true;
        if (!wanted.empty()) wanted += " or ";
        wanted += name.get_ref<const std::string&>();
      }
    }
    if (wanted.empty()) return true;  // a schema that did not pass check_input_schema
    add(path, cat({"must be of type ", wanted, ", got ", type_name(value)}));
    return false;
  }

  void check_number(const json& schema, const json& value, const std::string& path) {
    long double n = as_number(value);
    if (auto m = schema.find("minimum"); m != schema.end() && m->is_number() && n < as_number(*m))
      add(path, cat({"must be at least ", dump(*m)}));
    if (auto m = schema.find("maximum"); m != schema.end() && m->is_number() && n > as_number(*m))
      add(path, cat({"must be at most ", dump(*m)}));
  }

  void check_length(const json& schema, std::size_t length, const std::string& path) {
    if (auto m = schema.find("minLength"); m != schema.end()) {
      auto bound = as_count(*m);
      if (bound && length < *bound)
        add(path, cat({"must be at least ", std::to_string(*bound), " characters long"}));
    }
    if (auto m = schema.find("maxLength"); m != schema.end()) {
      auto bound = as_count(*m);
      if (bound && length > *bound)
        add(path, cat({"must be at most ", std::to_string(*bound), " characters long"}));
    }
  }

  void check_array(const json& schema, const json& value, const std::string& path,
                   std::size_t depth) {
    if (auto m = schema.find("minItems"); m != schema.end()) {
      auto bound = as_count(*m);
      if (bound && value.size() < *bound)
        add(path, cat({"must have at least ", std::to_string(*bound), " items"}));
    }
    if (auto m = schema.find("maxItems"); m != schema.end()) {
      auto bound = as_count(*m);
      if (bound && value.size() > *bound)
        add(path, cat({"must have at most ", std::to_string(*bound), " items"}));
    }
    auto items = schema.find("items");
    if (items == schema.end() || !items->is_object()) return;
    for (std::size_t i = 0; i < value.size() && !truncated; ++i)
      validate(*items, value[i], pointer_append(path, i), depth + 1);
  }

  void check_object(const json& schema, const json& value, const std::string& path,
                    std::size_t depth) {
    member_index members(value);
    if (auto r = schema.find("required"); r != schema.end() && r->is_array()) {
      for (const auto& name : *r) {
        if (!name.is_string()) continue;
        const auto& key = name.get_ref<const std::string&>();
        if (!members.find(key)) add(pointer_append(path, key), "is required");
      }
    }
    const json* properties = nullptr;
    if (auto p = schema.find("properties"); p != schema.end() && p->is_object()) properties = &*p;
    const json* additional = nullptr;
    if (auto a = schema.find("additionalProperties"); a != schema.end()) additional = &*a;
    const member_index* known = properties ? &property_index(*properties) : nullptr;
    for (auto it = value.begin(); it != value.end() && !truncated; ++it) {
      std::string at = pointer_append(path, it.key());
      if (const json* sub = known ? known->find(it.key()) : nullptr) {
        validate(*sub, it.value(), at, depth + 1);
      } else if (additional && additional->is_boolean()) {
        if (!additional->get<bool>()) add(at, "is not an allowed property");
      } else if (additional) {
        validate(*additional, it.value(), at, depth + 1);
      }
    }
  }

  // Built once per properties object, whatever the number of values validated against it.
  const member_index& property_index(const json& properties) {
    auto it = indexes_.find(&properties);
    if (it == indexes_.end()) it = indexes_.emplace(&properties, member_index(properties)).first;
    return it->second;
  }

  std::unordered_map<const json*, member_index> indexes_;
};

}  // namespace

std::vector<problem> check_input_schema(const json& schema, std::string_view path) {
  checker c;
  c.check(schema, std::string(path), 1);
  return std::move(c.problems);
}

std::vector<validation_problem> validate_input(const json& schema, const json& value) {
  validator v;
  v.validate(schema, value, "", 1);
  if (v.truncated) {
    v.problems.back() =
        validation_problem{"", cat({"too many problems; only the first ",
                                    std::to_string(max_validation_problems - 1), " are listed"})};
  }
  return std::move(v.problems);
}

}  // namespace af::runtime
