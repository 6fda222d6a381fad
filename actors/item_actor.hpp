#pragma once
// One actor per running `http` attempt (DESIGN §4 "one actor per running item"): it hands the
// call to the effects loop, waits for the completion as a message (never blocking a scheduler
// thread), reports it to its run, and stops. Its run monitors it: an item actor that dies
// without reporting counts as a failed, retryable attempt.

#include <memory>

#include "actors/messages.hpp"
#include "effects/http_client.hpp"

namespace af::actors {

caf::actor spawn_http_item(caf::local_actor* parent, run_actor run,
                           std::shared_ptr<effects::http_client> http, effects::http_request req,
                           std::string item_id, int attempt);

}  // namespace af::actors
