#pragma once
// Node options as plain structs with defaults (docs/configuration.md lists every one), loaded
// from the JSON config file of DESIGN §9 and overridden by command-line flags.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/json.hpp"
#include "base/limits.hpp"
#include "base/result.hpp"

namespace af::config {

enum class durability { sync, async };

struct api_key {
  std::string key;
  std::string workspace;
  std::string role;  // viewer | editor | admin
};

struct node_options {
  std::string listen_host = "127.0.0.1";
  std::uint16_t listen_port = 7400;
  std::string data_dir = "./data";
  durability log_durability = durability::sync;
  std::string public_url;  // empty: "http://<listen>"
  limits lim;
  std::vector<api_key> api_keys;
  std::size_t http_threads = 1536;  // one per open connection (keep-alive, ?wait, streams)
  std::string log_level = "info";

  std::string listen() const;  // "host:port"
  std::string effective_public_url() const;
};

// Flags of `actorflow serve`; each set one wins over the file.
struct overrides {
  std::optional<std::string> listen;
  std::optional<std::string> data_dir;
  std::optional<std::string> config_file;
  std::optional<std::string> durability;
  std::optional<std::string> log_level;
};

// Reads the config file (if any), applies the flags, validates. Errors name the field and
// say what is accepted (errc::invalid_argument), or the file that cannot be read.
result<node_options> load(const overrides& flags);

// The same from an already-parsed config document (tests, and load()).
result<node_options> from_json(const json& doc, node_options base = {});

// Checks a complete set of options: refuses api_keys (no authentication in this build yet),
// an empty data dir, an unknown log level.
result<void> validate(const node_options& o);

// "host:port" with a numeric port 1..65535 (port 0 allowed: pick any, for tests).
result<void> parse_listen(const std::string& text, node_options& out);

}  // namespace af::config
