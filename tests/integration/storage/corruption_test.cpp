// Damaged stored events must come back as errc::corruption naming the key, never a crash or a
// silently wrong event: the log is read from disk at every start.

#include <rocksdb/db.h>

#include "storage/keys.hpp"
#include "tests/integration/storage/test_support.hpp"

namespace af::storage::test {
namespace {

std::string be64(std::uint64_t v) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i, v >>= 8) out[i] = static_cast<char>(v & 0xff);
  return out;
}

// One damaged event per stream "bad/<n>", each preceded by a good event (seq 1).
std::vector<std::pair<std::string, std::string>> damaged_events() {
  std::string good;
  keys::append_event_value(good, make_event("x", 1));
  std::vector<std::string> bad_values = {
      "",                                                 // empty
      std::string(1, '\x01'),                             // version only
      std::string("\x02\x01t", 3) + be64(0) + "{}",       // unknown value version
      std::string("\x01\x05t", 3) + be64(0),              // type length beyond the value
      std::string("\x01\x01t\x00\x00", 5),                // time truncated
      std::string("\x01\xff", 2) + std::string(20, 'x'),  // 255-byte type, value too short
  };
  std::vector<std::pair<std::string, std::string>> kvs;
  for (std::size_t i = 0; i < bad_values.size(); ++i) {
    auto stream = "bad/" + std::to_string(i);
    kvs.emplace_back(keys::event_key(stream, 1), good);
    kvs.emplace_back(keys::event_key(stream, 2), bad_values[i]);
  }
  // Keys that cannot be events although they sit in a stream's key range.
  kvs.emplace_back(std::string("ebad/k1") + '\0' + "\x01\x02\x03", good);    // short seq
  kvs.emplace_back(std::string("ebad/k2") + '\0' + be64(1) + "tail", good);  // long seq
  return kvs;
}

constexpr std::size_t bad_value_streams = 6;

void expect_corruption_everywhere(event_log& log) {
  for (std::size_t i = 0; i < bad_value_streams; ++i) {
    auto stream = "bad/" + std::to_string(i);
    std::size_t good_seen = 0;
    auto r = log.read_stream(stream, 1, [&](const event& e) {
      good_seen += e.seq == 1 ? 1 : 0;
      return true;
    });
    BOOST_REQUIRE_MESSAGE(!r.has_value(), stream);
    BOOST_TEST(r.error().code == errc::corruption);
    BOOST_TEST(r.error().message.find(stream) != std::string::npos, r.error().message);
    BOOST_TEST(good_seen == 1u);  // the good event before it was delivered
  }
  for (const char* stream : {"bad/k1", "bad/k2"}) {
    auto r = log.scan_events(stream, [](const event&) { return true; });
    BOOST_REQUIRE_MESSAGE(!r.has_value(), stream);
    BOOST_TEST(r.error().code == errc::corruption);
  }
  auto all = log.scan_events("", [](const event&) { return true; });
  BOOST_REQUIRE(!all.has_value());
  BOOST_TEST(all.error().code == errc::corruption);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(damaged_records)

BOOST_AUTO_TEST_CASE(rocksdb_log_reports_corruption_for_damaged_events) {
  temp_dir dir;
  auto path = dir.sub("log");
  {
    // Creates the folder and its format record, then lets go of the lock.
    auto log = open_rocksdb_log({path, durability::sync, nullptr});
    BOOST_REQUIRE(log.has_value());
  }
  {
    rocksdb::DB* raw = nullptr;
    BOOST_REQUIRE(rocksdb::DB::Open(rocksdb::Options(), path, &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    for (const auto& [k, v] : damaged_events()) {
      BOOST_REQUIRE(db->Put(rocksdb::WriteOptions(), k, v).ok());
    }
    BOOST_REQUIRE(db->Close().ok());
  }
  auto log = open_rocksdb_log({path, durability::sync, nullptr});
  BOOST_REQUIRE(log.has_value());
  expect_corruption_everywhere(**log);
}

BOOST_AUTO_TEST_CASE(memory_log_reports_corruption_for_damaged_events) {
  auto store = std::make_unique<memory_backend>();
  BOOST_REQUIRE(ensure_format(*store).has_value());
  for (const auto& [k, v] : damaged_events()) store->put_raw(k, v);
  auto log = make_event_log(std::move(store));
  expect_corruption_everywhere(*log);
}

BOOST_AUTO_TEST_CASE(a_garbage_format_record_is_refused) {
  temp_dir dir;
  auto path = dir.sub("log");
  {
    rocksdb::Options options;
    options.create_if_missing = true;
    rocksdb::DB* raw = nullptr;
    BOOST_REQUIRE(rocksdb::DB::Open(options, path, &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    BOOST_REQUIRE(db->Put(rocksdb::WriteOptions(), keys::record_key(space::meta, "format"),
                          std::string(5000, '\xee'))
                      .ok());
    BOOST_REQUIRE(db->Close().ok());
  }
  auto log = open_rocksdb_log({path, durability::sync, nullptr});
  BOOST_REQUIRE(!log.has_value());
  BOOST_TEST(log.error().code == errc::failed_precondition);
  BOOST_TEST(log.error().message.size() < 400u);  // a damaged value does not flood the message
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace af::storage::test
