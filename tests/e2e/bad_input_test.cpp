// Untrusted input against the real binary: every bad request gets the documented error JSON
// with a fitting 4xx, changes nothing, writes nothing outside the data dir, and the node
// stays healthy.
#define BOOST_TEST_MODULE e2e_bad_input
#include <boost/test/unit_test.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <set>

#include "base/json.hpp"
#include "base/result.hpp"
#include "tests/e2e/node_process.hpp"

using af::json;
using namespace af::e2e;

namespace {

const std::string good_definition =
    R"({"name": "Keep", "steps": [{"id": "a", "kind": "transform", "with": {"value": "{{ input.x }}"}}]})";

std::string request(const std::string& method, const std::string& path, const std::string& body,
                    const std::string& content_type = "application/json", bool with_length = true) {
  std::string r = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  if (!content_type.empty()) r += "Content-Type: " + content_type + "\r\n";
  if (with_length) r += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  r += "\r\n" + body;
  return r;
}

std::string chunked(const std::string& method, const std::string& path, std::size_t total,
                    std::size_t chunk, char fill = ' ') {
  std::string r = method + " " + path +
                  " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: "
                  "chunked\r\n\r\n";
  for (std::size_t sent = 0; sent < total; sent += chunk) {
    std::size_t n = std::min(chunk, total - sent);
    char hex[32];
    std::snprintf(hex, sizeof hex, "%zx\r\n", n);
    r += hex + std::string(n, fill) + "\r\n";
  }
  return r + "0\r\n\r\n";
}

struct fixture {
  temp_dir dir;
  node_process node{binary_path(), dir.path() / "data"};
  std::unique_ptr<httplib::Client> http;
  std::string baseline;
  std::set<std::string> files_outside;

  fixture() {
    BOOST_REQUIRE(node.start());
    http = node.client();
    BOOST_REQUIRE(http->Put("/v1/workflows/keep", good_definition, "application/json")->status ==
                  201);
    BOOST_REQUIRE(http->Post("/v1/workflows/keep/publish")->status == 201);
    baseline = snapshot();
    files_outside = entries_beside_data_dir();
  }

  std::string snapshot() {
    auto list = http->Get("/v1/workflows");
    auto one = http->Get("/v1/workflows/keep");
    auto versions = http->Get("/v1/workflows/keep/versions");
    BOOST_REQUIRE(list && one && versions);
    return list->body + one->body + versions->body;
  }

  std::set<std::string> entries_beside_data_dir() {
    std::set<std::string> out;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir.path())) {
      auto rel = std::filesystem::relative(e.path(), dir.path()).string();
      if (rel.rfind("data", 0) != 0) out.insert(rel);
    }
    return out;
  }

  // The answer is the error JSON with `status` and `code`; afterwards the node is healthy
  // and nothing changed.
  void expect_refusal(const std::string& what, const raw_answer& a, int status,
                      const std::string& code) {
    BOOST_TEST_CONTEXT(what) {
      BOOST_TEST(a.status == status);
      auto body = af::parse_json(a.body);
      BOOST_TEST(body.has_value(), "body is JSON: " << a.body.substr(0, 200));
      if (body) {
        BOOST_TEST((*body)["error"]["code"] == code);
        BOOST_TEST((*body)["error"]["message"].is_string());
        BOOST_TEST((*body)["error"]["details"].is_array());
      }
      auto health = node.client()->Get("/healthz");
      BOOST_TEST((health && health->status == 200));
      BOOST_TEST(snapshot() == baseline);
      BOOST_TEST((entries_beside_data_dir() == files_outside));
    }
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(bad_input, fixture)

BOOST_AUTO_TEST_CASE(malformed_json_bodies_are_400_invalid_json) {
  const std::string path = "/v1/workflows/keep";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"truncated", R"({"steps": [)"},
      {"invalid utf-8", "{\"name\": \"\xff\xfe\", \"steps\": []}"},
      {"duplicate keys", R"({"name": "a", "name": "b", "steps": []})"},
      {"integer beyond int64", R"({"props": {"n": 18446744073709551616}, "steps": []})"},
      {"number beyond double", R"({"props": {"n": 1e400}, "steps": []})"},
      {"10,000-deep nesting", std::string(10000, '[') + std::string(10000, ']')},
      {"65 levels deep", "{\"props\": " + std::string(64, '[') + std::string(64, ']') + "}"},
      {"two documents", "{} {}"},
      {"not JSON at all", "hello"},
  };
  for (const auto& [what, body] : cases)
    expect_refusal(what, raw_request(node.port(), request("PUT", path, body)), 400, "invalid_json");
}

BOOST_AUTO_TEST_CASE(wrong_shapes_are_400_or_422) {
  const std::string path = "/v1/workflows/keep";
  for (const char* body : {"[]", "\"x\"", "1", "null"})
    expect_refusal(std::string("non-object ") + body,
                   raw_request(node.port(), request("PUT", path, body)), 400, "invalid_argument");
  expect_refusal("id differs",
                 raw_request(node.port(), request("PUT", path, R"({"id": "other", "steps": []})")),
                 400, "invalid_argument");
  expect_refusal("wrong types",
                 raw_request(node.port(), request("PUT", path, R"({"name": 5, "steps": "x"})")),
                 422, "invalid_definition");
  expect_refusal("empty body", raw_request(node.port(), request("PUT", path, "")), 400,
                 "invalid_json");
  expect_refusal("rollback with a string",
                 raw_request(node.port(),
                             request("POST", "/v1/workflows/keep/rollback", R"({"version": "x"})")),
                 400, "invalid_argument");
}

BOOST_AUTO_TEST_CASE(non_json_content_types_are_415) {
  for (const char* type : {"text/plain", "application/x-www-form-urlencoded",
                           "multipart/form-data; boundary=x", "application/jsonx"}) {
    auto a = raw_request(node.port(), request("PUT", "/v1/workflows/keep", good_definition, type));
    expect_refusal(type, a, 415, "unsupported_media_type");
    BOOST_TEST(a.closed, type);  // the unread body must not become the next request
  }
  // JSON with parameters and +json types are JSON.
  auto a = raw_request(node.port(), request("POST", "/v1/workflows/lint", good_definition,
                                            "application/json; charset=utf-8"));
  BOOST_TEST(a.status == 200);
  auto b = raw_request(node.port(), request("POST", "/v1/workflows/lint", good_definition,
                                            "application/vnd.actorflow+json"));
  BOOST_TEST(b.status == 200);
  // An empty POST needs no Content-Type.
  auto c = raw_request(node.port(), request("POST", "/v1/workflows/keep/publish", "", ""));
  BOOST_TEST(c.status == 200);
}

BOOST_AUTO_TEST_CASE(bodies_over_the_limit_are_413_however_they_are_framed) {
  const std::string big(2 << 20, ' ');
  auto with_length = raw_request(node.port(), request("PUT", "/v1/workflows/keep", big));
  expect_refusal("2 MiB with Content-Length", with_length, 413, "payload_too_large");
  BOOST_TEST(with_length.closed);
  auto chunk = raw_request(node.port(), chunked("PUT", "/v1/workflows/keep", 2 << 20, 64 << 10));
  expect_refusal("2 MiB chunked", chunk, 413, "payload_too_large");
  BOOST_TEST(chunk.closed);
  // Neither length nor chunking: there is no body (RFC 9112), so the PUT lacks one; the
  // bytes that follow are not read as a body and never hang the node.
  auto neither =
      raw_request(node.port(), request("PUT", "/v1/workflows/keep", big, "application/json", false),
                  std::chrono::seconds(15));
  expect_refusal("2 MiB with neither", neither, 400, "invalid_json");
}

BOOST_AUTO_TEST_CASE(small_chunked_bodies_are_accepted) {
  std::string r =
      "POST /v1/workflows/lint HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Transfer-Encoding: chunked\r\n\r\n";
  for (std::size_t i = 0; i < good_definition.size(); i += 10) {
    auto piece = good_definition.substr(i, 10);
    char hex[16];
    std::snprintf(hex, sizeof hex, "%zx\r\n", piece.size());
    r += hex + piece + "\r\n";
  }
  r += "0\r\n\r\n";
  auto a = raw_request(node.port(), r);
  BOOST_TEST(a.status == 200);
  BOOST_TEST(a.body.find("\"valid\":true") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(bodies_on_routes_without_one_end_the_connection) {
  // httplib reads no body for GET: the bytes must not become the next request.
  auto get = raw_request(node.port(), chunked("GET", "/healthz", 64 << 10, 4096, 'x'));
  BOOST_TEST(get.status == 200);
  BOOST_TEST(get.closed);
  auto with_length = raw_request(
      node.port(),
      request("GET", "/v1/workflows/keep", "DELETE /v1/workflows/keep HTTP/1.1\r\n\r\n"));
  BOOST_TEST(with_length.status == 200);
  BOOST_TEST(with_length.closed);
  BOOST_TEST(snapshot() == baseline);
  // An empty chunked POST is an empty body: no Content-Type needed.
  auto empty = raw_request(node.port(),
                           "POST /v1/workflows/keep/publish HTTP/1.1\r\nHost: x\r\n"
                           "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
  BOOST_TEST(empty.status == 200);
}

BOOST_AUTO_TEST_CASE(a_client_trickling_its_body_does_not_hold_up_shutdown) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(node.port()));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  BOOST_REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  std::string head =
      "PUT /v1/workflows/keep HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Content-Length: 1000\r\n\r\n{";
  BOOST_REQUIRE(::send(fd, head.data(), head.size(), MSG_NOSIGNAL) ==
                static_cast<ssize_t>(head.size()));
  // The node is now inside the body read of that PUT; keep the connection open and silent.
  BOOST_REQUIRE(wait_until([&] { return node.client()->Get("/healthz") != nullptr; },
                           std::chrono::seconds(5)));
  const auto t0 = std::chrono::steady_clock::now();
  int status = node.stop(SIGTERM, std::chrono::seconds(25));
  const auto took = std::chrono::steady_clock::now() - t0;
  ::close(fd);
  BOOST_REQUIRE(status != -1);
  BOOST_TEST(WIFEXITED(status));
  BOOST_TEST(WEXITSTATUS(status) == 0);
  BOOST_TEST(took < std::chrono::seconds(15));
  BOOST_REQUIRE(node.start());  // the fixture's checks run against a live node
  http = node.client();
}

BOOST_AUTO_TEST_CASE(absurd_paging_parameters_are_400) {
  for (const char* q :
       {"limit=-1", "limit=0", "limit=abc", "limit=99999999999999999999", "limit=1001",
        "cursor=AAAA", "cursor=not.signed", "cursor=", "status=bogus"})
    expect_refusal(
        q,
        raw_request(node.port(), request("GET", std::string("/v1/workflows?") + q, "", "", false)),
        400, "invalid_argument");
  std::string long_cursor(5000, 'A');
  expect_refusal("5000-byte cursor",
                 raw_request(node.port(),
                             request("GET", "/v1/workflows?cursor=" + long_cursor, "", "", false)),
                 400, "invalid_argument");
}

BOOST_AUTO_TEST_CASE(bad_ids_are_400_and_long_paths_414) {
  // An encoded slash splits the path: no workflow is addressed at all.
  expect_refusal(
      "..%2F..%2Fetc",
      raw_request(node.port(), request("PUT", "/v1/workflows/..%2F..%2Fetc", good_definition)), 404,
      "not_found");
  for (const char* path : {"/v1/workflows/%2e%2e", "/v1/workflows/..", "/v1/workflows/UPPER",
                           "/v1/workflows/-x", "/v1/workflows/schema", "/v1/workflows/a%00b"})
    expect_refusal(path, raw_request(node.port(), request("PUT", path, good_definition)), 400,
                   "invalid_argument");
  expect_refusal("65-char id",
                 raw_request(node.port(), request("GET", "/v1/workflows/" + std::string(65, 'a'),
                                                  "", "", false)),
                 400, "invalid_argument");
  expect_refusal("10,000-char id",
                 raw_request(node.port(), request("PUT", "/v1/workflows/" + std::string(10000, 'a'),
                                                  good_definition)),
                 414, "uri_too_long");
  expect_refusal("8,000-char id",
                 raw_request(node.port(), request("PUT", "/v1/workflows/" + std::string(8000, 'a'),
                                                  good_definition)),
                 400, "invalid_argument");
}

BOOST_AUTO_TEST_CASE(unknown_routes_are_404_and_wrong_methods_405) {
  expect_refusal("unknown route",
                 raw_request(node.port(), request("GET", "/v2/nothing", "", "", false)), 404,
                 "not_found");
  expect_refusal("deep unknown route",
                 raw_request(node.port(),
                             request("GET", "/v1/workflows/keep/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q",
                                     "", "", false)),
                 404, "not_found");
  auto wrong = raw_request(node.port(), request("PATCH", "/v1/workflows/keep", good_definition));
  expect_refusal("PATCH workflow", wrong, 405, "method_not_allowed");
  BOOST_TEST(wrong.head.find("Allow: ") != std::string::npos);
  expect_refusal("DELETE on the list",
                 raw_request(node.port(), request("DELETE", "/v1/workflows", "", "", false)), 405,
                 "method_not_allowed");
  expect_refusal("unknown method",
                 raw_request(node.port(), request("FOO", "/v1/workflows", "", "", false)), 405,
                 "method_not_allowed");
  expect_refusal("garbage request line", raw_request(node.port(), "NOT HTTP AT ALL\r\n\r\n"), 400,
                 "invalid_argument");
}

BOOST_AUTO_TEST_CASE(state_changes_on_unknown_workflows_are_404) {
  for (const char* what : {"publish", "pause", "resume", "archive", "discard-draft"})
    expect_refusal(
        what,
        raw_request(node.port(),
                    request("POST", std::string("/v1/workflows/ghost/") + what, "", "", false)),
        404, "not_found");
  expect_refusal("delete ghost",
                 raw_request(node.port(), request("DELETE", "/v1/workflows/ghost", "", "", false)),
                 404, "not_found");
}

BOOST_AUTO_TEST_SUITE_END()
