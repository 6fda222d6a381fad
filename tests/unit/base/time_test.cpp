#include <boost/test/unit_test.hpp>

#include "base/clock.hpp"
#include "base/duration.hpp"

BOOST_AUTO_TEST_SUITE(time_and_durations)

BOOST_AUTO_TEST_CASE(formats_rfc3339_with_milliseconds) {
  BOOST_TEST(af::format_time(0) == "1970-01-01T00:00:00.000Z");
  BOOST_TEST(af::format_time(1795313626123) == "2026-11-22T02:13:46.123Z");
}

BOOST_AUTO_TEST_CASE(parses_rfc3339_round_trip_and_offsets) {
  BOOST_TEST(*af::parse_time("2026-11-22T02:13:46.123Z") == 1795313626123);
  BOOST_TEST(*af::parse_time("2026-11-22T03:13:46.123+01:00") == 1795313626123);
  BOOST_TEST(!af::parse_time("2026-02-30T00:00:00Z"));
  BOOST_TEST(!af::parse_time("2026-11-22 nonsense"));
  BOOST_TEST(!af::parse_time("2026-11-22T02:13:46"));
}

BOOST_AUTO_TEST_CASE(parses_durations_of_every_unit) {
  BOOST_TEST(*af::parse_duration("500ms") == 500);
  BOOST_TEST(*af::parse_duration("10s") == 10000);
  BOOST_TEST(*af::parse_duration("5m") == 300000);
  BOOST_TEST(*af::parse_duration("2h") == 7200000);
  BOOST_TEST(*af::parse_duration("7d") == 604800000);
}

BOOST_AUTO_TEST_CASE(rejects_malformed_durations) {
  for (const char* bad :
       {"", "s", "10", "1.5s", "-1s", "10 s", "10sec", "99999999999999999999d", "1w"})
    BOOST_TEST(!af::parse_duration(bad), bad);
}

BOOST_AUTO_TEST_CASE(formats_durations_in_the_largest_exact_unit) {
  BOOST_TEST(af::format_duration(1500) == "1500ms");
  BOOST_TEST(af::format_duration(60000) == "1m");
  BOOST_TEST(af::format_duration(0) == "0ms");
}

BOOST_AUTO_TEST_SUITE_END()
