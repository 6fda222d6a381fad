// `actorflow` as a command: help, flags, config files that must be refused, and one node per
// data dir.
#define BOOST_TEST_MODULE e2e_cli
#include <boost/test/unit_test.hpp>

#include <fstream>

#include "tests/e2e/node_process.hpp"

using namespace af::e2e;

namespace {

std::string write_file(const temp_dir& dir, const std::string& name, const std::string& text) {
  auto path = (dir.path() / name).string();
  std::ofstream(path) << text;
  return path;
}

bool mentions(const std::string& text, const std::string& what) {
  return text.find(what) != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_CASE(help_lists_serve_and_its_flags) {
  auto r = run_command({binary_path(), "serve", "--help"});
  BOOST_TEST(r.exit_code == 0);
  for (const char* flag : {"--listen", "--data-dir", "--config", "--durability"})
    BOOST_TEST(mentions(r.output, flag), flag);
  BOOST_TEST(run_command({binary_path(), "--help"}).exit_code == 0);
}

BOOST_AUTO_TEST_CASE(usage_errors_exit_2_with_a_message) {
  auto unknown = run_command({binary_path(), "serve", "--bogus", "1"});
  BOOST_TEST(unknown.exit_code == 2);
  BOOST_TEST(mentions(unknown.output, "unknown option --bogus"));
  BOOST_TEST(run_command({binary_path(), "fly"}).exit_code == 2);
  BOOST_TEST(run_command({binary_path()}).exit_code == 2);
  auto bad_listen = run_command({binary_path(), "serve", "--listen", "nowhere"});
  BOOST_TEST(bad_listen.exit_code == 2);
  BOOST_TEST(mentions(bad_listen.output, "listen"));
}

BOOST_AUTO_TEST_CASE(a_config_with_api_keys_is_refused_until_authentication_exists) {
  temp_dir dir;
  auto cfg = write_file(
      dir, "af.json", R"({"api_keys": [{"key": "k1", "workspace": "default", "role": "admin"}]})");
  auto r = run_command(
      {binary_path(), "serve", "--config", cfg, "--data-dir", (dir.path() / "data").string()});
  BOOST_TEST(r.exit_code != 0);
  BOOST_TEST(mentions(r.output, "api_keys"));
  BOOST_TEST(!std::filesystem::exists(dir.path() / "data"));  // refused before touching anything
}

BOOST_AUTO_TEST_CASE(config_files_with_unknown_keys_or_bad_json_are_refused) {
  temp_dir dir;
  auto typo = run_command(
      {binary_path(), "serve", "--config", write_file(dir, "a.json", R"({"durabilty": "sync"})")});
  BOOST_TEST(typo.exit_code == 2);
  BOOST_TEST(mentions(typo.output, "durabilty"));
  auto broken =
      run_command({binary_path(), "serve", "--config", write_file(dir, "b.json", "{\"listen\": ")});
  BOOST_TEST(broken.exit_code == 2);
  auto missing =
      run_command({binary_path(), "serve", "--config", (dir.path() / "none.json").string()});
  BOOST_TEST(missing.exit_code == 2);
  BOOST_TEST(mentions(missing.output, "cannot read config file"));
}

BOOST_AUTO_TEST_CASE(config_file_values_apply_and_flags_win) {
  temp_dir dir;
  auto cfg =
      write_file(dir, "c.json", R"({"durability": "async", "data_dir": "/nonexistent/never"})");
  node_process node(binary_path(), dir.path() / "data", {"--config", cfg});
  BOOST_REQUIRE(node.start());  // --data-dir (a flag) wins over the file's data_dir
  auto r = node.client()->Get("/v1/node");
  BOOST_REQUIRE(r);
  BOOST_TEST(mentions(r->body, "\"durability\":\"async\""));
  BOOST_TEST(mentions(node.log_text(), "open-file limit"));
}

BOOST_AUTO_TEST_CASE(a_second_node_on_the_same_data_dir_is_refused) {
  temp_dir dir;
  node_process first(binary_path(), dir.path() / "data");
  BOOST_REQUIRE(first.start());
  node_process second(binary_path(), dir.path() / "data");
  BOOST_TEST(!second.start(std::chrono::seconds(20)));
  BOOST_TEST(WIFEXITED(second.exit_status()));
  BOOST_TEST(WEXITSTATUS(second.exit_status()) != 0);
  BOOST_TEST(mentions(second.log_text(), "another actorflow node"));
  auto still = first.client()->Get("/readyz");
  BOOST_TEST((still && still->status == 200));
}
