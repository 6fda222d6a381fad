// Group commit: many concurrent appenders share few storage writes, every append is answered
// and readable, and one group stays within its caps.

#include <iostream>
#include <thread>

#include "storage/faulty_backend.hpp"
#include "tests/integration/storage/test_support.hpp"

namespace af::storage::test {
namespace {

struct concurrent_outcome {
  std::size_t ok = 0;
  std::size_t failed = 0;
};

// `threads` appenders, each doing `per_thread` append_and_wait calls on its own stream.
concurrent_outcome run_appenders(event_log& log, int threads, int per_thread) {
  std::atomic<std::size_t> ok{0}, failed{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (int i = 1; i <= per_thread; ++i) {
        auto stream = "wf/g/" + std::to_string(t);
        auto r = log.append_and_wait(
            batch_of({make_event(stream, static_cast<std::uint64_t>(i), "test.event", i,
                                 R"({"thread":)" + std::to_string(t) + "}")},
                     {{space::index, stream, std::to_string(i)}}));
        (r.has_value() ? ok : failed)++;
      }
    });
  }
  for (auto& th : pool) th.join();
  return {ok.load(), failed.load()};
}

void expect_all_readable(event_log& log, int threads, int per_thread) {
  for (int t = 0; t < threads; ++t) {
    auto stream = "wf/g/" + std::to_string(t);
    auto events = read_all(log, stream);
    BOOST_REQUIRE_EQUAL(events.size(), static_cast<std::size_t>(per_thread));
    for (int i = 0; i < per_thread; ++i) {
      BOOST_TEST(events[i].seq == static_cast<std::uint64_t>(i + 1));
      BOOST_TEST(events[i].time == i + 1);
    }
    BOOST_TEST(get_record(log, space::index, stream) ==
               std::optional<std::string>(std::to_string(per_thread)));
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(group_commit)

BOOST_AUTO_TEST_CASE(sixty_four_synced_appenders_share_few_rocksdb_writes) {
  constexpr int threads = 64, per_thread = 60;
  rocksdb_factory f;
  auto log = f.open(durability::sync);
  auto outcome = run_appenders(*log, threads, per_thread);
  BOOST_TEST(outcome.ok == static_cast<std::size_t>(threads * per_thread));
  BOOST_TEST(outcome.failed == 0u);
  auto s = log->stats();
  std::cout << "group commit (rocksdb, sync): " << s.appends << " appends in " << s.writes
            << " writes\n";
  BOOST_TEST(s.appends == static_cast<std::uint64_t>(threads * per_thread));
  BOOST_TEST(s.events == static_cast<std::uint64_t>(threads * per_thread));
  BOOST_TEST(s.writes < s.appends / 4);
  expect_all_readable(*log, threads, per_thread);
  log.reset();
  log = f.open();  // and they were durable, not just visible
  expect_all_readable(*log, threads, per_thread);
}

BOOST_AUTO_TEST_CASE(sixty_four_appenders_on_the_memory_twin_are_all_answered_and_readable) {
  constexpr int threads = 64, per_thread = 100;
  auto log = make_memory_log();
  auto outcome = run_appenders(*log, threads, per_thread);
  BOOST_TEST(outcome.ok == static_cast<std::size_t>(threads * per_thread));
  BOOST_TEST(log->stats().writes <= log->stats().appends);
  expect_all_readable(*log, threads, per_thread);
}

BOOST_AUTO_TEST_CASE(a_group_holds_at_most_max_group_batches) {
  auto store = std::make_unique<faulty_backend>(std::make_unique<memory_backend>());
  auto* fb = store.get();
  auto log = make_event_log(std::move(store));
  fb->pause_next_write();
  countdown done;
  std::atomic<std::size_t> ok{0};
  auto count = [&](result<void> r) {
    if (r.has_value()) ++ok;
    done.hit();
  };
  log->append(batch_of({make_event("s", 1)}), count);
  BOOST_REQUIRE(fb->wait_until_paused(std::chrono::seconds(10)));
  const std::size_t queued = max_group_batches + 904;
  for (std::size_t i = 0; i < queued; ++i) log->append(batch_of({make_event("s", i + 2)}), count);
  fb->resume();
  BOOST_REQUIRE(done.wait_for(queued + 1));
  BOOST_TEST(ok.load() == queued + 1);
  BOOST_TEST(log->stats().writes == 3u);  // the held one, then 4096, then 904
  BOOST_TEST(read_all(*log, "s").size() == queued + 1);
}

BOOST_AUTO_TEST_CASE(a_group_holds_at_most_max_group_bytes_and_a_huge_batch_goes_alone) {
  auto store = std::make_unique<faulty_backend>(std::make_unique<memory_backend>());
  auto* fb = store.get();
  auto log = make_event_log(std::move(store));
  fb->pause_next_write();
  countdown done;
  std::atomic<std::size_t> ok{0};
  auto count = [&](result<void> r) {
    if (r.has_value()) ++ok;
    done.hit();
  };
  log->append(batch_of({make_event("s", 1)}), count);
  BOOST_REQUIRE(fb->wait_until_paused(std::chrono::seconds(10)));
  const std::string mib(1 << 20, 'x');
  // Ten 1 MiB batches: three fit under 4 MiB with their overhead, four do not -> 3+3+3+1.
  for (std::uint64_t i = 0; i < 10; ++i) {
    log->append(batch_of({make_event("s", i + 2, "t", 0, mib)}), count);
  }
  // A 5 MiB batch is written alone, and the small one after it in the next group.
  log->append(batch_of({make_event("s", 12, "t", 0, std::string(5 << 20, 'y'))}), count);
  log->append(batch_of({make_event("s", 13)}), count);
  fb->resume();
  BOOST_REQUIRE(done.wait_for(13));
  BOOST_TEST(ok.load() == 13u);
  BOOST_TEST(log->stats().writes == 7u);  // held, 3, 3, 3, 1, the 5 MiB one, the small one
  BOOST_TEST(read_all(*log, "s").size() == 13u);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace af::storage::test
