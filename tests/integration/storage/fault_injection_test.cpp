// A failed storage write fails every batch grouped into it and applies none of them; the
// batches before and after it are unaffected. Run over the memory and the RocksDB store.

#include <algorithm>
#include <thread>

#include "storage/faulty_backend.hpp"
#include "tests/integration/storage/test_support.hpp"

namespace af::storage::test {
namespace {

struct memory_store {
  std::unique_ptr<backend> open() {
    auto store = std::make_unique<memory_backend>();
    BOOST_REQUIRE(ensure_format(*store).has_value());
    return store;
  }
};

struct rocksdb_store {
  temp_dir dir;
  std::unique_ptr<backend> open() {
    auto store = open_rocksdb_backend({dir.sub("log"), durability::sync, nullptr});
    BOOST_REQUIRE(store.has_value());
    return std::move(*store);
  }
};

using stores = std::tuple<memory_store, rocksdb_store>;

// Appends without waiting and keeps every answer, in callback order.
class recorder {
 public:
  event_log::done_fn slot(std::string name) {
    return [this, name = std::move(name)](result<void> r) {
      {
        std::lock_guard lock(mutex_);
        answers_.emplace_back(name, r.has_value() ? errc::internal : r.error().code, r.has_value());
        if (!r.has_value()) last_message_ = r.error().message;
      }
      done_.hit();
    };
  }
  bool wait_for(std::size_t n) { return done_.wait_for(n); }
  // "name:ok" or "name:<errc>" for each answer, in the order they ran.
  std::vector<std::string> answers() const {
    std::lock_guard lock(mutex_);
    std::vector<std::string> out;
    for (const auto& [name, code, ok] : answers_) {
      out.push_back(name + ":" + (ok ? std::string("ok") : std::string(to_string(code))));
    }
    return out;
  }
  std::string last_message() const {
    std::lock_guard lock(mutex_);
    return last_message_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::tuple<std::string, errc, bool>> answers_;
  std::string last_message_;
  countdown done_;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(fault_injection)

BOOST_AUTO_TEST_CASE_TEMPLATE(a_failed_write_fails_its_whole_group_and_applies_none_of_it, S,
                              stores) {
  S s;
  auto store = std::make_unique<faulty_backend>(s.open());
  auto* fb = store.get();
  auto log = make_event_log(std::move(store));
  recorder rec;

  // Hold write 1 (batch A) so that B, C and D queue up and form write 2, which fails.
  fb->pause_next_write();
  log->append(batch_of({make_event("wf/a", 1)}, {{space::index, "a", "1"}}), rec.slot("A"));
  BOOST_REQUIRE(fb->wait_until_paused(std::chrono::seconds(10)));
  log->append(batch_of({make_event("wf/b", 1), make_event("wf/b", 2)}, {{space::index, "b", "1"}}),
              rec.slot("B"));
  log->append(batch_of({make_event("wf/a", 2)}), rec.slot("C"));
  log->append(batch_of({}, {{space::index, "a", std::nullopt}, {space::snapshot, "d", "1"}}),
              rec.slot("D"));
  fb->fail_write(1);  // the next write after the held one
  fb->resume();
  BOOST_REQUIRE(rec.wait_for(4));

  // One-shot: the next batch is written normally.
  log->append(batch_of({make_event("wf/a", 2)}, {{space::index, "e", "1"}}), rec.slot("E"));
  BOOST_REQUIRE(rec.wait_for(5));

  std::vector<std::string> want{"A:ok", "B:unavailable", "C:unavailable", "D:unavailable", "E:ok"};
  auto got = rec.answers();
  BOOST_TEST(got == want, boost::test_tools::per_element());
  BOOST_TEST(rec.last_message().find("injected fault") != std::string::npos, rec.last_message());

  // A and E are there; nothing of B, C or D is.
  auto a = read_all(*log, "wf/a");
  BOOST_REQUIRE_EQUAL(a.size(), 2u);  // seq 1 from A, seq 2 from E (C's seq 2 was not applied)
  BOOST_TEST(read_all(*log, "wf/b").empty());
  BOOST_TEST(get_record(*log, space::index, "a") == std::optional<std::string>("1"));  // D's delete
  BOOST_TEST(!get_record(*log, space::index, "b").has_value());
  BOOST_TEST(!get_record(*log, space::snapshot, "d").has_value());
  BOOST_TEST(get_record(*log, space::index, "e") == std::optional<std::string>("1"));

  auto st = log->stats();
  BOOST_TEST(st.appends == 2u);
  BOOST_TEST(st.failed == 3u);
  BOOST_TEST(st.failed_writes == 1u);
  BOOST_TEST(st.writes == 3u);
  BOOST_TEST(fb->writes() == 3u);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(a_sticky_fault_fails_every_later_write_until_healed, S, stores) {
  S s;
  auto store = std::make_unique<faulty_backend>(s.open());
  auto* fb = store.get();
  auto log = make_event_log(std::move(store));
  BOOST_TEST(log->append_and_wait(batch_of({make_event("wf/s", 1)})).has_value());
  fb->fail_write(2, /*sticky=*/true);
  BOOST_TEST(log->append_and_wait(batch_of({make_event("wf/s", 2)})).has_value());
  for (std::uint64_t seq = 3; seq < 6; ++seq) {
    auto r = log->append_and_wait(batch_of({make_event("wf/s", seq)}));
    BOOST_REQUIRE(!r.has_value());
    BOOST_TEST(r.error().code == errc::unavailable);
    BOOST_TEST(r.error().details.dump().find("storage_code") != std::string::npos);
  }
  fb->heal();
  BOOST_TEST(log->append_and_wait(batch_of({make_event("wf/s", 3)})).has_value());
  std::vector<std::uint64_t> seqs;
  for (const auto& e : read_all(*log, "wf/s")) seqs.push_back(e.seq);
  BOOST_TEST(seqs == (std::vector<std::uint64_t>{1, 2, 3}), boost::test_tools::per_element());
  BOOST_TEST(log->stats().failed_writes == 3u);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(close_while_a_write_is_held_answers_everything, S, stores) {
  S s;
  auto store = std::make_unique<faulty_backend>(s.open());
  auto* fb = store.get();
  auto log = make_event_log(std::move(store));
  recorder rec;
  fb->pause_next_write();
  log->append(batch_of({make_event("wf/c", 1)}), rec.slot("1"));
  BOOST_REQUIRE(fb->wait_until_paused(std::chrono::seconds(10)));
  log->append(batch_of({make_event("wf/c", 2)}), rec.slot("2"));
  std::thread closer([&] { log->close(); });
  // Appends racing close() are either written or refused, never lost.
  log->append(batch_of({make_event("wf/c", 3)}), rec.slot("3"));
  fb->resume();
  closer.join();
  BOOST_REQUIRE(rec.wait_for(3));
  // A refusal after close() is answered at once on this thread, so it may come first.
  auto got = rec.answers();
  std::sort(got.begin(), got.end());
  BOOST_REQUIRE_EQUAL(got.size(), 3u);
  BOOST_TEST(got[0] == "1:ok");
  BOOST_TEST(got[1] == "2:ok");
  BOOST_TEST((got[2] == "3:ok" || got[2] == "3:unavailable"), got[2]);
  BOOST_TEST(read_all(*log, "wf/c").size() == (got[2] == "3:ok" ? 3u : 2u));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace af::storage::test
