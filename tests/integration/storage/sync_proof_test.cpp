// Proves "synced before acknowledged" at the storage level: killing the process cannot (RocksDB
// keeps unsynced writes across a process crash), so a file system wrapper counts completed WAL
// syncs and every acknowledgement must follow one.

#include <future>
#include <iostream>
#include <thread>

#include <rocksdb/file_system.h>

#include "tests/integration/storage/test_support.hpp"

namespace af::storage::test {
namespace {

// Counts completed Sync/Fsync/RangeSync calls on WAL files (names ending in ".log"; RocksDB's
// info log is "LOG"), and can make them fail.
class counting_fs final : public rocksdb::FileSystemWrapper {
 public:
  std::atomic<std::uint64_t> wal_syncs{0};
  std::atomic<bool> fail_syncs{false};

  counting_fs() : rocksdb::FileSystemWrapper(rocksdb::FileSystem::Default()) {}
  const char* Name() const override { return "counting_fs"; }

  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* file,
                                    rocksdb::IODebugContext* dbg) override {
    return wrap(name, target()->NewWritableFile(name, options, file, dbg), file);
  }
  rocksdb::IOStatus ReopenWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                       std::unique_ptr<rocksdb::FSWritableFile>* file,
                                       rocksdb::IODebugContext* dbg) override {
    return wrap(name, target()->ReopenWritableFile(name, options, file, dbg), file);
  }
  rocksdb::IOStatus ReuseWritableFile(const std::string& name, const std::string& old_name,
                                      const rocksdb::FileOptions& options,
                                      std::unique_ptr<rocksdb::FSWritableFile>* file,
                                      rocksdb::IODebugContext* dbg) override {
    return wrap(name, target()->ReuseWritableFile(name, old_name, options, file, dbg), file);
  }

 private:
  class counting_file final : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    counting_file(std::unique_ptr<rocksdb::FSWritableFile> file, counting_fs& fs)
        : rocksdb::FSWritableFileOwnerWrapper(std::move(file)), fs_(fs) {}

    rocksdb::IOStatus Sync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* d) override {
      return count(fs_.fail_syncs ? injected() : FSWritableFileOwnerWrapper::Sync(o, d));
    }
    rocksdb::IOStatus Fsync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* d) override {
      return count(fs_.fail_syncs ? injected() : FSWritableFileOwnerWrapper::Fsync(o, d));
    }
    rocksdb::IOStatus RangeSync(std::uint64_t offset, std::uint64_t n, const rocksdb::IOOptions& o,
                                rocksdb::IODebugContext* d) override {
      return count(fs_.fail_syncs ? injected()
                                  : FSWritableFileOwnerWrapper::RangeSync(offset, n, o, d));
    }

   private:
    static rocksdb::IOStatus injected() {
      return rocksdb::IOStatus::IOError("injected sync fault");
    }
    // Counted after the underlying call returned: the data is on disk when the count grows.
    rocksdb::IOStatus count(rocksdb::IOStatus s) {
      if (s.ok()) fs_.wal_syncs.fetch_add(1);
      return s;
    }
    counting_fs& fs_;
  };

  rocksdb::IOStatus wrap(const std::string& name, rocksdb::IOStatus s,
                         std::unique_ptr<rocksdb::FSWritableFile>* file) {
    if (s.ok() && name.size() >= 4 && name.compare(name.size() - 4, 4, ".log") == 0) {
      *file = std::make_unique<counting_file>(std::move(*file), *this);
    }
    return s;
  }
};

struct proof {
  std::size_t appends = 0;
  std::size_t errors = 0;
  std::size_t acked_before_a_sync = 0;
};

// 64 appenders, each appending one batch at a time and checking in its callback that a WAL
// sync completed after it called append(). Failures are counted (Boost.Test is not
// thread-safe) and asserted by the caller.
proof run_appenders(event_log& log, counting_fs& fs, int threads, int per_thread) {
  std::atomic<std::size_t> appends{0}, errors{0}, early{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (int i = 1; i <= per_thread; ++i) {
        std::promise<void> answered;
        auto syncs_at_append = fs.wal_syncs.load();
        log.append(batch_of({make_event("wf/p/" + std::to_string(t), i)}),
                   [&, syncs_at_append](result<void> r) {
                     if (!r.has_value()) ++errors;
                     if (fs.wal_syncs.load() <= syncs_at_append) ++early;
                     answered.set_value();
                   });
        answered.get_future().wait();
        ++appends;
      }
    });
  }
  for (auto& th : pool) th.join();
  return {appends.load(), errors.load(), early.load()};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(sync_proof)

BOOST_AUTO_TEST_CASE(
    every_synced_acknowledgement_follows_a_completed_wal_sync_and_syncs_are_shared) {
  temp_dir dir;
  auto fs = std::make_shared<counting_fs>();
  auto log = open_rocksdb_log({dir.sub("log"), durability::sync, fs});
  BOOST_REQUIRE(log.has_value());
  auto before = fs->wal_syncs.load();
  auto p = run_appenders(**log, *fs, 64, 40);
  auto syncs = fs->wal_syncs.load() - before;
  auto writes = (*log)->stats().writes;
  std::cout << "sync proof: " << p.appends << " appends, " << writes << " writes, " << syncs
            << " WAL syncs\n";
  BOOST_TEST(p.appends == 2560u);
  BOOST_TEST(p.errors == 0u);
  BOOST_TEST(p.acked_before_a_sync == 0u);
  BOOST_TEST(syncs >= writes);  // every group write synced the WAL at least once
  BOOST_TEST(syncs < p.appends / 4);
}

BOOST_AUTO_TEST_CASE(async_durability_does_no_wal_sync_so_the_counter_can_fail) {
  temp_dir dir;
  auto fs = std::make_shared<counting_fs>();
  auto log = open_rocksdb_log({dir.sub("log"), durability::async, fs});
  BOOST_REQUIRE(log.has_value());
  BOOST_TEST(fs->wal_syncs.load() > 0u);  // the format record at first open is synced
  auto before = fs->wal_syncs.load();
  auto p = run_appenders(**log, *fs, 64, 40);
  std::cout << "async: " << p.appends << " appends, " << (*log)->stats().writes << " writes, "
            << fs->wal_syncs.load() - before << " WAL syncs, " << p.acked_before_a_sync
            << " acknowledged before a sync\n";
  BOOST_TEST(p.errors == 0u);
  BOOST_TEST(fs->wal_syncs.load() == before);
  BOOST_TEST(p.acked_before_a_sync == p.appends);  // the per-callback check does catch this
}

BOOST_AUTO_TEST_CASE(a_failing_wal_sync_fails_the_batch_and_applies_nothing) {
  temp_dir dir;
  auto fs = std::make_shared<counting_fs>();
  auto log = open_rocksdb_log({dir.sub("log"), durability::sync, fs});
  BOOST_REQUIRE(log.has_value());
  BOOST_TEST((*log)->append_and_wait(batch_of({make_event("wf/f", 1)})).has_value());
  fs->fail_syncs = true;
  auto r = (*log)->append_and_wait(
      batch_of({make_event("wf/f", 2)}, {{space::index, "after-fault", "v"}}));
  BOOST_REQUIRE(!r.has_value());
  BOOST_TEST(r.error().code == errc::unavailable);
  BOOST_TEST(read_all(**log, "wf/f").size() == 1u);
  BOOST_TEST(!get_record(**log, space::index, "after-fault").has_value());
  fs->fail_syncs = false;
  // RocksDB now refuses writes until restarted (a hard error): the log must keep answering,
  // not hang, and close cleanly.
  auto later = (*log)->append_and_wait(batch_of({make_event("wf/f", 2)}));
  std::cout << "after a failed WAL sync the next append "
            << (later.has_value() ? "succeeded" : "failed: " + later.error().message) << "\n";
  (*log)->close();
  BOOST_TEST((*log)->stats().failed_writes >= 1u);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace af::storage::test
