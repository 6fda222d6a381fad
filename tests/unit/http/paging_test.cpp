#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "http/paging.hpp"

using af::http::cursor_codec;

BOOST_AUTO_TEST_SUITE(cursors)

BOOST_AUTO_TEST_CASE(a_cursor_round_trips_for_its_own_list_only) {
  cursor_codec codec("secret-a");
  auto c = codec.encode("workflows", "1795313626123|flow");
  auto back = codec.decode("workflows", c);
  BOOST_REQUIRE(back.has_value());
  BOOST_TEST(*back == "1795313626123|flow");
  BOOST_TEST(!codec.decode("versions/flow", c).has_value());
}

BOOST_AUTO_TEST_CASE(forged_altered_or_foreign_cursors_are_refused) {
  cursor_codec codec("secret-a"), other("secret-b");
  auto c = codec.encode("workflows", "1|x");
  BOOST_TEST(!other.decode("workflows", c).has_value());
  std::string altered = c;
  altered[0] = altered[0] == 'A' ? 'B' : 'A';
  BOOST_TEST(!codec.decode("workflows", altered).has_value());
  for (std::string bad :
       std::vector<std::string>{"", ".", "abc", "abc.def", "!!!.???", std::string(600, 'A') + ".x"})
    BOOST_TEST(!codec.decode("workflows", bad).has_value(), bad.substr(0, 20));
}

BOOST_AUTO_TEST_SUITE_END()
