#include <boost/test/unit_test.hpp>

#include <string>

#include "base/ids.hpp"

BOOST_AUTO_TEST_SUITE(identifiers)

BOOST_AUTO_TEST_CASE(workflow_ids_follow_the_design_rule) {
  BOOST_TEST(af::valid_workflow_id("lead-enrichment"));
  BOOST_TEST(af::valid_workflow_id("a"));
  BOOST_TEST(af::valid_workflow_id(std::string(64, 'a')));
  BOOST_TEST(!af::valid_workflow_id(std::string(65, 'a')));
  BOOST_TEST(!af::valid_workflow_id("-lead"));
  BOOST_TEST(!af::valid_workflow_id("Lead"));
  BOOST_TEST(!af::valid_workflow_id("../etc"));
  BOOST_TEST(!af::valid_workflow_id("schema"));
  BOOST_TEST(!af::valid_workflow_id("lint"));
  BOOST_TEST(!af::valid_workflow_id(""));
}

BOOST_AUTO_TEST_CASE(step_ids_and_identifiers) {
  BOOST_TEST(af::valid_step_id("_x-1"));
  BOOST_TEST(!af::valid_step_id("a.b"));
  BOOST_TEST(af::is_identifier("fetch_user"));
  BOOST_TEST(!af::is_identifier("fetch-user"));
  BOOST_TEST(!af::is_identifier("1a"));
}

BOOST_AUTO_TEST_CASE(random_hex_has_the_requested_length_and_varies) {
  auto a = af::random_hex(16), b = af::random_hex(16);
  BOOST_TEST(a.size() == 32u);
  BOOST_TEST(a != b);
}

BOOST_AUTO_TEST_SUITE_END()
