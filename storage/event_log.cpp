#include "storage/event_log.hpp"

#include <future>

namespace af::storage {

result<void> event_log::append_and_wait(write_batch batch) {
  // done runs exactly once (writer thread, or this thread after close), so the future is
  // always fulfilled and get() cannot block forever while the writer is alive.
  std::promise<result<void>> answered;
  auto future = answered.get_future();
  append(std::move(batch), [&answered](result<void> r) { answered.set_value(std::move(r)); });
  return future.get();
}

}  // namespace af::storage
