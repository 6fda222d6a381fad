// The event_log contract, run against the RocksDB log (fresh temp dir per test) and the memory
// twin: both must mean the same thing.

#include <thread>

#include "storage/keys.hpp"
#include "tests/integration/storage/test_support.hpp"

namespace af::storage::test {

BOOST_AUTO_TEST_SUITE(event_log_contract)

BOOST_AUTO_TEST_CASE_TEMPLATE(append_then_read_stream_returns_events_in_seq_order_with_all_fields,
                              F, factories) {
  F f;
  auto log = f.open();
  std::string binary_data("{\"s\":\"a\0b\xff\"}", 12);
  BOOST_TEST(log->append_and_wait(batch_of({make_event("wf/default/a", 3, "c.type", -5, "[3]")}))
                 .has_value());
  BOOST_TEST(log->append_and_wait(batch_of({make_event("wf/default/a", 1, "a.type", 0, "{}"),
                                            make_event("wf/default/a", 2, "b.type",
                                                       1'763'777'626'123, binary_data)}))
                 .has_value());
  auto events = read_all(*log, "wf/default/a");
  BOOST_REQUIRE_EQUAL(events.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    BOOST_TEST(events[i].stream == "wf/default/a");
    BOOST_TEST(events[i].seq == i + 1);
  }
  BOOST_TEST(events[0].type == "a.type");
  BOOST_TEST(events[0].time == 0);
  BOOST_TEST(events[0].data == "{}");
  BOOST_TEST(events[1].type == "b.type");
  BOOST_TEST(events[1].time == 1'763'777'626'123);
  BOOST_TEST(events[1].data == binary_data);
  BOOST_TEST(events[2].type == "c.type");
  BOOST_TEST(events[2].time == -5);
  BOOST_TEST(events[2].data == "[3]");
}

BOOST_AUTO_TEST_CASE_TEMPLATE(read_stream_from_seq_skips_earlier_events_and_stops_on_false, F,
                              factories) {
  F f;
  auto log = f.open();
  // seq 256 and 257 differ in their low byte only after a carry: big-endian keeps them ordered.
  std::vector<event> events;
  for (std::uint64_t seq : {1, 2, 3, 255, 256, 257, 65536}) events.push_back(make_event("s", seq));
  BOOST_TEST(log->append_and_wait(batch_of(events)).has_value());

  std::vector<std::uint64_t> seqs;
  for (const auto& e : read_all(*log, "s", 3)) seqs.push_back(e.seq);
  BOOST_TEST(seqs == (std::vector<std::uint64_t>{3, 255, 256, 257, 65536}),
             boost::test_tools::per_element());
  BOOST_TEST(read_all(*log, "s", 0).size() == 7u);
  BOOST_TEST(read_all(*log, "s", 65537).empty());

  std::size_t seen = 0;
  auto r = log->read_stream("s", 1, [&](const event&) { return ++seen < 2; });
  BOOST_TEST(r.has_value());
  BOOST_TEST(seen == 2u);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(read_stream_does_not_mix_streams_sharing_a_prefix, F, factories) {
  F f;
  auto log = f.open();
  BOOST_TEST(log->append_and_wait(batch_of({make_event("wf/a", 1), make_event("wf/ab", 1),
                                            make_event("wf/a/x", 1), make_event("wf/", 1)}))
                 .has_value());
  auto events = read_all(*log, "wf/a");
  BOOST_REQUIRE_EQUAL(events.size(), 1u);
  BOOST_TEST(events[0].stream == "wf/a");
  BOOST_TEST(read_all(*log, "wf").empty());
  BOOST_TEST(read_all(*log, "nothing").empty());
}

BOOST_AUTO_TEST_CASE_TEMPLATE(scan_events_orders_by_stream_then_seq_and_excludes_other_prefixes, F,
                              factories) {
  F f;
  auto log = f.open();
  BOOST_TEST(log->append_and_wait(batch_of({make_event("wf/d/b", 2), make_event("wf/d/b", 1),
                                            make_event("run/d/x", 1), make_event("wf/d/ab", 1),
                                            make_event("wf/e/a", 1), make_event("wf/c/z", 1)}))
                 .has_value());
  BOOST_TEST(log->append_and_wait(batch_of({make_event("wf/d/a", 1), make_event("wf/d/a", 2)}))
                 .has_value());

  std::vector<std::string> got;
  for (const auto& e : scan_all(*log, "wf/d/"))
    got.push_back(e.stream + "#" + std::to_string(e.seq));
  std::vector<std::string> want{"wf/d/a#1", "wf/d/a#2", "wf/d/ab#1", "wf/d/b#1", "wf/d/b#2"};
  BOOST_TEST(got == want, boost::test_tools::per_element());

  // A plain byte prefix: "wf/d/a" also selects "wf/d/ab" (documented in event_log.hpp).
  got.clear();
  for (const auto& e : scan_all(*log, "wf/d/a"))
    got.push_back(e.stream + "#" + std::to_string(e.seq));
  want = {"wf/d/a#1", "wf/d/a#2", "wf/d/ab#1"};
  BOOST_TEST(got == want, boost::test_tools::per_element());

  BOOST_TEST(scan_all(*log, "run/").size() == 1u);
  BOOST_TEST(scan_all(*log, "").size() == 8u);
  BOOST_TEST(scan_all(*log, "zz").empty());

  std::size_t seen = 0;
  BOOST_TEST(log->scan_events("wf/", [&](const event&) { return ++seen < 3; }).has_value());
  BOOST_TEST(seen == 3u);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(records_put_get_delete_and_scan_by_prefix, F, factories) {
  F f;
  auto log = f.open();
  write_batch b;
  b.records = {{space::index, "x/2", "two"},
               {space::index, "x/1", "one"},
               {space::index, "y", "why"},
               {space::snapshot, "x/1", std::string("snap\0shot", 9)},
               {space::meta, "node_id", "n1"}};
  BOOST_TEST(log->append_and_wait(std::move(b)).has_value());

  BOOST_TEST(get_record(*log, space::index, "x/1") == std::optional<std::string>("one"));
  BOOST_TEST(get_record(*log, space::snapshot, "x/1") ==
             std::optional<std::string>(std::string("snap\0shot", 9)));
  BOOST_TEST(!get_record(*log, space::snapshot, "x/2").has_value());
  BOOST_TEST(get_record(*log, space::meta, "node_id") == std::optional<std::string>("n1"));

  std::vector<std::string> got;
  auto scanned = log->scan(space::index, "x/", [&](std::string_view k, std::string_view v) {
    got.push_back(std::string(k) + "=" + std::string(v));
    return true;
  });
  BOOST_TEST(scanned.has_value());
  BOOST_TEST(got == (std::vector<std::string>{"x/1=one", "x/2=two"}),
             boost::test_tools::per_element());

  // Overwrite one, delete another; a scan of the whole space sees only that space.
  write_batch change;
  change.records = {{space::index, "x/1", "uno"}, {space::index, "x/2", std::nullopt}};
  BOOST_TEST(log->append_and_wait(std::move(change)).has_value());
  got.clear();
  scanned = log->scan(space::index, "", [&](std::string_view k, std::string_view v) {
    got.push_back(std::string(k) + "=" + std::string(v));
    return true;
  });
  BOOST_TEST(scanned.has_value());
  BOOST_TEST(got == (std::vector<std::string>{"x/1=uno", "y=why"}),
             boost::test_tools::per_element());
  BOOST_TEST(!get_record(*log, space::index, "x/2").has_value());
}

BOOST_AUTO_TEST_CASE_TEMPLATE(format_record_is_written_and_reserved, F, factories) {
  F f;
  auto log = f.open();
  BOOST_TEST(get_record(*log, space::meta, "format") == std::optional<std::string>("1"));
  write_batch b;
  b.records = {{space::meta, "format", "2"}};
  auto r = log->append_and_wait(std::move(b));
  BOOST_REQUIRE(!r.has_value());
  BOOST_TEST(r.error().code == errc::invalid_argument);
  BOOST_TEST(get_record(*log, space::meta, "format") == std::optional<std::string>("1"));
}

BOOST_AUTO_TEST_CASE_TEMPLATE(an_invalid_batch_is_refused_whole_and_applies_nothing, F, factories) {
  F f;
  auto log = f.open();
  std::vector<write_batch> bad;
  bad.push_back(
      batch_of({make_event("wf/ok", 1), make_event("wf/ok", 0)}, {{space::index, "bad", "v"}}));
  bad.push_back(batch_of({make_event("", 1)}));
  bad.push_back(batch_of({make_event(std::string("wf/a\0b", 6), 1)}));
  bad.push_back(batch_of({make_event(std::string(257, 's'), 1)}));
  bad.push_back(batch_of({make_event("wf/ok", 1, std::string(256, 't'))}));
  bad.push_back(batch_of({make_event("wf/ok", 1)}, {{static_cast<space>('e'), "x", "y"}}));
  for (auto& b : bad) {
    auto r = log->append_and_wait(std::move(b));
    BOOST_REQUIRE(!r.has_value());
    BOOST_TEST(r.error().code == errc::invalid_argument);
  }
  BOOST_TEST(read_all(*log, "wf/ok").empty());
  BOOST_TEST(!get_record(*log, space::index, "bad").has_value());
  BOOST_TEST(scan_all(*log, "").empty());
  // The limits themselves are accepted.
  BOOST_TEST(
      log->append_and_wait(batch_of({make_event(std::string(256, 's'), 1, std::string(255, 't'))}))
          .has_value());
  BOOST_TEST(log->stats().failed == bad.size());
}

BOOST_AUTO_TEST_CASE_TEMPLATE(reads_reject_malformed_names, F, factories) {
  F f;
  auto log = f.open();
  auto any = [](const event&) { return true; };
  auto r = log->read_stream("", 1, any);
  BOOST_REQUIRE(!r.has_value());
  BOOST_TEST(r.error().code == errc::invalid_argument);
  r = log->read_stream(std::string("a\0b", 3), 1, any);
  BOOST_REQUIRE(!r.has_value());
  BOOST_TEST(r.error().code == errc::invalid_argument);
  r = log->scan_events(std::string("a\0", 2), any);
  BOOST_REQUIRE(!r.has_value());
  BOOST_TEST(r.error().code == errc::invalid_argument);
  auto g = log->get(static_cast<space>('e'), "x");
  BOOST_REQUIRE(!g.has_value());
  BOOST_TEST(g.error().code == errc::invalid_argument);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(callbacks_run_once_each_in_submission_order, F, factories) {
  F f;
  auto log = f.open();
  constexpr std::size_t n = 2000;
  std::mutex m;
  std::vector<std::size_t> order;
  std::vector<int> calls(n, 0);
  countdown done;
  for (std::size_t i = 0; i < n; ++i) {
    log->append(batch_of({make_event("wf/order", i + 1)}), [&, i](result<void> r) {
      {
        std::lock_guard lock(m);
        order.push_back(r.has_value() ? i : n + i);
        ++calls[i];
      }
      done.hit();
    });
  }
  BOOST_REQUIRE(done.wait_for(n));
  log->close();  // no callback may run twice, even at close
  std::lock_guard lock(m);
  BOOST_REQUIRE_EQUAL(order.size(), n);
  for (std::size_t i = 0; i < n; ++i) {
    BOOST_TEST(order[i] == i);
    BOOST_TEST(calls[i] == 1);
  }
  BOOST_TEST(read_all(*log, "wf/order").size() == n);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(append_after_close_fails_with_unavailable_and_reads_still_work, F,
                              factories) {
  F f;
  auto log = f.open();
  BOOST_TEST(log->append_and_wait(batch_of({make_event("wf/c", 1)})).has_value());
  log->close();
  log->close();  // idempotent
  auto r = log->append_and_wait(batch_of({make_event("wf/c", 2)}));
  BOOST_REQUIRE(!r.has_value());
  BOOST_TEST(r.error().code == errc::unavailable);
  int calls = 0;
  log->append(batch_of({make_event("wf/c", 3)}), [&](result<void> r2) {
    ++calls;
    BOOST_TEST(!r2.has_value());
  });
  BOOST_TEST(calls == 1);
  BOOST_TEST(read_all(*log, "wf/c").size() == 1u);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(close_answers_and_applies_everything_already_queued, F, factories) {
  F f;
  auto log = f.open();
  constexpr std::size_t n = 3000;
  std::atomic<std::size_t> ok{0}, calls{0};
  for (std::size_t i = 0; i < n; ++i) {
    log->append(batch_of({make_event("wf/q", i + 1)}), [&](result<void> r) {
      ++calls;
      if (r.has_value()) ++ok;
    });
  }
  log->close();  // returns only after every queued batch was answered
  BOOST_TEST(calls.load() == n);
  BOOST_TEST(ok.load() == n);
  BOOST_TEST(read_all(*log, "wf/q").size() == n);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(closing_from_a_callback_does_not_deadlock, F, factories) {
  F f;
  auto log = f.open();
  auto r = log->append_and_wait(batch_of({make_event("wf/x", 1)}));
  BOOST_TEST(r.has_value());
  countdown done;
  log->append(batch_of({make_event("wf/x", 2)}), [&](result<void>) {
    log->close();
    done.hit();
  });
  BOOST_REQUIRE(done.wait_for(1));
  auto after = log->append_and_wait(batch_of({make_event("wf/x", 3)}));
  BOOST_REQUIRE(!after.has_value());
  BOOST_TEST(after.error().code == errc::unavailable);
  log.reset();  // joins the writer from this thread
  BOOST_TEST(!log);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(a_read_callback_may_append_and_wait, F, factories) {
  F f;
  auto log = f.open();
  std::vector<event> events;
  for (std::uint64_t i = 1; i <= 600; ++i) events.push_back(make_event("wf/r", i));
  BOOST_TEST(log->append_and_wait(batch_of(events)).has_value());
  std::size_t seen = 0;
  auto r = log->read_stream("wf/r", 1, [&](const event& e) {
    ++seen;
    return log->append_and_wait(batch_of({make_event("wf/copy", e.seq)})).has_value();
  });
  BOOST_TEST(r.has_value());
  BOOST_TEST(seen == 600u);
  BOOST_TEST(read_all(*log, "wf/copy").size() == 600u);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(stats_count_appends_events_and_writes, F, factories) {
  F f;
  auto log = f.open();
  BOOST_TEST(log->stats().appends == 0u);
  BOOST_TEST(log->stats().writes == 0u);
  BOOST_TEST(log->append_and_wait(batch_of({make_event("s", 1), make_event("s", 2)})).has_value());
  BOOST_TEST(log->append_and_wait(batch_of({make_event("s", 3)})).has_value());
  BOOST_TEST(log->append_and_wait(batch_of({}, {{space::index, "k", "v"}})).has_value());
  BOOST_TEST(log->append_and_wait(write_batch{}).has_value());  // empty: acknowledged, not written
  BOOST_TEST(!log->append_and_wait(batch_of({make_event("s", 0)})).has_value());
  auto s = log->stats();
  BOOST_TEST(s.appends == 4u);
  BOOST_TEST(s.events == 3u);
  BOOST_TEST(s.writes == 3u);
  BOOST_TEST(s.failed == 1u);
  BOOST_TEST(s.failed_writes == 0u);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace af::storage::test
