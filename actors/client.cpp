#include "actors/client.hpp"

#include "actors/client_backend.hpp"

namespace af::actors {

client::client(std::chrono::milliseconds timeout) : timeout_(timeout) {}
client::~client() = default;

bool client::ready() const {
  return ready_.load(std::memory_order_acquire);
}

void client::attach(std::shared_ptr<backend> b) {
  backend_ = std::move(b);
  ready_.store(true, std::memory_order_release);
}

result<answer> client::send(workflow_request req) {
  if (!ready()) return not_ready();
  // Leave the actor time to refuse a command it could not start, so the outcome is known.
  req.deadline = std::chrono::steady_clock::now() + timeout_ * 3 / 4;
  return to_answer(ask<reply>(*backend_, timeout_, std::move(req)));
}

result<answer> client::get(workflow_get req) {
  if (!ready()) return not_ready();
  return to_answer(ask<reply>(*backend_, timeout_, std::move(req)));
}

result<answer> client::duplicate(workflow_duplicate req) {
  if (!ready()) return not_ready();
  return to_answer(ask<reply>(*backend_, timeout_, std::move(req)));
}

result<list_reply> client::list(workflow_list req) {
  if (!ready()) return not_ready();
  return ask<list_reply>(*backend_, timeout_, std::move(req));
}

}  // namespace af::actors
