#pragma once
// Routes by hand-split path segments, never std::regex on the path (it recurses per
// character). Literal segments win over parameters; a path that matches with another method
// is a 405 with an Allow header; no match is a 404.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "http/exchange.hpp"

namespace af::http {

using handler = std::function<result<response>(exchange&)>;

struct route_match {
  const handler* fn = nullptr;      // null: no route for this method
  std::vector<std::string> params;  // values of {param} segments, in order
  std::string allow;                // for 405: the methods the path takes
  bool path_known = false;
};

class router {
 public:
  // `pattern`: "/v1/workflows/{id}/publish"; `{name}` matches one non-empty segment.
  void add(std::string method, std::string_view pattern, handler fn);
  route_match match(std::string_view method, std::string_view path) const;

 private:
  struct route {
    std::string method;
    std::vector<std::string> segments;  // "{}" marks a parameter
    handler fn;
  };
  std::vector<route> routes_;
};

}  // namespace af::http
