// The JSON shapes a client sees of a workflow (DESIGN §9, "GET /v1/workflows/{id}").
#include <algorithm>

#include "runtime/workflow.hpp"

namespace af::runtime {
namespace {

json string_or_null(const json* def, const char* field) {
  if (def && def->contains(field) && (*def)[field].is_string()) return (*def)[field];
  return nullptr;
}

json common_fields(const workflow_state& s, std::string_view public_url) {
  const json* def = s.current_definition();
  json j = json::object();
  j["id"] = s.id;
  json name = string_or_null(def, "name");
  j["name"] = name.is_null() ? json(s.id) : name;
  j["description"] = string_or_null(def, "description");
  j["tags"] = def && def->contains("tags") ? (*def)["tags"] : json::array();
  j["status"] = std::string(to_string(s.status));
  j["pause_reason"] =
      s.status == workflow_status::paused ? json(std::string(to_string(s.reason))) : json(nullptr);
  j["live_version"] = s.live_version ? json(s.live_version) : json(nullptr);
  auto hook = webhook_url(s, public_url, false);
  j["webhook_url"] = hook ? json(*hook) : json(nullptr);
  j["created_at"] = format_time(s.created_at);
  j["updated_at"] = format_time(s.updated_at);
  const auto& m = s.metrics;
  json metrics = json::object();
  metrics["run_count"] = m.run_count;
  metrics["success_count"] = m.success_count;
  metrics["failure_count"] = m.failure_count;
  metrics["last_run_at"] = m.last_run_at ? json(format_time(*m.last_run_at)) : json(nullptr);
  metrics["last_run_status"] = m.last_run_status.empty() ? json(nullptr) : json(m.last_run_status);
  const auto finished = m.success_count + m.failure_count;
  metrics["success_rate"] =
      finished ? json(static_cast<double>(m.success_count) / static_cast<double>(finished))
               : json(nullptr);
  metrics["runs_7d"] = m.runs_7d;
  j["metrics"] = std::move(metrics);
  return j;
}

}  // namespace

std::optional<std::string> webhook_url(const workflow_state& s, std::string_view public_url,
                                       bool reveal_token) {
  const auto* live = s.live();
  if (!live) return std::nullopt;
  const json& def = live->definition;
  auto trig = def.find("trigger");
  if (trig == def.end() || !trig->is_object() || trig->value("type", "") != "webhook")
    return std::nullopt;
  std::string url(public_url);
  url += "/hooks/" + s.id + "/" + (reveal_token ? s.webhook_token : std::string("***"));
  return url;
}

json workflow_view(const workflow_state& s, std::string_view public_url) {
  json j = common_fields(s, public_url);
  const auto* live = s.live();
  j["definition"] = live ? live->definition : json(nullptr);
  j["draft"] = s.draft ? *s.draft : json(nullptr);
  return j;
}

json workflow_summary(const workflow_state& s, std::string_view public_url) {
  json j = common_fields(s, public_url);
  j["has_draft"] = s.draft.has_value();
  return j;
}

json versions_page(const workflow_state& s, std::size_t limit, std::optional<int> after) {
  json data = json::array();
  json next = nullptr;
  int n = after ? std::min(*after - 1, static_cast<int>(s.versions.size()))
                : static_cast<int>(s.versions.size());
  for (; n >= 1; --n) {
    if (data.size() == limit) {
      next = n + 1;
      break;
    }
    const auto& v = s.versions[static_cast<std::size_t>(n) - 1];
    data.push_back({{"version", v.number}, {"published_at", format_time(v.published_at)}});
  }
  return {{"data", std::move(data)}, {"next", std::move(next)}};
}

std::optional<json> version_view(const workflow_state& s, int number) {
  const auto* v = s.version(number);
  if (!v) return std::nullopt;
  return json{{"version", v->number},
              {"published_at", format_time(v->published_at)},
              {"definition", v->definition}};
}

}  // namespace af::runtime
