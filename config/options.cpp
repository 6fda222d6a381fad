#include "config/options.hpp"

#include <fstream>
#include <optional>
#include <sstream>

namespace af::config {
namespace {

error bad(const std::string& field, const std::string& what) {
  return error(errc::invalid_argument, "config: '" + field + "' " + what);
}

result<std::size_t> positive(const json& v, const std::string& field, std::size_t max) {
  if (!v.is_number_integer() || v.get<std::int64_t>() < 1 ||
      static_cast<std::uint64_t>(v.get<std::int64_t>()) > max)
    return bad(field, "must be an integer from 1 to " + std::to_string(max));
  return static_cast<std::size_t>(v.get<std::int64_t>());
}

result<void> read_limits(const json& j, limits& lim) {
  if (!j.is_object()) return bad("limits", "must be an object");
  struct field {
    const char* name;
    std::size_t* slot;
    std::size_t max;
  };
  const field fields[] = {
      {"body_bytes", &lim.body_bytes, 64u << 20},
      {"json_depth", &lim.json_depth, 512},
      {"steps", &lim.steps, 10000},
      {"foreach_elements", &lim.foreach_elements, 1000000},
      {"expression_bytes", &lim.expression_bytes, 1u << 20},
      {"step_output_bytes", &lim.step_output_bytes, 64u << 20},
  };
  for (auto it = j.begin(); it != j.end(); ++it) {
    const field* f = nullptr;
    for (const auto& candidate : fields)
      if (it.key() == candidate.name) f = &candidate;
    if (!f) return bad("limits." + it.key(), "is not a known limit");
    auto v = positive(*it, "limits." + it.key(), f->max);
    if (!v) return v.error();
    *f->slot = *v;
  }
  return ok();
}

result<void> read_api_keys(const json& j, node_options& o) {
  if (!j.is_array()) return bad("api_keys", "must be an array of {key, workspace, role}");
  for (const auto& k : j) {
    auto text = [&](const char* field, const char* fallback) -> std::optional<std::string> {
      auto it = k.find(field);
      if (it == k.end()) return std::string(fallback);
      if (!it->is_string()) return std::nullopt;
      return it->get<std::string>();
    };
    if (!k.is_object() || !k.contains("key"))
      return bad("api_keys", "entries must be objects {key, workspace, role} with a string 'key'");
    auto key = text("key", ""), ws = text("workspace", "default"), role = text("role", "admin");
    if (!key || !ws || !role) return bad("api_keys", "key, workspace and role must be strings");
    o.api_keys.push_back({*key, *ws, *role});
  }
  return ok();
}

result<durability> parse_durability(const std::string& s) {
  if (s == "sync") return durability::sync;
  if (s == "async") return durability::async;
  return bad("durability", "must be \"sync\" or \"async\"");
}

bool valid_log_level(const std::string& s) {
  for (const char* l : {"trace", "debug", "info", "warn", "error", "critical", "off"})
    if (s == l) return true;
  return false;
}

}  // namespace

result<void> validate(const node_options& o) {
  if (!o.api_keys.empty())
    return error(errc::failed_precondition,
                 "config: 'api_keys' is set, but this build has no authentication yet; it will "
                 "not serve an open node you meant to protect. Remove 'api_keys' to run an open "
                 "node on a trusted network.");
  if (o.data_dir.empty()) return bad("data_dir", "must not be empty");
  if (!valid_log_level(o.log_level))
    return bad("log_level", "must be one of trace, debug, info, warn, error, critical, off");
  return ok();
}

std::string node_options::listen() const {
  return listen_host + ":" + std::to_string(listen_port);
}

std::string node_options::effective_public_url() const {
  if (!public_url.empty()) return public_url;
  return "http://" + listen();
}

result<void> parse_listen(const std::string& text, node_options& out) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 >= text.size() || text.size() > 300)
    return bad("listen", "must be host:port, e.g. 127.0.0.1:7400");
  std::string port = text.substr(colon + 1);
  unsigned long n = 0;
  for (char c : port) {
    if (c < '0' || c > '9' || n > 65535) return bad("listen", "port must be a number 0..65535");
    n = n * 10 + static_cast<unsigned long>(c - '0');
  }
  if (n > 65535) return bad("listen", "port must be a number 0..65535");
  out.listen_host = text.substr(0, colon);
  out.listen_port = static_cast<std::uint16_t>(n);
  return ok();
}

result<node_options> from_json(const json& doc, node_options o) {
  if (!doc.is_object()) return bad("", "the config file must hold a JSON object");
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    const std::string& k = it.key();
    const json& v = *it;
    auto need_string = [&]() -> result<std::string> {
      if (!v.is_string()) return bad(k, "must be a string");
      return v.get<std::string>();
    };
    result<void> r;
    if (k == "listen") {
      auto s = need_string();
      r = s ? parse_listen(*s, o) : result<void>(s.error());
    } else if (k == "data_dir") {
      auto s = need_string();
      if (s)
        o.data_dir = *s;
      else
        r = s.error();
    } else if (k == "durability") {
      auto s = need_string();
      auto d = s ? parse_durability(*s) : result<durability>(s.error());
      if (d)
        o.log_durability = *d;
      else
        r = d.error();
    } else if (k == "public_url") {
      auto s = need_string();
      if (s)
        o.public_url = *s;
      else
        r = s.error();
      while (!o.public_url.empty() && o.public_url.back() == '/') o.public_url.pop_back();
    } else if (k == "log_level") {
      auto s = need_string();
      if (s)
        o.log_level = *s;
      else
        r = s.error();
    } else if (k == "http_threads") {
      auto n = positive(v, k, 20000);
      if (n)
        o.http_threads = *n;
      else
        r = n.error();
    } else if (k == "limits") {
      r = read_limits(v, o.lim);
    } else if (k == "api_keys") {
      r = read_api_keys(v, o);
    } else {
      r = bad(k, "is not a known option (see docs/configuration.md)");
    }
    if (!r) return r.error();
  }
  return o;
}

result<node_options> load(const overrides& flags) {
  node_options o;
  if (flags.config_file) {
    std::ifstream in(*flags.config_file, std::ios::binary);
    if (!in)
      return error(errc::invalid_argument, "cannot read config file '" + *flags.config_file + "'");
    std::stringstream buf;
    buf << in.rdbuf();
    auto doc = parse_json(buf.str());
    if (!doc)
      return error(errc::invalid_argument,
                   "config file '" + *flags.config_file + "': " + doc.error().message);
    auto parsed = from_json(*doc, o);
    if (!parsed) return parsed.error();
    o = std::move(*parsed);
  }
  if (flags.listen) {
    if (auto r = parse_listen(*flags.listen, o); !r) return r.error();
  }
  if (flags.data_dir) o.data_dir = *flags.data_dir;
  if (flags.durability) {
    auto d = parse_durability(*flags.durability);
    if (!d) return d.error();
    o.log_durability = *d;
  }
  if (flags.log_level) o.log_level = *flags.log_level;
  if (auto r = validate(o); !r) return r.error();
  return o;
}

}  // namespace af::config
