#include <boost/test/unit_test.hpp>

#include <string>

#include "runtime/cron.hpp"

using af::runtime::cron_spec;
using af::runtime::parse_cron;

namespace {

cron_spec must_parse(const std::string& text) {
  auto r = parse_cron(text);
  BOOST_TEST_INFO("cron: " << text << (r ? "" : " -> " + r.error().message));
  BOOST_TEST_REQUIRE(r.has_value());
  return *r;
}

std::string failure(const std::string& text) {
  auto r = parse_cron(text);
  BOOST_TEST_INFO("cron: " << text);
  BOOST_TEST_REQUIRE(!r.has_value());
  BOOST_TEST((r.error().code == af::errc::invalid_argument));
  return r.error().message;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cron)

BOOST_AUTO_TEST_CASE(accepts_the_vixie_syntax) {
  for (const char* c :
       {"* * * * *", "0 9 * * MON-FRI", "*/15 * * * *", "0 0 1,15 * *", "5-10/2 1-3 * * *",
        "0 0 * JAN,jul *", "0 0 * * sun", "0 0 * * 7", "0 0 * * 0-7", "59 23 31 12 6", "0 0 29 2 *",
        "0 12 * * 1-5/2", "  0   0  *  *  *  ", "0\t0\t*\t*\t*", "0 0 * * 5-7", "30 * * * * *",
        "*/10 * * * * *", "0 0 0 1 1 *", "0 0 * * mon,WED,Fri"})
    must_parse(c);
}

BOOST_AUTO_TEST_CASE(accepts_macros_and_every) {
  for (const char* c : {"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight",
                        "@hourly", "@DAILY", "@every 90s", "@every 1s", "@every   5m", "@every 7d"})
    must_parse(c);
  auto every = must_parse("@every 90s");
  BOOST_TEST(every.every.has_value());
  BOOST_TEST(*every.every == 90000);
  auto daily = must_parse("@daily");
  BOOST_TEST(!daily.every.has_value());
  BOOST_TEST(daily.minutes.count() == 1u);
  BOOST_TEST(daily.minutes.test(0));
  BOOST_TEST(daily.hours.test(0));
  BOOST_TEST(daily.days_of_month.count() == 31u);
  auto weekly = must_parse("@weekly");
  BOOST_TEST(weekly.dow_restricted);
  BOOST_TEST(weekly.days_of_week.count() == 1u);
  BOOST_TEST(weekly.days_of_week.test(0));
}

BOOST_AUTO_TEST_CASE(fills_the_value_sets) {
  auto c = must_parse("*/20 9-17 1,15 JAN-MAR MON-FRI");
  BOOST_TEST(!c.has_seconds);
  BOOST_TEST(c.seconds.count() == 1u);
  BOOST_TEST(c.seconds.test(0));
  BOOST_TEST(c.minutes.count() == 3u);
  BOOST_TEST((c.minutes.test(0) && c.minutes.test(20) && c.minutes.test(40)));
  BOOST_TEST(c.hours.count() == 9u);
  BOOST_TEST((c.hours.test(9) && c.hours.test(17) && !c.hours.test(18)));
  BOOST_TEST(c.days_of_month.count() == 2u);
  BOOST_TEST((c.days_of_month.test(1) && c.days_of_month.test(15)));
  BOOST_TEST(c.months.count() == 3u);
  BOOST_TEST((c.months.test(1) && c.months.test(3) && !c.months.test(4)));
  BOOST_TEST(c.days_of_week.count() == 5u);
  BOOST_TEST((!c.days_of_week.test(0) && c.days_of_week.test(1) && c.days_of_week.test(5)));
  BOOST_TEST(c.dom_restricted);
  BOOST_TEST(c.dow_restricted);
}

BOOST_AUTO_TEST_CASE(seven_is_sunday_and_star_fields_are_unrestricted) {
  auto c = must_parse("0 0 * * 5-7");
  BOOST_TEST(c.days_of_week.count() == 3u);
  BOOST_TEST((c.days_of_week.test(5) && c.days_of_week.test(6) && c.days_of_week.test(0)));
  BOOST_TEST(!c.dom_restricted);
  BOOST_TEST(c.dow_restricted);
  auto s = must_parse("0 0 */2 * *");  // Vixie: a field starting with '*' is unrestricted
  BOOST_TEST(!s.dom_restricted);
  BOOST_TEST(s.days_of_month.count() == 16u);
}

BOOST_AUTO_TEST_CASE(six_fields_put_seconds_first) {
  auto c = must_parse("*/30 5 * * * *");
  BOOST_TEST(c.has_seconds);
  BOOST_TEST(c.seconds.count() == 2u);
  BOOST_TEST((c.seconds.test(0) && c.seconds.test(30)));
  BOOST_TEST(c.minutes.count() == 1u);
  BOOST_TEST(c.minutes.test(5));
}

BOOST_AUTO_TEST_CASE(rejects_malformed_expressions_with_a_clear_message) {
  BOOST_TEST(failure("60 * * * *").find("minute 60 is out of range 0-59") != std::string::npos);
  BOOST_TEST(failure("* 24 * * *").find("hour 24 is out of range 0-23") != std::string::npos);
  BOOST_TEST(failure("* * 0 * *").find("day of month 0 is out of range 1-31") != std::string::npos);
  BOOST_TEST(failure("* * 32 * *").find("day of month 32") != std::string::npos);
  BOOST_TEST(failure("* * * 13 *").find("month 13 is out of range 1-12") != std::string::npos);
  BOOST_TEST(failure("* * * * 8").find("day of week 8 is out of range 0-7") != std::string::npos);
  BOOST_TEST(failure("60 * * * * *").find("second 60") != std::string::npos);
  BOOST_TEST(failure("* * * *").find("got 4") != std::string::npos);
  BOOST_TEST(failure("* * * * * * *").find("more than 6") != std::string::npos);
  BOOST_TEST(failure("").find("empty") != std::string::npos);
  BOOST_TEST(failure("   ").find("empty") != std::string::npos);
  BOOST_TEST(failure("5-2 * * * *").find("goes backwards") != std::string::npos);
  BOOST_TEST(failure("*/0 * * * *").find("step 0") != std::string::npos);
  BOOST_TEST(failure("*/61 * * * *").find("step 61") != std::string::npos);
  BOOST_TEST(failure("*/x * * * *").find("not a number") != std::string::npos);
  BOOST_TEST(failure("5/10 * * * *").find("needs a range or '*'") != std::string::npos);
  BOOST_TEST(failure("1,,2 * * * *").find("empty element") != std::string::npos);
  BOOST_TEST(failure("1, * * * *").find("empty element") != std::string::npos);
  BOOST_TEST(failure("* * * FOO *").find("invalid month 'FOO'") != std::string::npos);
  BOOST_TEST(failure("* * * * MONDAY").find("invalid day of week") != std::string::npos);
  BOOST_TEST(failure("* * * MON *").find("invalid month") != std::string::npos);
  BOOST_TEST(failure("JAN * * * *").find("invalid minute") != std::string::npos);
  BOOST_TEST(failure("* * ? * *").find("'?' is not supported") != std::string::npos);
  BOOST_TEST(failure("* * L * *").find("invalid day of month") != std::string::npos);
  BOOST_TEST(failure("* * * * 1#2").find("invalid day of week") != std::string::npos);
  BOOST_TEST(failure("-1 * * * *").find("missing value") != std::string::npos);
  BOOST_TEST(failure("1- * * * *").find("missing value") != std::string::npos);
  BOOST_TEST(failure("99999 * * * *").find("out of range") != std::string::npos);
  BOOST_TEST(failure("@reboot").find("unknown macro") != std::string::npos);
  BOOST_TEST(failure("@every").find("@every needs a duration") != std::string::npos);
  BOOST_TEST(failure("@every 1.5s").find("@every needs a duration") != std::string::npos);
  BOOST_TEST(failure("@every 500ms").find("at least 1s") != std::string::npos);
  BOOST_TEST(failure("@every90s").find("unknown macro") != std::string::npos);
  BOOST_TEST(failure("0 0 31 2 *").find("never fires") != std::string::npos);
  BOOST_TEST(failure("0 0 30,31 FEB *").find("never fires") != std::string::npos);
  BOOST_TEST(failure(std::string(300, '*')).find("longer than") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(day_of_month_that_never_occurs_is_fine_when_day_of_week_is_restricted) {
  // Vixie ORs the two day fields when both are restricted: this fires every Monday.
  auto c = must_parse("0 0 31 2 MON");
  BOOST_TEST(c.dom_restricted);
  BOOST_TEST(c.dow_restricted);
}

BOOST_AUTO_TEST_SUITE_END()
