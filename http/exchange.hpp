#pragma once
// One HTTP request on its way through a route: the request, path parameters, the body reader
// (for methods that carry a body), and what the route answers.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <httplib.h>

#include "base/json.hpp"
#include "base/limits.hpp"
#include "base/result.hpp"

namespace af::http {

// What a route answers on success; errors travel as af::error and become the error JSON.
struct response {
  int status = 200;
  std::optional<json> body;  // nullopt: no body (204)
  std::vector<std::pair<std::string, std::string>> headers;
};

class exchange {
 public:
  // `stopping`: set when the server shuts down; a body still arriving is abandoned.
  exchange(const httplib::Request& req, httplib::Response& res,
           const httplib::ContentReader* reader, const limits& lim,
           const std::atomic<bool>* stopping = nullptr)
      : req_(req), res_(res), reader_(reader), lim_(lim), stopping_(stopping) {}

  // The longest a whole body may take to arrive.
  static constexpr std::chrono::seconds body_deadline{30};

  const httplib::Request& request() const { return req_; }
  httplib::Response& raw_response() { return res_; }
  const std::vector<std::string>& params() const { return params_; }
  void set_params(std::vector<std::string> p) { params_ = std::move(p); }

  // The first value of query parameter `name`.
  std::optional<std::string> query(const std::string& name) const;

  // The body as a JSON object (DESIGN §9): Content-Type application/json or */*+json (415
  // otherwise), at most limits.body_bytes (413, also for chunked bodies, and the connection
  // is closed), strictly parsed (400 invalid_json), and an object (400 invalid_argument).
  // `optional`: an empty body is allowed (any Content-Type) and gives nullopt.
  result<std::optional<json>> json_body(bool optional);

  // Reads and discards the body (within the limits), for routes that take none.
  result<void> drain_body();

  // Marks the connection to be closed after this answer (a body was left unread).
  void close_connection() { close_ = true; }
  bool closing() const { return close_; }

 private:
  result<std::string> read_body(bool require_json_type);
  // How much of an oversized body is read and dropped before the connection is cut.
  std::uint64_t drain_limit() const { return 4 * static_cast<std::uint64_t>(lim_.body_bytes); }

  const httplib::Request& req_;
  httplib::Response& res_;
  const httplib::ContentReader* reader_;
  const limits& lim_;
  const std::atomic<bool>* stopping_;
  std::vector<std::string> params_;
  bool close_ = false;
  bool body_read_ = false;
};

}  // namespace af::http
