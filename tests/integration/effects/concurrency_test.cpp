// One loop thread drives many calls at once; queueing beyond max_in_flight, the per-host
// connection cap, submissions from many threads and from callbacks, and stop() mid-flight.

#include <boost/test/unit_test.hpp>

#include <set>

#include "tests/integration/effects/test_support.hpp"

namespace af::effects::test {

BOOST_AUTO_TEST_SUITE(concurrency)

BOOST_AUTO_TEST_CASE(a_thousand_slow_calls_overlap_on_one_loop_thread) {
  constexpr std::size_t n = 1000;
  constexpr auto handler_time = 200ms;
  std::atomic<int> serving{0}, peak_serving{0};
  std::atomic<std::size_t> peak_in_flight{0};
  std::atomic<http_client*> observed{nullptr};
  http_server srv(n + 100);  // httplib holds a thread per connection
  srv.server().Get("/slow", [&](const httplib::Request&, httplib::Response& res) {
    raise_peak(peak_serving, ++serving);
    if (auto* c = observed.load()) raise_peak(peak_in_flight, c->in_flight());
    std::this_thread::sleep_for(handler_time);  // the server's work, not a wait of the test
    --serving;
    res.set_content("done", "text/plain");
  });
  srv.start();

  collector results(n);
  http_client client;
  observed = &client;
  struct forget {  // the handler must not reach a destroyed client, even when a check fails
    std::atomic<http_client*>& p;
    ~forget() { p = nullptr; }
  } forget_client{observed};
  auto t0 = steady::now();
  for (std::size_t i = 0; i < n; ++i) {
    http_request req;
    req.url = srv.url("/slow?i=" + std::to_string(i));
    req.timeout = 20s;
    client.submit(std::move(req), results.slot(i));
  }
  auto submit_ms = millis_since(t0);
  BOOST_REQUIRE(results.wait_all(60s));
  auto total_ms = millis_since(t0);
  observed = nullptr;

  std::size_t ok = 0;
  std::set<std::thread::id> callback_threads;
  for (std::size_t i = 0; i < n; ++i) {
    ok +=
        results.at(i).has_value() && results.at(i)->status == 200 && results.at(i)->body == "done";
    callback_threads.insert(results.thread_of(i));
  }
  BOOST_TEST_MESSAGE("1000 calls of a 200 ms handler: submitted in "
                     << submit_ms << " ms, all answered in " << total_ms
                     << " ms; server peak concurrency " << peak_serving.load()
                     << ", client in_flight peak " << peak_in_flight.load());
  BOOST_TEST(ok == n);
  for (std::size_t i = 0; i < n; ++i) {
    if (results.at(i).has_value()) continue;
    BOOST_TEST_MESSAGE("first failure, call " << i << ": " << results.at(i).error().message);
    break;
  }
  BOOST_TEST(submit_ms < 1000);  // submit returns at once
  BOOST_TEST(total_ms < 5000);   // serially this is 1000 x 200 ms = 200 s
  BOOST_TEST(peak_serving.load() > 100);
  BOOST_TEST(peak_in_flight.load() > 100u);
  BOOST_TEST(callback_threads.size() == 1u);  // all on the loop thread...
  BOOST_TEST((*callback_threads.begin() != std::this_thread::get_id()));  // ...not ours
  BOOST_TEST(client.in_flight() == 0u);
  client.stop();
  BOOST_TEST(results.each_called_exactly_once());
}

BOOST_AUTO_TEST_CASE(calls_beyond_max_in_flight_wait_in_the_queue) {
  constexpr std::size_t n = 30, cap = 5;
  std::atomic<int> serving{0}, peak_serving{0};
  http_server srv(64);
  srv.server().Get("/w", [&](const httplib::Request&, httplib::Response& res) {
    raise_peak(peak_serving, ++serving);
    std::this_thread::sleep_for(20ms);  // the server's work
    --serving;
    res.set_content("w", "text/plain");
  });
  srv.start();
  collector results(n);
  http_client client(http_client::options{.max_in_flight = cap});
  for (std::size_t i = 0; i < n; ++i) {
    http_request req;
    req.url = srv.url("/w");
    client.submit(std::move(req), results.slot(i));
  }
  BOOST_REQUIRE(results.wait_all());
  for (std::size_t i = 0; i < n; ++i) BOOST_TEST(results.at(i).has_value());
  BOOST_TEST(peak_serving.load() <= static_cast<int>(cap));
  BOOST_TEST(peak_serving.load() >= 2);
  client.stop();
  BOOST_TEST(results.each_called_exactly_once());
}

BOOST_AUTO_TEST_CASE(max_host_connections_caps_parallel_connections_to_one_host) {
  constexpr std::size_t n = 12;
  std::atomic<int> serving{0}, peak_serving{0};
  std::mutex mu;
  std::set<int> ports;
  http_server srv(32);
  srv.server().Get("/h", [&](const httplib::Request& req, httplib::Response& res) {
    raise_peak(peak_serving, ++serving);
    {
      std::lock_guard lock(mu);
      ports.insert(req.remote_port);
    }
    std::this_thread::sleep_for(30ms);  // the server's work
    --serving;
    res.set_content("h", "text/plain");
  });
  srv.start();
  collector results(n);
  http_client client(http_client::options{.max_host_connections = 2});
  for (std::size_t i = 0; i < n; ++i) {
    http_request req;
    req.url = srv.url("/h");
    client.submit(std::move(req), results.slot(i));
  }
  BOOST_REQUIRE(results.wait_all());
  for (std::size_t i = 0; i < n; ++i) BOOST_TEST(results.at(i).has_value());
  BOOST_TEST(peak_serving.load() <= 2);
  std::lock_guard lock(mu);
  BOOST_TEST(ports.size() <= 2u);
}

BOOST_AUTO_TEST_CASE(submissions_from_many_threads_and_from_callbacks_are_all_answered_once) {
  constexpr std::size_t threads = 4, per_thread = 100, chained = 20;
  http_server srv(threads * per_thread + 64);
  srv.server().Get("/f", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("f", "text/plain");
  });
  srv.start();
  collector results(threads * per_thread + chained);
  std::function<void(std::size_t)> next;  // declared before the client, which may call it last
  http_client client;
  std::vector<std::thread> pool;
  for (std::size_t t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (std::size_t i = 0; i < per_thread; ++i) {
        http_request req;
        req.url = srv.url("/f");
        client.submit(std::move(req), results.slot(t * per_thread + i));
      }
    });
  }
  // A chain: each callback submits the next call from the loop thread.
  next = [&](std::size_t k) {
    http_request req;
    req.url = srv.url("/f");
    client.submit(std::move(req), [&, k](result<http_response> r) {
      results.slot(threads * per_thread + k)(std::move(r));
      if (k + 1 < chained) next(k + 1);
    });
  };
  next(0);
  for (auto& th : pool) th.join();
  BOOST_REQUIRE(results.wait_all());
  std::size_t ok = 0;
  for (std::size_t i = 0; i < results.size(); ++i) ok += results.at(i).has_value();
  BOOST_TEST(ok == results.size());
  client.stop();
  BOOST_TEST(results.each_called_exactly_once());
}

BOOST_AUTO_TEST_CASE(a_throwing_callback_does_not_take_the_loop_down) {
  http_server srv;
  srv.server().Get("/t", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("t", "text/plain");
  });
  srv.start();
  http_client client;
  std::atomic<int> thrown{0};
  for (int i = 0; i < 3; ++i) {
    http_request req;
    req.url = srv.url("/t");
    client.submit(std::move(req), [&](result<http_response>) {
      ++thrown;
      throw std::runtime_error("callback bug");
    });
  }
  BOOST_REQUIRE(wait_until([&] { return thrown.load() == 3; }));
  http_request req;
  req.url = srv.url("/t");
  auto r = call(client, req);
  BOOST_REQUIRE(r.has_value());
  BOOST_TEST(r->body == "t");
}

BOOST_AUTO_TEST_CASE(stop_fails_queued_and_in_flight_calls_with_unavailable_promptly) {
  constexpr std::size_t n = 60, cap = 20;
  std::atomic<std::size_t> arrived{0};
  http_server srv(64);
  srv.server().Get("/hang", [&](const httplib::Request&, httplib::Response& res) {
    ++arrived;
    srv.hold().wait();
    res.set_content("late", "text/plain");
  });
  srv.start();
  collector results(n);
  http_client client(http_client::options{.max_in_flight = cap});
  for (std::size_t i = 0; i < n; ++i) {
    http_request req;
    req.url = srv.url("/hang");
    client.submit(std::move(req), results.slot(i));
  }
  BOOST_REQUIRE(wait_until([&] { return arrived.load() == cap; }));
  BOOST_TEST(client.in_flight() == n);

  auto t0 = steady::now();
  client.stop();
  auto stop_ms = millis_since(t0);
  BOOST_TEST_MESSAGE("stop() with " << cap << " calls in flight and " << n - cap << " queued took "
                                    << stop_ms << " ms");
  BOOST_TEST(stop_ms < 1000);
  BOOST_REQUIRE(results.wait_all(0ms));  // every call was answered before stop() returned
  for (std::size_t i = 0; i < n; ++i) {
    BOOST_REQUIRE(!results.at(i).has_value());
    BOOST_TEST(results.at(i).error().code == errc::unavailable);
    BOOST_TEST(results.at(i).error().message == "stopping");
  }
  BOOST_TEST(client.in_flight() == 0u);
  BOOST_TEST(arrived.load() == cap);

  // After stop: answered at once, on the calling thread; stop() again is a no-op.
  collector late(1);
  http_request req;
  req.url = srv.url("/hang");
  client.submit(std::move(req), late.slot(0));
  BOOST_REQUIRE(late.wait_all(0ms));
  BOOST_TEST(late.thread_of(0) == std::this_thread::get_id());
  BOOST_TEST(late.at(0).error().code == errc::unavailable);
  client.stop();
  BOOST_TEST(results.each_called_exactly_once());
  BOOST_TEST(late.each_called_exactly_once());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace af::effects::test
