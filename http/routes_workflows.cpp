// /v1/workflows...: apply, read, list, lint, schema, publish, versions, rollback,
// discard-draft, duplicate, pause, resume, archive, delete (DESIGN §6, §9).
#include "base/ids.hpp"
#include "http/params.hpp"
#include "http/routes.hpp"
#include "runtime/definition_schema.hpp"
#include "runtime/lint.hpp"

namespace af::http {
namespace {

using actors::workflow_get;
using actors::workflow_request;
using actors::workflow_view;
using runtime::workflow_command;
using runtime::workflow_command_kind;

constexpr const char* workspace = "default";  // until API keys carry one
constexpr std::string_view list_cursor_kind = "workflows";

error lint_failure(const std::vector<runtime::problem>& problems) {
  return error(errc::invalid_definition,
               "the definition has " + std::to_string(problems.size()) + " problem(s)",
               runtime::to_json(problems));
}

response answer_with(actors::answer a, int created_status = 201) {
  return response{a.created ? created_status : 200, std::move(a.body)};
}

result<response> run_command(const route_deps& d, std::string id, workflow_command cmd) {
  auto a = d.ctx.client->send(workflow_request{workspace, std::move(id), std::move(cmd)});
  if (!a) return std::move(a).error();
  return answer_with(std::move(*a));
}

// A route whose body, if any, is ignored (publish, pause, ...): it is still read, within the
// limits, so the connection stays usable.
handler simple_command(const route_deps& d, workflow_command_kind kind) {
  return [&d, kind](exchange& ex) -> result<response> {
    auto id = workflow_id(ex);
    if (!id) return std::move(id).error();
    if (auto body = ex.json_body(true); !body) return std::move(body).error();
    workflow_command cmd;
    cmd.kind = kind;
    if (kind == workflow_command_kind::publish) cmd.webhook_token = random_hex(24);
    return run_command(d, std::move(*id), std::move(cmd));
  };
}

result<response> put_workflow(const route_deps& d, exchange& ex) {
  auto id = workflow_id(ex);
  if (!id) return std::move(id).error();
  auto body = ex.json_body(false);
  if (!body) return std::move(body).error();
  json& def = **body;
  if (auto it = def.find("id"); it != def.end() && (!it->is_string() || *it != *id))
    return error(errc::invalid_argument,
                 "the body's id differs from the id in the path '" + *id + "'");
  auto problems = runtime::lint(def, d.ctx.opts.lim);
  if (!problems.empty()) return lint_failure(problems);
  workflow_command cmd;
  cmd.kind = workflow_command_kind::apply;
  cmd.definition = std::move(def);
  return run_command(d, std::move(*id), std::move(cmd));
}

result<response> lint_workflow(const route_deps& d, exchange& ex) {
  auto body = ex.json_body(false);
  if (!body) return std::move(body).error();
  auto problems = runtime::lint(**body, d.ctx.opts.lim);
  if (!problems.empty()) return lint_failure(problems);
  return response{200, json{{"valid", true}, {"problems", json::array()}}};
}

result<std::optional<actors::list_position>> list_position_of(
    const std::optional<std::string>& after) {
  if (!after) return std::optional<actors::list_position>();
  // payload: "<created_at ms>|<id>"
  auto bar = after->find('|');
  if (bar == std::string::npos) return error(errc::invalid_argument, "invalid cursor");
  actors::list_position pos;
  pos.created_at = std::stoll(after->substr(0, bar));
  pos.id = after->substr(bar + 1);
  return std::optional<actors::list_position>(std::move(pos));
}

result<response> list_workflows(const route_deps& d, exchange& ex) {
  auto page = read_page(ex, d.cursors, list_cursor_kind);
  if (!page) return std::move(page).error();
  actors::workflow_list q;
  q.workspace = workspace;
  q.limit = page->limit;
  if (auto status = ex.query("status")) {
    q.status = runtime::parse_workflow_status(*status);
    if (!q.status)
      return error(errc::invalid_argument, "status must be draft, active, paused or archived");
  }
  if (auto tag = ex.query("tag")) {
    if (tag->empty() || tag->size() > 64)
      return error(errc::invalid_argument, "tag must be 1 to 64 characters");
    q.tag = *tag;
  }
  auto pos = list_position_of(page->after);
  if (!pos) return std::move(pos).error();
  q.after = std::move(*pos);
  auto r = d.ctx.client->list(std::move(q));
  if (!r) return std::move(r).error();
  std::optional<std::string> next;
  if (r->next)
    next =
        d.cursors.encode(list_cursor_kind, std::to_string(r->next->created_at) + "|" + r->next->id);
  json data = json::array();
  for (auto& item : r->items) data.push_back(std::move(item));
  return response{200, page_body(std::move(data), next)};
}

result<int> positive_int(std::string_view text, std::string_view what) {
  int n = 0;
  if (text.empty() || text.size() > 9)
    return error(errc::invalid_argument, std::string(what) + " must be a positive integer");
  for (char c : text) {
    if (c < '0' || c > '9')
      return error(errc::invalid_argument, std::string(what) + " must be a positive integer");
    n = n * 10 + (c - '0');
  }
  if (n < 1)
    return error(errc::invalid_argument, std::string(what) + " must be a positive integer");
  return n;
}

result<response> list_versions(const route_deps& d, exchange& ex) {
  auto id = workflow_id(ex);
  if (!id) return std::move(id).error();
  const std::string kind = "versions/" + *id;
  auto page = read_page(ex, d.cursors, kind);
  if (!page) return std::move(page).error();
  workflow_get q{workspace, *id, workflow_view::versions};
  q.limit = page->limit;
  if (page->after) {
    auto after = positive_int(*page->after, "cursor");
    if (!after) return std::move(after).error();
    q.after_version = *after;
  }
  auto a = d.ctx.client->get(std::move(q));
  if (!a) return std::move(a).error();
  std::optional<std::string> next;
  if (a->body["next"].is_number_integer())
    next = d.cursors.encode(kind, std::to_string(a->body["next"].get<int>()));
  return response{200, page_body(std::move(a->body["data"]), next)};
}

result<response> get_version(const route_deps& d, exchange& ex) {
  auto id = workflow_id(ex);
  if (!id) return std::move(id).error();
  auto v = positive_int(ex.params().at(1), "version");
  if (!v) return std::move(v).error();
  workflow_get q{workspace, *id, workflow_view::version, *v};
  auto a = d.ctx.client->get(std::move(q));
  if (!a) return std::move(a).error();
  return response{200, std::move(a->body)};
}

result<response> rollback(const route_deps& d, exchange& ex) {
  auto id = workflow_id(ex);
  if (!id) return std::move(id).error();
  auto body = ex.json_body(false);
  if (!body) return std::move(body).error();
  const json& v = (**body)["version"];
  if (!v.is_number_integer() || v.get<std::int64_t>() < 1 || v.get<std::int64_t>() > 1'000'000'000)
    return error(errc::invalid_argument, "body must be {\"version\": <positive integer>}");
  workflow_command cmd;
  cmd.kind = workflow_command_kind::rollback;
  cmd.version = v.get<int>();
  return run_command(d, std::move(*id), std::move(cmd));
}

result<response> duplicate(const route_deps& d, exchange& ex) {
  auto id = workflow_id(ex);
  if (!id) return std::move(id).error();
  auto body = ex.json_body(false);
  if (!body) return std::move(body).error();
  const json& target = (**body)["id"];
  if (!target.is_string() || !valid_workflow_id(target.get<std::string>()))
    return error(errc::invalid_argument,
                 "body must be {\"id\": <new workflow id>} with a valid id");
  auto a = d.ctx.client->duplicate({workspace, *id, target.get<std::string>()});
  if (!a) return std::move(a).error();
  return response{201, std::move(a->body)};
}

result<response> remove(const route_deps& d, exchange& ex) {
  auto id = workflow_id(ex);
  if (!id) return std::move(id).error();
  if (auto drained = ex.drain_body(); !drained) return std::move(drained).error();
  workflow_command cmd;
  cmd.kind = workflow_command_kind::remove;
  auto done = run_command(d, std::move(*id), std::move(cmd));
  if (!done) return done;
  return response{204, std::nullopt};
}

}  // namespace

void add_workflow_routes(router& r, const route_deps& d) {
  auto bind = [&d](result<response> (*fn)(const route_deps&, exchange&)) {
    return [&d, fn](exchange& ex) { return fn(d, ex); };
  };
  r.add("GET", "/v1/workflows", bind(list_workflows));
  r.add("POST", "/v1/workflows/lint", bind(lint_workflow));
  r.add("GET", "/v1/workflows/schema", [](exchange&) -> result<response> {
    return response{200, runtime::definition_schema()};
  });
  r.add("PUT", "/v1/workflows/{id}", bind(put_workflow));
  r.add("GET", "/v1/workflows/{id}", [&d](exchange& ex) -> result<response> {
    auto id = workflow_id(ex);
    if (!id) return std::move(id).error();
    auto a = d.ctx.client->get(workflow_get{workspace, *id});
    if (!a) return std::move(a).error();
    return response{200, std::move(a->body)};
  });
  r.add("DELETE", "/v1/workflows/{id}", bind(remove));
  r.add("POST", "/v1/workflows/{id}/publish", simple_command(d, workflow_command_kind::publish));
  r.add("GET", "/v1/workflows/{id}/versions", bind(list_versions));
  r.add("GET", "/v1/workflows/{id}/versions/{v}", bind(get_version));
  r.add("POST", "/v1/workflows/{id}/rollback", bind(rollback));
  r.add("POST", "/v1/workflows/{id}/discard-draft",
        simple_command(d, workflow_command_kind::discard_draft));
  r.add("POST", "/v1/workflows/{id}/duplicate", bind(duplicate));
  r.add("POST", "/v1/workflows/{id}/pause", simple_command(d, workflow_command_kind::pause));
  r.add("POST", "/v1/workflows/{id}/resume", simple_command(d, workflow_command_kind::resume));
  r.add("POST", "/v1/workflows/{id}/archive", simple_command(d, workflow_command_kind::archive));
}

}  // namespace af::http
