#pragma once
// Internal: what the client needs of the running actors.

#include <caf/all.hpp>

#include "actors/client.hpp"
#include "actors/context.hpp"
#include "actors/messages.hpp"

namespace af::actors {

class client::backend {
 public:
  backend(caf::actor_system& sys, node_actor n, std::shared_ptr<const node_context> c)
      : system(sys), node(std::move(n)), ctx(std::move(c)) {}
  caf::actor_system& system;
  node_actor node;
  std::shared_ptr<const node_context> ctx;  // finished runs are read from the log directly
};

inline error not_ready() {
  return error(errc::not_ready, "the node is replaying its log; try again shortly");
}

inline result<answer> to_answer(result<reply> r) {
  if (!r) return std::move(r).error();
  if (r->err) return std::move(*r->err);
  return answer{std::move(r->body), r->created};
}

// One blocking request through a fresh scoped_actor: a reused one with a finite timeout
// collapses to ~1.5k calls/s in CAF 0.17 (notes §4).
// `timeout` nullopt: no request timeout (the callee is known to always answer).
template <class Reply, class Msg>
inline result<Reply> ask(client::backend& b, std::optional<std::chrono::milliseconds> timeout,
                         Msg msg) {
  caf::scoped_actor self{b.system};
  std::optional<result<Reply>> out;
  auto handle = timeout ? self->request(b.node, *timeout, std::move(msg))
                        : self->request(b.node, caf::infinite, std::move(msg));
  handle.receive([&](Reply& r) { out.emplace(std::move(r)); },
                 [&](caf::error& e) {
                   if (e == caf::sec::request_timeout)
                     out.emplace(error(errc::timeout,
                                       "the node did not answer in time; the change may or may not "
                                       "have been applied: read it back"));
                   else if (e == caf::sec::request_receiver_down)
                     // The actor stopped (a run parked or finished) while the request was on its
                     // way: the caller may ask again.
                     out.emplace(error(errc::unavailable, "the actor stopped; retry",
                                       json::array({"receiver_down"})));
                   else
                     out.emplace(error(errc::unavailable, "actor error: " + b.system.render(e)));
                 });
  return std::move(*out);
}

}  // namespace af::actors
