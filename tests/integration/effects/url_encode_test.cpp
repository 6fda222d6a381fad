// url_encode: RFC 3986 unreserved bytes kept, every other byte %XX in upper-case hex.

#include <boost/test/unit_test.hpp>

#include "effects/http_client.hpp"

namespace af::effects::test {

BOOST_AUTO_TEST_SUITE(url_encoding)

BOOST_AUTO_TEST_CASE(keeps_unreserved_and_percent_encodes_everything_else) {
  struct row {
    std::string in, out;
  };
  const row rows[] = {
      {"", ""},
      {"abcXYZ019", "abcXYZ019"},
      {"-._~", "-._~"},
      {"a b", "a%20b"},
      {"a+b", "a%2Bb"},
      {"x=1&y=2", "x%3D1%26y%3D2"},
      {"/?#[]@", "%2F%3F%23%5B%5D%40"},
      {"!$'()*,;:", "%21%24%27%28%29%2A%2C%3B%3A"},
      {"100%", "100%25"},
      {"é", "%C3%A9"},
      {"日本", "%E6%97%A5%E6%9C%AC"},
      {std::string("a\0b", 3), "a%00b"},
      {"\r\n\t", "%0D%0A%09"},
      {"\x7f\xff", "%7F%FF"},
  };
  for (const auto& r : rows) BOOST_TEST(url_encode(r.in) == r.out, "input: " << r.in);
}

BOOST_AUTO_TEST_CASE(encodes_every_byte_value_reversibly) {
  std::string all;
  for (int b = 0; b < 256; ++b) all += static_cast<char>(b);
  auto encoded = url_encode(all);
  std::string decoded;
  for (std::size_t i = 0; i < encoded.size(); ++i) {
    if (encoded[i] == '%') {
      decoded += static_cast<char>(std::stoi(encoded.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      decoded += encoded[i];
    }
  }
  BOOST_TEST(decoded == all);
  BOOST_TEST(encoded.size() == 66 + 3 * (256 - 66));  // 66 unreserved bytes
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace af::effects::test
