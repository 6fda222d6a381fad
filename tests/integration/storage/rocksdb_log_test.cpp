// What only the RocksDB log promises: data outlives the process's handle, the format record
// guards the folder, and a second opener gets a clear refusal.

#include <fstream>

#include <rocksdb/db.h>

#include "storage/keys.hpp"
#include "tests/integration/storage/test_support.hpp"

namespace af::storage::test {
namespace {

// Writes raw key/values straight through RocksDB, as an older or foreign program would have.
void write_raw(const std::string& path,
               const std::vector<std::pair<std::string, std::string>>& kvs) {
  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  auto s = rocksdb::DB::Open(options, path, &raw);
  BOOST_REQUIRE_MESSAGE(s.ok(), s.ToString());
  std::unique_ptr<rocksdb::DB> db(raw);
  for (const auto& [k, v] : kvs) BOOST_REQUIRE(db->Put(rocksdb::WriteOptions(), k, v).ok());
  BOOST_REQUIRE(db->Close().ok());
}

}  // namespace

BOOST_AUTO_TEST_SUITE(rocksdb_log)

BOOST_AUTO_TEST_CASE(data_survives_close_and_reopen_and_appends_continue) {
  rocksdb_factory f;
  {
    auto log = f.open();
    BOOST_TEST(log->append_and_wait(batch_of({make_event("wf/default/w", 1, "workflow.created"),
                                              make_event("wf/default/w", 2, "workflow.published")},
                                             {{space::snapshot, "wf/default/w", "snap@2"}}))
                   .has_value());
    log->close();
  }
  {
    auto log = f.open();
    auto events = read_all(*log, "wf/default/w");
    BOOST_REQUIRE_EQUAL(events.size(), 2u);
    BOOST_TEST(events[1].type == "workflow.published");
    BOOST_TEST(get_record(*log, space::snapshot, "wf/default/w") ==
               std::optional<std::string>("snap@2"));
    BOOST_TEST(log->append_and_wait(batch_of({make_event("wf/default/w", 3)})).has_value());
  }  // destroyed without close(): the destructor closes
  auto log = f.open(durability::async);
  BOOST_TEST(read_all(*log, "wf/default/w").size() == 3u);
  BOOST_TEST(get_record(*log, space::meta, "format") == std::optional<std::string>("1"));
}

BOOST_AUTO_TEST_CASE(missing_parent_folders_are_created) {
  temp_dir dir;
  auto log = open_rocksdb_log({dir.sub("a/b/log"), durability::sync, nullptr});
  BOOST_REQUIRE(log.has_value());
  BOOST_TEST(std::filesystem::exists(dir.path() / "a/b/log/CURRENT"));
}

BOOST_AUTO_TEST_CASE(a_second_open_of_the_same_folder_is_refused_with_a_clear_message) {
  rocksdb_factory f;
  auto first = f.open();
  auto second = open_rocksdb_log({f.dir.sub("log"), durability::sync, nullptr});
  BOOST_REQUIRE(!second.has_value());
  BOOST_TEST(second.error().code == errc::unavailable);
  BOOST_TEST(second.error().message.find("another actorflow node") != std::string::npos,
             second.error().message);
  // The first one is unharmed.
  BOOST_TEST(first->append_and_wait(batch_of({make_event("s", 1)})).has_value());
}

BOOST_AUTO_TEST_CASE(an_unknown_format_version_is_refused_at_open) {
  temp_dir dir;
  write_raw(dir.sub("log"), {{keys::record_key(space::meta, "format"), "2"}});
  auto log = open_rocksdb_log({dir.sub("log"), durability::sync, nullptr});
  BOOST_REQUIRE(!log.has_value());
  BOOST_TEST(log.error().code == errc::failed_precondition);
  BOOST_TEST(log.error().message.find("version '2'") != std::string::npos, log.error().message);
}

BOOST_AUTO_TEST_CASE(a_folder_with_data_but_no_format_record_is_refused) {
  temp_dir dir;
  write_raw(dir.sub("log"), {{"some", "thing"}});
  auto log = open_rocksdb_log({dir.sub("log"), durability::sync, nullptr});
  BOOST_REQUIRE(!log.has_value());
  BOOST_TEST(log.error().code == errc::failed_precondition);
  BOOST_TEST(log.error().message.find("no storage format record") != std::string::npos,
             log.error().message);
}

BOOST_AUTO_TEST_CASE(an_unusable_path_is_an_io_error) {
  temp_dir dir;
  {
    std::ofstream file(dir.sub("plain-file"));
    file << "x";
  }
  auto log = open_rocksdb_log({dir.sub("plain-file/log"), durability::sync, nullptr});
  BOOST_REQUIRE(!log.has_value());
  BOOST_TEST(log.error().code == errc::io_error);
  auto empty = open_rocksdb_log({"", durability::sync, nullptr});
  BOOST_REQUIRE(!empty.has_value());
  BOOST_TEST(empty.error().code == errc::invalid_argument);
}

BOOST_AUTO_TEST_CASE(large_batches_and_many_streams_round_trip) {
  rocksdb_factory f;
  auto log = f.open();
  std::string big(512 * 1024, 'd');
  write_batch b;
  for (int s = 0; s < 200; ++s) {
    for (std::uint64_t seq = 1; seq <= 5; ++seq) {
      b.events.push_back(make_event("run/ws/" + std::to_string(s), seq, "run.step", seq,
                                    s == 7 && seq == 3 ? big : "{}"));
    }
  }
  BOOST_TEST(log->append_and_wait(std::move(b)).has_value());
  log.reset();
  log = f.open();
  BOOST_TEST(scan_all(*log, "run/ws/").size() == 1000u);
  auto events = read_all(*log, "run/ws/7", 3);
  BOOST_REQUIRE_EQUAL(events.size(), 3u);
  BOOST_TEST(events[0].data.size() == big.size());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace af::storage::test
