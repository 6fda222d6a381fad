// The client facade for runs: live runs are asked through the actors; finished (and parked)
// runs are read from the log on the calling thread, so they cost no actor.
#include "actors/client.hpp"

#include <thread>

#include "actors/client_backend.hpp"
#include "actors/run_store.hpp"

namespace af::actors {
namespace {

bool receiver_down(const error& e) {
  return e.code == errc::unavailable && e.details.is_array() && !e.details.empty() &&
         e.details[0] == "receiver_down";
}

// Asks again when the actor stopped under the request (it parked or finished meanwhile).
template <class Reply, class Msg>
result<Reply> ask_run(client::backend& b, std::optional<std::chrono::milliseconds> timeout,
                      const Msg& msg) {
  for (int i = 0;; ++i) {
    auto r = ask<Reply>(b, timeout, msg);
    if (r || !receiver_down(r.error()) || i == 3) return r;
    // The supervisor learns of the stop a moment later: give it that moment (an HTTP thread).
    std::this_thread::sleep_for(std::chrono::milliseconds(2 << i));
  }
}

bool not_active(const result<reply>& r) {
  return r && r->err && r->err->code == errc::not_found;
}

result<runtime::run_state> stored_run(client::backend& b, const std::string& ws,
                                      const std::string& id) {
  auto loaded = load_run(*b.ctx->log, ws, id);
  if (!loaded) return loaded.error();
  if (!*loaded) return error(errc::not_found, "run " + id + " not found");
  return std::move(**loaded);
}

std::chrono::milliseconds with_wait(std::chrono::milliseconds timeout,
                                    const std::optional<std::chrono::milliseconds>& wait) {
  return timeout + wait.value_or(std::chrono::milliseconds(0));
}

}  // namespace

result<answer> client::start(run_start req) {
  if (!ready()) return not_ready();
  req.deadline = std::chrono::steady_clock::now() + timeout_ * 3 / 4;
  // No request timeout on the hot path: CAF's timeouts cost a trip through its clock thread
  // for every run (7 % of the node's CPU under W1). The actors bound the wait themselves: the
  // first batch is always acknowledged or refused by the log, `?wait` has its own timer, and a
  // dead actor fails the request at once.
  // A repeated key is answered by the original run's actor, which may stop under the request:
  // asking again is safe, the key makes the start idempotent.
  if (req.idempotency_key) return to_answer(ask_run<reply>(*backend_, std::nullopt, req));
  return to_answer(ask<reply>(*backend_, std::nullopt, std::move(req)));
}

result<answer> client::get(run_get req) {
  if (!ready()) return not_ready();
  auto r = ask_run<reply>(*backend_, with_wait(timeout_, req.wait), req);
  if (!not_active(r)) return to_answer(std::move(r));
  auto st = stored_run(*backend_, req.workspace, req.run_id);
  if (!st) return std::move(st).error();
  return answer{runtime::run_view(*st, backend_->ctx->public_url), false};
}

result<page_reply> client::items(run_items_get req) {
  if (!ready()) return not_ready();
  auto r = ask_run<page_reply>(*backend_, timeout_, req);
  if (r) return r;
  if (r.error().code == errc::timeout) return r;
  auto st = stored_run(*backend_, req.workspace, req.run_id);
  if (!st) return std::move(st).error();
  return items_page(*st, req);
}

result<page_reply> client::history(run_history_get req) {
  if (!ready()) return not_ready();
  auto page = run_history(*backend_->ctx->log, req);
  if (!page) return page;
  if (page->items.empty() && req.after_seq == 0)
    return error(errc::not_found, "run " + req.run_id + " not found");
  return page;
}

result<page_reply> client::list(run_list req) {
  if (!ready()) return not_ready();
  return list_runs(*backend_->ctx->log, req);
}

result<page_reply> client::failures(failure_list req) {
  if (!ready()) return not_ready();
  return list_failures(*backend_->ctx->log, req, backend_->ctx->public_url);
}

result<answer> client::control(run_control req) {
  if (!ready()) return not_ready();
  req.deadline = std::chrono::steady_clock::now() + timeout_ * 3 / 4;
  auto r = ask_run<reply>(*backend_, timeout_, req);
  if (!not_active(r)) return to_answer(std::move(r));
  // A finished run: only retry-failed of a failed run changes it; the rest is decided here.
  auto st = stored_run(*backend_, req.workspace, req.run_id);
  if (!st) return std::move(st).error();
  const auto status = st->status;
  const std::string shown(runtime::to_string(status));
  const auto view = [&] {
    return answer{runtime::run_view(*st, backend_->ctx->public_url), false};
  };
  switch (req.kind) {
    case run_control_kind::cancel:
      if (status == runtime::run_status::canceled) return view();
      return error(errc::conflict,
                   "run " + req.run_id + " already " + shown + "; it cannot be canceled");
    case run_control_kind::pause:
      return error(errc::conflict,
                   "run " + req.run_id + " already " + shown + "; it cannot be paused");
    case run_control_kind::resume:
      return error(errc::conflict,
                   "run " + req.run_id + " already " + shown + "; it cannot be resumed");
    case run_control_kind::retry_failed:
      if (status != runtime::run_status::failed)
        return error(errc::conflict, "run " + req.run_id + " is " + shown +
                                         "; only a failed run can retry its failed items");
      break;
  }
  if (!runtime::finished(status))
    return error(errc::unavailable, "run " + req.run_id + " is between actors; retry shortly");
  return to_answer(ask_run<reply>(*backend_, timeout_, run_revive{req, st->workflow_id}));
}

}  // namespace af::actors
