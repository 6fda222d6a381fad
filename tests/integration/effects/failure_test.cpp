// How calls fail: timeouts (connect and attempt), refused connections, peers that are not HTTP
// or hang up, oversized responses and requests libcurl must never see. Every failure is a
// value with the documented errc, and every callback runs exactly once.

#include <boost/test/unit_test.hpp>

#include "tests/integration/effects/test_support.hpp"

namespace af::effects::test {
namespace {

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

// Runs every request on a fresh client, stops it, and checks each callback ran exactly once.
std::vector<result<http_response>> run_all(std::vector<http_request> reqs) {
  collector results(reqs.size());
  std::vector<result<http_response>> out;
  {
    http_client client;
    for (std::size_t i = 0; i < reqs.size(); ++i) client.submit(reqs[i], results.slot(i));
    BOOST_REQUIRE(results.wait_all());
    client.stop();
  }
  BOOST_TEST(results.each_called_exactly_once());
  for (std::size_t i = 0; i < reqs.size(); ++i) out.push_back(results.at(i));
  return out;
}

http_request get(std::string url) {
  http_request req;
  req.url = std::move(url);
  req.timeout = 10s;
  return req;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(failures)

BOOST_AUTO_TEST_CASE(a_hanging_handler_fails_with_attempt_timeout_on_time) {
  http_server srv;
  srv.server().Get("/hang", [&](const httplib::Request&, httplib::Response& res) {
    srv.hold().wait();  // released when srv goes away
    res.set_content("late", "text/plain");
  });
  srv.start();
  auto req = get(srv.url("/hang"));
  req.timeout = 300ms;
  auto t0 = steady::now();
  auto r = run_all({req});
  auto took = millis_since(t0);
  BOOST_TEST_MESSAGE("attempt timeout of 300 ms answered after " << took << " ms");
  BOOST_REQUIRE(!r[0].has_value());
  BOOST_TEST(r[0].error().code == errc::timeout);
  BOOST_TEST(contains(r[0].error().message, "attempt timeout"), r[0].error().message);
  BOOST_TEST(took >= 250);  // libcurl's timers round to the millisecond
  BOOST_TEST(took < 300 + 1500);
}

BOOST_AUTO_TEST_CASE(a_connection_that_never_opens_fails_with_connect_timeout) {
  saturated_listener full;  // SYNs are dropped: the handshake never completes
  auto req = get(full.url());
  req.connect_timeout = 300ms;
  auto t0 = steady::now();
  auto r = run_all({req});
  auto took = millis_since(t0);
  BOOST_REQUIRE(!r[0].has_value());
  BOOST_TEST(r[0].error().code == errc::timeout);
  BOOST_TEST(contains(r[0].error().message, "connect timeout"), r[0].error().message);
  BOOST_TEST(took >= 250);
  BOOST_TEST(took < 300 + 1500);
}

BOOST_AUTO_TEST_CASE(a_closed_port_fails_fast_with_unavailable) {
  auto t0 = steady::now();
  auto r = run_all({get("http://127.0.0.1:" + std::to_string(closed_port()) + "/")});
  auto took = millis_since(t0);
  BOOST_REQUIRE(!r[0].has_value());
  BOOST_TEST(r[0].error().code == errc::unavailable);
  BOOST_TEST(contains(r[0].error().message, "connect"), r[0].error().message);
  BOOST_TEST(took < 1000);
}

BOOST_AUTO_TEST_CASE(peers_that_are_not_http_or_hang_up_give_unavailable_never_a_crash) {
  using act = raw_server::action;
  struct row {
    const char* name;
    act action;
    std::string reply;
  };
  const row rows[] = {
      {"binary garbage", act::reply_and_close, std::string("\x00\xff\x13garbage\r\n\r\nzz", 16)},
      {"text that is not http", act::reply_and_close, "hello there\r\n\r\n"},
      {"bad status line", act::reply_and_close, "HTTP/1.1 abc\r\n\r\n"},
      {"no status code", act::reply_and_close, "HTTP/1.1\r\n\r\n"},
      {"truncated body", act::reply_and_close,
       "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort"},
      {"bad chunk", act::reply_and_close,
       "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nxx\r\n"},
      {"close at once", act::close_at_once, ""},
      {"reset after request", act::reset_after_request, ""},
  };
  for (const auto& row : rows) {
    raw_server raw(row.action, row.reply);
    auto r = run_all({get(raw.url("/x")), get(raw.url("/y"))});
    for (const auto& one : r) {
      BOOST_TEST(!one.has_value(), row.name);
      if (!one.has_value()) {
        BOOST_TEST(one.error().code == errc::unavailable, row.name << ": " << one.error().message);
        BOOST_TEST(contains(one.error().message, "(curl "), one.error().message);
      }
    }
    BOOST_TEST(raw.connections() >= 2u, row.name);
  }
}

BOOST_AUTO_TEST_CASE(oversized_bodies_fail_with_limit_exceeded_and_the_limit_itself_passes) {
  constexpr std::size_t limit = 64 * 1024;
  http_server srv;
  srv.server().Get("/sized/(\\d+)", [](const httplib::Request& req, httplib::Response& res) {
    res.set_content(std::string(std::stoul(req.matches[1].str()), 'b'), "text/plain");
  });
  srv.server().Get("/chunked/(\\d+)", [](const httplib::Request& req, httplib::Response& res) {
    auto total = std::stoul(req.matches[1].str());
    res.set_chunked_content_provider(
        "text/plain", [total](std::size_t offset, httplib::DataSink& sink) {
          if (offset >= total) {
            sink.done();
            return true;
          }
          std::string piece(std::min<std::size_t>(4096, total - offset), 'c');
          return sink.write(piece.data(), piece.size());
        });
  });
  srv.start();
  auto sized = [&](const std::string& kind, std::size_t bytes) {
    auto req = get(srv.url("/" + kind + "/" + std::to_string(bytes)));
    req.max_response_bytes = limit;
    return req;
  };
  auto head = sized("sized", 2 * limit);  // announces a large body but sends none
  head.method = "HEAD";
  auto r = run_all({sized("sized", 2 * limit), sized("chunked", 2 * limit), sized("sized", limit),
                    sized("chunked", limit), sized("chunked", limit + 1), head});
  for (std::size_t i : {0u, 1u, 4u}) {
    BOOST_REQUIRE(!r[i].has_value());
    BOOST_TEST(r[i].error().code == errc::limit_exceeded, i << ": " << r[i].error().message);
  }
  for (std::size_t i : {2u, 3u}) {
    BOOST_REQUIRE(r[i].has_value());
    BOOST_TEST(r[i]->body.size() == limit);
  }
  BOOST_REQUIRE(r[5].has_value());
  BOOST_TEST(r[5]->status == 200);
  BOOST_TEST(r[5]->body.empty());
}

BOOST_AUTO_TEST_CASE(oversized_response_headers_fail_with_limit_exceeded) {
  std::string reply = "HTTP/1.1 200 OK\r\n";
  for (int i = 0; reply.size() < 300 * 1024; ++i)
    reply += "X-Filler-" + std::to_string(i) + ": " + std::string(1000, 'h') + "\r\n";
  reply += "Content-Length: 0\r\n\r\n";
  raw_server raw(raw_server::action::reply_and_close, reply);
  auto r = run_all({get(raw.url())});
  BOOST_REQUIRE(!r[0].has_value());
  BOOST_TEST(r[0].error().code == errc::limit_exceeded, r[0].error().message);
}

BOOST_AUTO_TEST_CASE(requests_libcurl_must_not_see_fail_with_invalid_argument) {
  http_server srv;  // reachable, so a request that slipped through would succeed
  srv.server().Get("/.*", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("reached", "text/plain");
  });
  srv.start();
  std::vector<http_request> reqs;
  for (std::string url : {"file:///etc/passwd", "ftp://127.0.0.1/x", "gopher://127.0.0.1/",
                          "dict://127.0.0.1:1/", "not a url", "", "/relative/path",
                          "//127.0.0.1/no-scheme", "http://", "weird+scheme://host/"})
    reqs.push_back(get(url));
  reqs.push_back(get(srv.url("/with space")));
  reqs.push_back(get(srv.url("/nul") + std::string("\0x", 2)));
  for (std::string method : {"", "GE T", "GET\r\nX-Injected: 1", "(GET)"}) {
    auto req = get(srv.url("/m"));
    req.method = method;
    reqs.push_back(req);
  }
  for (std::pair<std::string, std::string> h :
       {std::pair<std::string, std::string>{"Bad Name", "v"},
        {"", "v"},
        {"X-Ok", "a\r\nX-Injected: 1"},
        {"X-Ok", "a\nb"},
        {"X-Ok", std::string("a\0b", 3)},
        {"X:Colon", "v"}}) {
    auto req = get(srv.url("/h"));
    req.headers.push_back(h);
    reqs.push_back(req);
  }
  auto head = get(srv.url("/head"));
  head.method = "HEAD";
  head.body = "not allowed";
  reqs.push_back(head);

  auto r = run_all(reqs);
  for (std::size_t i = 0; i < r.size(); ++i) {
    BOOST_TEST(!r[i].has_value(), "row " << i << ": " << reqs[i].url << " " << reqs[i].method);
    if (!r[i].has_value())
      BOOST_TEST(r[i].error().code == errc::invalid_argument,
                 "row " << i << ": " << r[i].error().message);
  }
}

BOOST_AUTO_TEST_CASE(https_against_a_plain_http_port_fails_with_unavailable) {
  http_server srv;
  srv.server().Get("/", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("plain", "text/plain");
  });
  srv.start();
  auto url = srv.url("/");
  url.replace(0, 4, "https");
  auto r = run_all({get(url)});
  BOOST_REQUIRE(!r[0].has_value());
  BOOST_TEST(r[0].error().code == errc::unavailable, r[0].error().message);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace af::effects::test
