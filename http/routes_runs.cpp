// /v1/workflows/{id}/runs|batch, /v1/runs..., /v1/failures (DESIGN §6, §9; notes/runs-api.md).
// Everything a request can get wrong in its shape is refused here with a 400 before the actors
// see it; what needs state (unknown ids, wrong run state, input_schema) is theirs.
#include "base/ids.hpp"
#include "http/params.hpp"
#include "http/routes.hpp"
#include "runtime/run.hpp"

namespace af::http {
namespace {

using actors::page_reply;
using actors::run_control_kind;

constexpr const char* workspace = "default";  // until API keys carry one
constexpr std::size_t max_idempotency_key_bytes = 255;
constexpr const char* modes_text = "live, dry_run or smoke_test";

result<std::string> mode_value(const json& v) {
  if (!v.is_string() || !runtime::valid_mode(v.get_ref<const std::string&>()))
    return error(errc::invalid_argument, std::string("mode must be ") + modes_text);
  return v.get<std::string>();
}

result<std::string> checked_key(const json& v, std::string_view where) {
  if (!v.is_string() || v.get_ref<const std::string&>().empty() ||
      v.get_ref<const std::string&>().size() > max_idempotency_key_bytes)
    return error(errc::invalid_argument, std::string(where) +
                                             " must be a non-empty string of at most " +
                                             std::to_string(max_idempotency_key_bytes) + " bytes");
  return v.get<std::string>();
}

// The key from the body field and/or the Idempotency-Key header; both given must agree.
result<std::optional<std::string>> idempotency_key(const exchange& ex, const json& body) {
  std::optional<std::string> key;
  if (auto it = body.find("idempotency_key"); it != body.end()) {
    auto k = checked_key(*it, "idempotency_key");
    if (!k) return std::move(k).error();
    key = std::move(*k);
  }
  if (ex.request().has_header("Idempotency-Key")) {
    auto h = checked_key(json(ex.request().get_header_value("Idempotency-Key")),
                         "the Idempotency-Key header");
    if (!h) return std::move(h).error();
    if (key && *key != *h)
      return error(errc::invalid_argument,
                   "the Idempotency-Key header and the body's idempotency_key differ");
    key = std::move(*h);
  }
  return key;
}

// POST /v1/workflows/{id}/runs and /batch share everything but the payload field.
result<response> start_run(const route_deps& d, exchange& ex, bool batch) {
  auto id = workflow_id(ex);
  if (!id) return std::move(id).error();
  auto wait = wait_param(ex);
  if (!wait) return std::move(wait).error();
  auto body = ex.json_body(/*optional=*/true);  // batch: a missing body lacks rows, a 400
  if (!body) return std::move(body).error();
  json fields = *body ? std::move(**body) : json::object();

  const char* payload = batch ? "rows" : "input";
  for (const auto& [name, value] : fields.items()) {
    if (name != payload && name != "mode" && name != "idempotency_key") {
      std::string shown = name.size() > 64 ? name.substr(0, 64) + "..." : name;
      return error(errc::invalid_argument, "unknown field '" + shown + "': the body takes " +
                                               payload + ", mode and idempotency_key");
    }
  }
  actors::run_start req;
  req.workspace = workspace;
  req.workflow_id = std::move(*id);
  req.batch = batch;
  req.wait = *wait;
  if (batch) {
    auto it = fields.find("rows");
    if (it == fields.end() || !it->is_array())
      return error(errc::invalid_argument, "the body must carry rows, an array of run inputs");
    if (it->size() > d.ctx.opts.lim.foreach_elements)
      return error(errc::invalid_argument, "a batch takes at most " +
                                               std::to_string(d.ctx.opts.lim.foreach_elements) +
                                               " rows; got " + std::to_string(it->size()));
    req.rows = std::move(*it);
  } else if (auto it = fields.find("input"); it != fields.end()) {
    req.input = std::move(*it);
  }
  if (auto it = fields.find("mode"); it != fields.end()) {
    auto m = mode_value(*it);
    if (!m) return std::move(m).error();
    req.mode = std::move(*m);
  }
  auto key = idempotency_key(ex, fields);
  if (!key) return std::move(key).error();
  req.idempotency_key = std::move(*key);

  auto a = d.ctx.client->start(std::move(req));
  if (!a) return std::move(a).error();
  return response{a->created ? 201 : 200, std::move(a->body)};
}

result<response> get_run(const route_deps& d, exchange& ex) {
  auto id = run_id(ex);
  if (!id) return std::move(id).error();
  auto wait = wait_param(ex);
  if (!wait) return std::move(wait).error();
  auto a = d.ctx.client->get(actors::run_get{workspace, std::move(*id), *wait});
  if (!a) return std::move(a).error();
  return response{200, std::move(a->body)};
}

// A page of a list whose position is an opaque string: sign it into the next cursor.
response page_answer(const route_deps& d, std::string_view kind, page_reply&& p) {
  std::optional<std::string> next;
  if (p.next) next = d.cursors.encode(kind, *p.next);
  json data = json::array();
  for (auto& item : p.items) data.push_back(std::move(item));
  return response{200, page_body(std::move(data), next)};
}

result<response> list_items(const route_deps& d, exchange& ex) {
  auto id = run_id(ex);
  if (!id) return std::move(id).error();
  const std::string kind = "items/" + *id;
  auto page = read_page(ex, d.cursors, kind);
  if (!page) return std::move(page).error();
  actors::run_items_get q;
  q.workspace = workspace;
  q.run_id = *id;
  q.limit = page->limit;
  q.after = page->after;
  if (auto status = ex.query("status")) {
    if (!runtime::parse_item_status(*status))
      return error(errc::invalid_argument,
                   "status must be pending, running, waiting, retrying, succeeded, failed, "
                   "skipped or canceled");
    q.status = *status;
  }
  auto r = d.ctx.client->items(std::move(q));
  if (!r) return std::move(r).error();
  return page_answer(d, kind, std::move(*r));
}

result<std::uint64_t> seq_of(const std::string& text) {
  // Signed by this node, so malformed text means a bug or a stale secret: still a 400.
  std::uint64_t n = 0;
  if (text.empty() || text.size() > 19) return error(errc::invalid_argument, "invalid cursor");
  for (char c : text) {
    if (c < '0' || c > '9') return error(errc::invalid_argument, "invalid cursor");
    n = n * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return n;
}

result<response> list_history(const route_deps& d, exchange& ex) {
  auto id = run_id(ex);
  if (!id) return std::move(id).error();
  const std::string kind = "history/" + *id;
  auto page = read_page(ex, d.cursors, kind);
  if (!page) return std::move(page).error();
  actors::run_history_get q;
  q.workspace = workspace;
  q.run_id = *id;
  q.limit = page->limit;
  if (page->after) {
    auto seq = seq_of(*page->after);
    if (!seq) return std::move(seq).error();
    q.after_seq = *seq;
  }
  auto r = d.ctx.client->history(std::move(q));
  if (!r) return std::move(r).error();
  return page_answer(d, kind, std::move(*r));
}

result<response> list_runs(const route_deps& d, exchange& ex) {
  constexpr std::string_view kind = "runs";
  auto page = read_page(ex, d.cursors, kind);
  if (!page) return std::move(page).error();
  actors::run_list q;
  q.workspace = workspace;
  q.limit = page->limit;
  q.after = page->after;
  if (auto wf = ex.query("workflow")) {
    if (!valid_workflow_id(*wf))
      return error(errc::invalid_argument,
                   "workflow must be a workflow id: [a-z0-9][a-z0-9_-]{0,63}");
    q.workflow_id = *wf;
  }
  if (auto status = ex.query("status")) {
    if (!runtime::parse_run_status(*status))
      return error(errc::invalid_argument,
                   "status must be queued, running, waiting, paused, succeeded, failed or "
                   "canceled");
    q.status = *status;
  }
  if (auto mode = ex.query("mode")) {
    if (!runtime::valid_mode(*mode))
      return error(errc::invalid_argument, std::string("mode must be ") + modes_text);
    q.mode = *mode;
  }
  auto r = d.ctx.client->list(std::move(q));
  if (!r) return std::move(r).error();
  return page_answer(d, kind, std::move(*r));
}

result<response> list_failures(const route_deps& d, exchange& ex) {
  constexpr std::string_view kind = "failures";
  auto page = read_page(ex, d.cursors, kind);
  if (!page) return std::move(page).error();
  actors::failure_list q;
  q.workspace = workspace;
  q.limit = page->limit;
  q.after = page->after;
  auto r = d.ctx.client->failures(std::move(q));
  if (!r) return std::move(r).error();
  return page_answer(d, kind, std::move(*r));
}

// cancel, pause, resume, retry-failed: a body, if any, is read (and must be JSON, like the
// workflow commands') and ignored, so the connection stays usable.
handler control(const route_deps& d, run_control_kind kind) {
  return [&d, kind](exchange& ex) -> result<response> {
    auto id = run_id(ex);
    if (!id) return std::move(id).error();
    if (auto body = ex.json_body(true); !body) return std::move(body).error();
    actors::run_control req;
    req.workspace = workspace;
    req.run_id = std::move(*id);
    req.kind = kind;
    auto a = d.ctx.client->control(std::move(req));
    if (!a) return std::move(a).error();
    return response{200, std::move(a->body)};
  };
}

}  // namespace

void add_run_routes(router& r, const route_deps& d) {
  auto bind = [&d](result<response> (*fn)(const route_deps&, exchange&)) {
    return [&d, fn](exchange& ex) { return fn(d, ex); };
  };
  r.add("POST", "/v1/workflows/{id}/runs",
        [&d](exchange& ex) { return start_run(d, ex, /*batch=*/false); });
  r.add("POST", "/v1/workflows/{id}/batch",
        [&d](exchange& ex) { return start_run(d, ex, /*batch=*/true); });
  r.add("GET", "/v1/runs", bind(list_runs));
  r.add("GET", "/v1/runs/{id}", bind(get_run));
  r.add("GET", "/v1/runs/{id}/items", bind(list_items));
  r.add("GET", "/v1/runs/{id}/history", bind(list_history));
  r.add("POST", "/v1/runs/{id}/cancel", control(d, run_control_kind::cancel));
  r.add("POST", "/v1/runs/{id}/pause", control(d, run_control_kind::pause));
  r.add("POST", "/v1/runs/{id}/resume", control(d, run_control_kind::resume));
  r.add("POST", "/v1/runs/{id}/retry-failed", control(d, run_control_kind::retry_failed));
  r.add("GET", "/v1/failures", bind(list_failures));
}

}  // namespace af::http
