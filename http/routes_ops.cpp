// /healthz, /readyz and /v1/node (DESIGN §9, "API, security, operations").
#include "http/routes.hpp"

namespace af::http {

void add_ops_routes(router& r, const route_deps& deps) {
  const server_context& ctx = deps.ctx;
  r.add("GET", "/healthz", [](exchange&) -> result<response> {
    return response{200, json{{"status", "ok"}}};
  });
  r.add("GET", "/readyz", [&ctx](exchange&) -> result<response> {
    if (!ctx.client->ready()) return error(errc::not_ready, "replaying the event log");
    return response{200, json{{"status", "ready"}}};
  });
  r.add("GET", "/v1/node", [&ctx](exchange&) -> result<response> {
    const node_status& s = *ctx.status;
    const millis now = ctx.clock->now();
    json body = json::object();
    body["version"] = s.version;
    body["node_id"] = s.node_id;
    body["durability"] = ctx.opts.log_durability == config::durability::sync ? "sync" : "async";
    body["data_dir"] = s.data_dir;
    body["started_at"] = format_time(s.started_at);
    body["uptime_s"] = static_cast<double>(now - s.started_at) / 1000.0;
    body["replay"] = {{"events", s.replay_events.load()},
                      {"seconds", static_cast<double>(s.replay_micros.load()) / 1e6}};
    return response{200, std::move(body)};
  });
}

}  // namespace af::http
