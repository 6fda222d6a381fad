#include "runtime/problem.hpp"

namespace af::runtime {

json to_json(const problem& p) {
  json j = json::object();
  j["path"] = p.path;
  j["code"] = p.code;
  j["message"] = p.message;
  if (p.position) j["position"] = *p.position;
  return j;
}

json to_json(const std::vector<problem>& ps) {
  json arr = json::array();
  for (const auto& p : ps) arr.push_back(to_json(p));
  return arr;
}

std::string pointer_append(std::string_view base, std::string_view token) {
  std::string out(base);
  out.push_back('/');
  for (char c : token) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out.push_back(c);
  }
  return out;
}

std::string pointer_append(std::string_view base, std::size_t index) {
  std::string out(base);
  out.push_back('/');
  out += std::to_string(index);
  return out;
}

}  // namespace af::runtime
