#define BOOST_TEST_MODULE unit_config
#include <boost/test/unit_test.hpp>

#include "config/options.hpp"

using namespace af::config;
using af::json;

BOOST_AUTO_TEST_CASE(defaults_match_the_documentation) {
  auto o = load({});
  BOOST_REQUIRE(o.has_value());
  BOOST_TEST(o->listen() == "127.0.0.1:7400");
  BOOST_TEST(o->data_dir == "./data");
  BOOST_TEST((o->log_durability == durability::sync));
  BOOST_TEST(o->effective_public_url() == "http://127.0.0.1:7400");
  BOOST_TEST(o->lim.body_bytes == 1u << 20);
  BOOST_TEST(o->lim.json_depth == 64u);
}

BOOST_AUTO_TEST_CASE(file_values_are_read_and_flags_win) {
  auto o = from_json(json::parse(R"({"listen": "0.0.0.0:8000", "durability": "async",
      "public_url": "https://flow.example.com/", "limits": {"steps": 20}})"));
  BOOST_REQUIRE(o.has_value());
  BOOST_TEST(o->listen() == "0.0.0.0:8000");
  BOOST_TEST((o->log_durability == durability::async));
  BOOST_TEST(o->effective_public_url() == "https://flow.example.com");
  BOOST_TEST(o->lim.steps == 20u);
  overrides f;
  f.listen = "127.0.0.1:9";
  f.durability = "sync";
  BOOST_TEST(load(f)->listen() == "127.0.0.1:9");
}

BOOST_AUTO_TEST_CASE(unknown_keys_and_bad_values_are_refused_with_the_field_named) {
  for (const char* bad :
       {R"({"listen": 5})", R"({"lisen": "x:1"})", R"({"durability": "fast"})",
        R"({"limits": {"steps": 0}})", R"({"limits": {"stepz": 5}})", R"({"listen": "nohost"})",
        R"({"listen": "h:99999"})", R"([])", R"({"api_keys": [{"key": "k", "workspace": 1}]})",
        R"({"api_keys": [5]})", R"({"api_keys": {"key": "k"}})"}) {
    auto o = from_json(json::parse(bad));
    BOOST_TEST(!o.has_value(), bad);
  }
  auto o = from_json(json::parse(R"({"durability": "fast"})"));
  BOOST_TEST(o.error().message.find("durability") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_config_with_api_keys_is_refused_until_authentication_exists) {
  auto doc =
      from_json(json::parse(R"({"api_keys": [{"key": "k", "workspace": "w", "role": "admin"}]})"));
  BOOST_REQUIRE(doc.has_value());
  BOOST_TEST(doc->api_keys.size() == 1u);
  auto refused = validate(*doc);
  BOOST_REQUIRE(!refused.has_value());
  BOOST_TEST(refused.error().message.find("api_keys") != std::string::npos);
  overrides f;
  f.config_file = "/nonexistent/actorflow.json";
  auto missing = load(f);
  BOOST_REQUIRE(!missing.has_value());
  BOOST_TEST(missing.error().message.find("cannot read") != std::string::npos);
}
