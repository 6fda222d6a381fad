#define BOOST_TEST_MODULE integration_effects
#include <sys/resource.h>

#include <csignal>

#include <boost/test/unit_test.hpp>

// Process set-up the node does too: peers closing mid-write must not kill us (SIGPIPE), and a
// thousand calls need a thousand sockets on each side (dependencies.md §10: raise the soft
// descriptor limit to the hard one).
struct process_setup {
  process_setup() {
    std::signal(SIGPIPE, SIG_IGN);
    rlimit rl{};
    if (::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
      rl.rlim_cur = rl.rlim_max;
      ::setrlimit(RLIMIT_NOFILE, &rl);
    }
  }
};
BOOST_TEST_GLOBAL_FIXTURE(process_setup);
