#include "runtime/run_request.hpp"

#include <algorithm>

#include "base/duration.hpp"
#include "runtime/expression.hpp"

namespace af::runtime {
namespace {

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  return true;
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

json run_scope(const run_state& st) {
  json r = json::object();
  r["id"] = st.id;
  r["mode"] = st.mode;
  r["workflow_id"] = st.workflow_id;
  r["version"] = st.version;
  return r;
}

const json& empty_secrets() {
  static const json none = json::object();
  return none;
}

std::string percent_encode(std::string_view s) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

result<json> build_http_request(const json& with, std::string_view run_id, std::string_view item_id,
                                std::optional<millis> step_timeout) {
  json req = json::object();
  std::string method = "GET";
  if (auto m = with.find("method"); m != with.end() && !m->is_null()) {
    if (!m->is_string() || m->get_ref<const std::string&>().empty())
      return error(errc::invalid_argument, "http method must be a non-empty string");
    method = m->get<std::string>();
    for (auto& c : method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  auto u = with.find("url");
  if (u == with.end() || !u->is_string())
    return error(errc::invalid_argument, "http url must be a string");
  std::string url = u->get<std::string>();
  if (!starts_with_ci(url, "http://") && !starts_with_ci(url, "https://"))
    return error(errc::invalid_argument,
                 "'" + url.substr(0, 200) + "' is not an http:// or https:// URL");
  if (auto q = with.find("query"); q != with.end() && q->is_object()) {
    for (const auto& [k, v] : q->items()) {
      url.push_back(url.find('?') == std::string::npos ? '?' : '&');
      url += percent_encode(k) + "=" + percent_encode(interpolate(v));
    }
  }
  json headers = json::array();
  bool has_type = false;
  if (auto h = with.find("headers"); h != with.end() && h->is_object()) {
    for (const auto& [k, v] : h->items()) {
      if (lower(k) == "idempotency-key") continue;  // ours wins: one key per item
      if (lower(k) == "content-type") has_type = true;
      headers.push_back(json::array({k, interpolate(v)}));
    }
  }
  headers.push_back(
      json::array({"Idempotency-Key", std::string(run_id) + "/" + std::string(item_id)}));
  std::string body;
  if (auto b = with.find("body"); b != with.end() && !b->is_null()) {
    if (b->is_string()) {
      body = b->get<std::string>();
    } else {
      body = dump(*b);
      if (!has_type) headers.push_back(json::array({"Content-Type", "application/json"}));
    }
  }
  millis timeout = 0;
  if (auto t = with.find("timeout"); t != with.end() && t->is_string())
    if (auto d = parse_duration(t->get_ref<const std::string&>())) timeout = *d;
  if (step_timeout) timeout = timeout ? std::min(timeout, *step_timeout) : *step_timeout;
  if (!timeout) timeout = 30000;
  req["method"] = method;
  req["url"] = std::move(url);
  req["headers"] = std::move(headers);
  req["body"] = std::move(body);
  req["expect"] = with.contains("expect") ? with["expect"] : json::array({"2xx"});
  req["timeout_ms"] = timeout;
  req["connect_timeout_ms"] = std::min<millis>(5000, timeout);
  return req;
}

bool status_expected(const json& expect, int status) {
  if (!expect.is_array()) return status >= 200 && status < 300;
  for (const auto& e : expect) {
    if (e.is_number_integer() && e.get<int>() == status) return true;
    if (e.is_string()) {
      const auto& s = e.get_ref<const std::string&>();
      if (s.size() == 3 && (s[1] == 'x' || s[1] == 'X') && s[0] >= '1' && s[0] <= '5' &&
          status / 100 == s[0] - '0')
        return true;
    }
  }
  return false;
}

json http_output(const http_result& r) {
  json out = json::object();
  out["status"] = r.status;
  json headers = json::object();
  bool is_json = false;
  for (const auto& [name, value] : r.headers) {
    if (name == "content-type" && value.find("json") != std::string::npos) is_json = true;
    if (headers.contains(name))
      headers[name] = headers[name].get<std::string>() + ", " + value;
    else
      headers[name] = value;
  }
  out["headers"] = std::move(headers);
  if (is_json && !r.body.empty()) {
    if (auto parsed = parse_json(r.body)) {
      out["body"] = std::move(*parsed);
      return out;
    }
  }
  out["body"] = r.body;
  return out;
}

}  // namespace af::runtime
