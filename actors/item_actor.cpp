#include "actors/item_actor.hpp"

namespace af::actors {
namespace {

caf::behavior http_item(caf::event_based_actor* self, run_actor run,
                        std::shared_ptr<effects::http_client> http, effects::http_request req,
                        std::string item_id, int attempt) {
  auto handle = caf::actor_cast<caf::actor>(self);
  http->submit(std::move(req), [handle, item_id, attempt](result<effects::http_response> res) {
    http_done msg{item_id, attempt, error(errc::internal, "")};
    if (res)
      msg.outcome =
          runtime::http_result{res->status, std::move(res->headers), std::move(res->body)};
    else
      msg.outcome = std::move(res).error();
    caf::anon_send(handle, std::move(msg));
  });
  return {
      [self, run](http_done& done) {
        self->send(run, std::move(done));
        self->quit();
      },
  };
}

}  // namespace

caf::actor spawn_http_item(caf::local_actor* parent, run_actor run,
                           std::shared_ptr<effects::http_client> http, effects::http_request req,
                           std::string item_id, int attempt) {
  return parent->spawn<caf::monitored + caf::linked>(http_item, std::move(run), std::move(http),
                                                     std::move(req), std::move(item_id), attempt);
}

}  // namespace af::actors
