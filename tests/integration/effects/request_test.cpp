// What goes over the wire: requests arrive as sent, responses come back with their status,
// lower-cased headers in order and raw bodies; connections are kept alive and reused.

#include <boost/test/unit_test.hpp>

#include <set>

#include "tests/integration/effects/test_support.hpp"

namespace af::effects::test {
namespace {

// What a handler saw of one request.
struct seen_request {
  std::string method, target, body, version;
  httplib::Headers headers;
  int remote_port = 0;
};

struct recording_server {
  http_server http;
  std::mutex mu;
  std::vector<seen_request> seen;

  recording_server() {
    auto record = [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mu);
      seen.push_back({req.method, req.target, req.body, req.version, req.headers, req.remote_port});
      res.set_content("ok", "text/plain");
    };
    auto pattern = R"(/.*)";
    http.server().Get(pattern, record);
    http.server().Post(pattern, record);
    http.server().Put(pattern, record);
    http.server().Patch(pattern, record);
    http.server().Delete(pattern, record);
    http.server().Options(pattern, record);
    http.start();
  }
  seen_request last() {
    std::lock_guard lock(mu);
    BOOST_REQUIRE(!seen.empty());
    return seen.back();
  }
};

std::vector<std::string> values(const httplib::Headers& h, const std::string& name) {
  std::vector<std::string> out;
  auto [lo, hi] = h.equal_range(name);
  for (auto it = lo; it != hi; ++it) out.push_back(it->second);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(requests)

BOOST_AUTO_TEST_CASE(get_arrives_with_method_path_query_and_headers_as_sent) {
  recording_server srv;
  http_client client;
  http_request req;
  req.url = srv.http.url("/v1/items?q=" + url_encode("a b&c") + "&n=2");
  req.headers = {
      {"X-Trace", "abc-123"}, {"Authorization", "Bearer t0k"}, {"X-Dup", "1"}, {"X-Dup", "2"}};
  auto r = call(client, req);
  BOOST_REQUIRE(r.has_value());
  BOOST_TEST(r->status == 200);
  BOOST_TEST(r->body == "ok");
  auto s = srv.last();
  BOOST_TEST(s.method == "GET");
  BOOST_TEST(s.target == "/v1/items?q=a%20b%26c&n=2");
  BOOST_TEST(s.version == "HTTP/1.1");
  BOOST_TEST(values(s.headers, "X-Trace") == std::vector<std::string>{"abc-123"});
  BOOST_TEST(values(s.headers, "Authorization") == std::vector<std::string>{"Bearer t0k"});
  BOOST_TEST((values(s.headers, "X-Dup") == std::vector<std::string>{"1", "2"}));
  BOOST_TEST(s.body.empty());
  BOOST_TEST(!s.headers.count("Content-Length"));
  BOOST_TEST(!s.headers.count("Expect"));
}

// httplib drops empty header values, so the bytes are checked on a plain socket.
BOOST_AUTO_TEST_CASE(request_head_on_the_wire_keeps_header_order_and_empty_values) {
  raw_server raw(raw_server::action::reply_and_close,
                 "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n");
  http_client client;
  http_request req;
  req.method = "PURGE";
  req.url = raw.url("/cache/k%2F1?a=1&b=%20");
  req.headers = {{"X-First", "1"}, {"X-Empty", ""}, {"x-lower", " padded "}, {"X-Last", "z"}};
  auto r = call(client, req);
  BOOST_REQUIRE(r.has_value());
  BOOST_TEST(r->status == 204);
  auto head = raw.last_request_head();
  BOOST_TEST(head.rfind("PURGE /cache/k%2F1?a=1&b=%20 HTTP/1.1\r\n", 0) == 0u, head);
  auto first = head.find("X-First: 1\r\n");
  auto empty = head.find("X-Empty:\r\n");
  auto lower = head.find("x-lower:  padded \r\n");
  auto last = head.find("X-Last: z\r\n");
  BOOST_TEST(first != std::string::npos, head);
  BOOST_TEST(empty != std::string::npos, head);
  BOOST_TEST(lower != std::string::npos, head);
  BOOST_TEST(last != std::string::npos, head);
  BOOST_TEST((first < empty && empty < lower && lower < last));
  BOOST_TEST(head.find("Expect") == std::string::npos);
  BOOST_TEST(head.find("Content-Length") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(post_arrives_with_exact_body_and_headers_and_no_expect) {
  recording_server srv;
  http_client client;
  http_request req;
  req.method = "POST";
  req.url = srv.http.url("/hooks/in?x=1");
  // Big enough that libcurl would add "Expect: 100-continue" on its own (over 1 MiB).
  std::string body(std::string("{\"a\":\"\0\xff\"}", 11));
  body += std::string(1100 * 1024, 'z');
  req.body = body;
  req.headers = {{"Content-Type", "application/json"},
                 {"Idempotency-Key", "run_1/step"},
                 {"Content-Length", "3"}};  // ignored: framing follows the body
  auto r = call(client, req);
  BOOST_REQUIRE(r.has_value());
  BOOST_TEST(r->status == 200);
  auto s = srv.last();
  BOOST_TEST(s.method == "POST");
  BOOST_TEST(s.target == "/hooks/in?x=1");
  BOOST_TEST(s.body.size() == body.size());
  BOOST_TEST((s.body == body));
  BOOST_TEST(values(s.headers, "Content-Type") == std::vector<std::string>{"application/json"});
  BOOST_TEST(values(s.headers, "Idempotency-Key") == std::vector<std::string>{"run_1/step"});
  BOOST_TEST(values(s.headers, "Content-Length") ==
             std::vector<std::string>{std::to_string(body.size())});
  BOOST_TEST(!s.headers.count("Expect"));
}

BOOST_AUTO_TEST_CASE(bodies_without_content_type_get_none_and_other_methods_keep_their_name) {
  recording_server srv;
  http_client client;
  struct row {
    std::string method, body;
    bool has_length;
  };
  // (No GET with a body: httplib would not read it and the kept-alive connection would desync.)
  const row rows[] = {{"PUT", "put-body", true}, {"PATCH", "", true},   {"POST", "", true},
                      {"DELETE", "", false},     {"DELETE", "d", true}, {"OPTIONS", "", false}};
  for (const auto& row : rows) {
    http_request req;
    req.method = row.method;
    req.url = srv.http.url("/m");
    req.body = row.body;
    auto r = call(client, req);
    BOOST_REQUIRE(r.has_value());
    auto s = srv.last();
    BOOST_TEST(s.method == row.method);
    BOOST_TEST(s.body == row.body, row.method);
    BOOST_TEST(!s.headers.count("Content-Type"), row.method);
    BOOST_TEST(s.headers.count("Content-Length") == (row.has_length ? 1u : 0u), row.method);
    if (row.has_length)
      BOOST_TEST(s.headers.find("Content-Length")->second == std::to_string(row.body.size()));
  }
}

BOOST_AUTO_TEST_CASE(status_is_passed_through_and_header_names_come_back_lower_cased) {
  http_server srv;
  srv.server().Get("/down", [](const httplib::Request&, httplib::Response& res) {
    res.status = 503;
    res.set_header("Retry-After", "7");
    res.set_header("X-Mixed-CASE", "Keeps Value Case");
    res.set_content(R"({"error":"busy"})", "application/json");
  });
  srv.start();
  http_client client;
  http_request req;
  req.url = srv.url("/down");
  auto r = call(client, req);
  BOOST_REQUIRE(r.has_value());
  BOOST_TEST(r->status == 503);
  BOOST_TEST(r->body == R"({"error":"busy"})");
  auto find = [&](const std::string& name) -> std::string {
    for (const auto& [n, v] : r->headers)
      if (n == name) return v;
    return "<absent>";
  };
  BOOST_TEST(find("retry-after") == "7");
  BOOST_TEST(find("x-mixed-case") == "Keeps Value Case");
  BOOST_TEST(find("content-type") == "application/json");
  for (const auto& [name, value] : r->headers) {
    bool lower =
        std::none_of(name.begin(), name.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
    BOOST_TEST(lower, name);
  }
}

BOOST_AUTO_TEST_CASE(headers_keep_wire_order_fold_and_skip_interim_responses) {
  raw_server raw(raw_server::action::reply_and_close,
                 "HTTP/1.1 100 Continue\r\nX-Interim: 1\r\n\r\n"
                 "HTTP/1.1 201 Created\r\nZ-Last: 1\r\nA-First:  two  \r\nX-Fold: a\r\n  b\r\n"
                 "Content-Length: 4\r\nConnection: close\r\n\r\nbody");
  http_client client;
  http_request req;
  req.url = raw.url("/x");
  auto r = call(client, req);
  BOOST_REQUIRE(r.has_value());
  BOOST_TEST(r->status == 201);
  BOOST_TEST(r->body == "body");
  using hv = std::vector<std::pair<std::string, std::string>>;
  const hv expected = {{"z-last", "1"},
                       {"a-first", "two"},
                       {"x-fold", "a b"},
                       {"content-length", "4"},
                       {"connection", "close"}};
  BOOST_TEST(r->headers.size() == expected.size());
  for (std::size_t i = 0; i < std::min(expected.size(), r->headers.size()); ++i) {
    BOOST_TEST(r->headers[i].first == expected[i].first);
    BOOST_TEST(r->headers[i].second == expected[i].second);
  }
}

BOOST_AUTO_TEST_CASE(head_returns_headers_without_waiting_for_a_body) {
  http_server srv;
  srv.server().Get("/big", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(std::string(5000, 'x'), "text/plain");
  });
  srv.start();
  http_client client;
  http_request req;
  req.method = "HEAD";
  req.url = srv.url("/big");
  req.timeout = 10s;
  auto t0 = steady::now();
  auto r = call(client, req);
  auto took = millis_since(t0);
  BOOST_REQUIRE(r.has_value());
  BOOST_TEST(r->status == 200);
  BOOST_TEST(r->body.empty());
  BOOST_TEST(took < 2000);  // a client waiting for the 5,000 announced bytes would hit 10 s
  bool has_length = false;
  for (const auto& [n, v] : r->headers) has_length |= (n == "content-length" && v == "5000");
  BOOST_TEST(has_length);
}

BOOST_AUTO_TEST_CASE(sequential_calls_reuse_one_kept_alive_connection) {
  recording_server srv;
  http_client client;
  for (int i = 0; i < 10; ++i) {
    http_request req;
    req.method = i % 2 ? "POST" : "GET";
    req.body = i % 2 ? "b" : "";
    req.url = srv.http.url("/k/" + std::to_string(i));
    auto r = call(client, req);
    BOOST_REQUIRE(r.has_value());
  }
  std::set<int> ports;
  {
    std::lock_guard lock(srv.mu);
    for (const auto& s : srv.seen) ports.insert(s.remote_port);
    BOOST_TEST(srv.seen.size() == 10u);
  }
  BOOST_TEST(ports.size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace af::effects::test
