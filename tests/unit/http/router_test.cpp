#define BOOST_TEST_MODULE unit_http
#include <boost/test/unit_test.hpp>

#include <string>

#include "http/router.hpp"

using namespace af::http;

namespace {

handler named(std::string name) {
  return [name](exchange&) -> af::result<response> { return response{200, af::json(name)}; };
}

router sample() {
  router r;
  r.add("GET", "/v1/workflows", named("list"));
  r.add("POST", "/v1/workflows/lint", named("lint"));
  r.add("GET", "/v1/workflows/{id}", named("get"));
  r.add("PUT", "/v1/workflows/{id}", named("put"));
  r.add("GET", "/v1/workflows/{id}/versions/{v}", named("version"));
  return r;
}

std::string which(const route_match& m) {
  if (!m.fn) return "";
  httplib::Request req;
  httplib::Response res;
  exchange ex(req, res, nullptr, af::limits{});
  return (*m.fn)(ex)->body->get<std::string>();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(routing)

BOOST_AUTO_TEST_CASE(literal_segments_win_over_parameters) {
  auto r = sample();
  BOOST_TEST(which(r.match("POST", "/v1/workflows/lint")) == "lint");
  BOOST_TEST(which(r.match("GET", "/v1/workflows/lint")) == "get");  // GET has only the {id} route
  auto m = r.match("GET", "/v1/workflows/flow/versions/3");
  BOOST_TEST(which(m) == "version");
  BOOST_REQUIRE(m.params.size() == 2u);
  BOOST_TEST(m.params[0] == "flow");
  BOOST_TEST(m.params[1] == "3");
}

BOOST_AUTO_TEST_CASE(a_known_path_with_another_method_lists_the_allowed_ones) {
  auto r = sample();
  auto m = r.match("DELETE", "/v1/workflows/flow");
  BOOST_TEST(!m.fn);
  BOOST_TEST(m.path_known);
  BOOST_TEST(m.allow == "GET, PUT");
  BOOST_TEST(which(r.match("HEAD", "/v1/workflows")) == "list");  // HEAD is served by GET routes
}

BOOST_AUTO_TEST_CASE(unknown_empty_and_overlong_paths_match_nothing) {
  auto r = sample();
  for (std::string p : {"/v2/workflows", "/v1/workflows/", "/v1/workflows//versions/1", "",
                        "v1/workflows", "/v1/workflows/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s"}) {
    auto m = r.match("GET", p);
    BOOST_TEST(!m.fn, p);
    BOOST_TEST(!m.path_known, p);
  }
  std::string huge = "/v1/workflows/" + std::string(100000, 'a');
  BOOST_TEST(which(r.match("GET", huge)) == "get");  // length is the id check's business
}

BOOST_AUTO_TEST_SUITE_END()
