#include <boost/test/unit_test.hpp>

#include "http/errors.hpp"

using af::errc;
using af::http::status_of;

BOOST_AUTO_TEST_SUITE(error_table)

BOOST_AUTO_TEST_CASE(each_condition_has_the_documented_status) {
  BOOST_TEST(status_of(errc::invalid_json) == 400);
  BOOST_TEST(status_of(errc::invalid_argument) == 400);
  BOOST_TEST(status_of(errc::not_found) == 404);
  BOOST_TEST(status_of(errc::method_not_allowed) == 405);
  BOOST_TEST(status_of(errc::conflict) == 409);
  BOOST_TEST(status_of(errc::payload_too_large) == 413);
  BOOST_TEST(status_of(errc::uri_too_long) == 414);
  BOOST_TEST(status_of(errc::unsupported_media_type) == 415);
  BOOST_TEST(status_of(errc::invalid_definition) == 422);
  BOOST_TEST(status_of(errc::not_ready) == 503);
  BOOST_TEST(status_of(errc::unavailable) == 503);
  BOOST_TEST(status_of(errc::timeout) == 504);
  BOOST_TEST(status_of(errc::internal) == 500);
}

BOOST_AUTO_TEST_CASE(storage_conditions_are_shown_by_their_meaning) {
  httplib::Response res;
  af::http::write_error(res, af::error(errc::io_error, "disk"));
  BOOST_TEST(res.status == 503);
  BOOST_TEST(res.body.find("\"code\":\"unavailable\"") != std::string::npos);
  BOOST_TEST(res.get_header_value("Content-Type") == "application/json");
}

BOOST_AUTO_TEST_SUITE_END()
