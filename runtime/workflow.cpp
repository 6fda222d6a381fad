#include "runtime/workflow.hpp"

namespace af::runtime {

namespace et = workflow_event_type;

std::string_view to_string(workflow_status s) {
  switch (s) {
    case workflow_status::draft:
      return "draft";
    case workflow_status::active:
      return "active";
    case workflow_status::paused:
      return "paused";
    case workflow_status::archived:
      return "archived";
  }
  return "draft";
}

std::string_view to_string(pause_reason r) {
  switch (r) {
    case pause_reason::none:
      return "none";
    case pause_reason::manual:
      return "manual";
    case pause_reason::consecutive_failures:
      return "consecutive_failures";
    case pause_reason::credits_exhausted:
      return "credits_exhausted";
  }
  return "none";
}

std::optional<workflow_status> parse_workflow_status(std::string_view s) {
  for (auto st : {workflow_status::draft, workflow_status::active, workflow_status::paused,
                  workflow_status::archived})
    if (to_string(st) == s) return st;
  return std::nullopt;
}

namespace {

std::optional<pause_reason> parse_reason(std::string_view s) {
  for (auto r :
       {pause_reason::manual, pause_reason::consecutive_failures, pause_reason::credits_exhausted})
    if (to_string(r) == s) return r;
  return std::nullopt;
}

error conflict(const workflow_state& s, std::string what) {
  return error(errc::conflict, "workflow '" + s.id + "' " + what);
}

workflow_event event(std::string_view type, json data = json::object()) {
  return workflow_event{std::string(type), std::move(data)};
}

using events = std::vector<workflow_event>;

result<events> decide_publish(const workflow_state& s, const workflow_command& cmd) {
  if (!s.draft) return events{};  // nothing new: the answer is the live version
  const auto* live = s.live();
  if (live && same_value(live->definition, *s.draft))
    return events{event(et::draft_discarded)};  // identical publish clears the draft
  json data = json::object();
  data["version"] = static_cast<int>(s.versions.size()) + 1;
  data["definition"] = *s.draft;
  data["webhook_token"] = cmd.webhook_token;
  return events{event(et::published, std::move(data))};
}

}  // namespace

const workflow_version* workflow_state::live() const {
  return version(live_version);
}

const workflow_version* workflow_state::version(int number) const {
  if (number < 1 || static_cast<std::size_t>(number) > versions.size()) return nullptr;
  return &versions[static_cast<std::size_t>(number) - 1];
}

const json* workflow_state::current_definition() const {
  if (const auto* l = live()) return &l->definition;
  return draft ? &*draft : nullptr;
}

result<std::vector<workflow_event>> decide(const workflow_state& s, const workflow_command& cmd) {
  using k = workflow_command_kind;
  if (cmd.kind == k::apply || cmd.kind == k::create_only) {
    if (!s.exists) return events{event(et::created, {{"definition", cmd.definition}})};
    if (cmd.kind == k::create_only) return conflict(s, "already exists");
    if (s.status == workflow_status::archived) return conflict(s, "is archived");
    if (s.draft && same_value(*s.draft, cmd.definition)) return events{};
    return events{event(et::draft_saved, {{"definition", cmd.definition}})};
  }
  if (!s.exists) return error(errc::not_found, "workflow '" + s.id + "' not found");
  const bool archived = s.status == workflow_status::archived;
  switch (cmd.kind) {
    case k::publish:
      if (archived) return conflict(s, "is archived");
      return decide_publish(s, cmd);
    case k::rollback:
      if (archived) return conflict(s, "is archived");
      if (!s.version(cmd.version))
        return error(errc::not_found,
                     "workflow '" + s.id + "' has no version " + std::to_string(cmd.version));
      if (cmd.version == s.live_version) return events{};
      return events{event(et::rolled_back, {{"version", cmd.version}})};
    case k::discard_draft:
      if (archived) return conflict(s, "is archived");
      if (!s.draft) return conflict(s, "has no draft to discard");
      if (s.live_version == 0)
        return conflict(s, "was never published; delete it instead of discarding its only draft");
      return events{event(et::draft_discarded)};
    case k::pause:
      if (archived) return conflict(s, "is archived");
      if (s.live_version == 0) return conflict(s, "was never published");
      if (s.status == workflow_status::paused) return events{};
      return events{event(et::paused, {{"reason", std::string(to_string(cmd.reason))}})};
    case k::resume:
      if (archived) return conflict(s, "is archived");
      if (s.live_version == 0) return conflict(s, "was never published");
      if (s.status != workflow_status::paused) return events{};
      return events{event(et::resumed)};
    case k::archive:
      if (archived) return events{};
      return events{event(et::archived)};
    case k::remove:
      return events{event(et::deleted)};
    case k::apply:
    case k::create_only:
      break;
  }
  return error(errc::internal, "unhandled workflow command");
}

result<void> apply(workflow_state& s, const workflow_event& ev, millis time) {
  auto broken = [&](std::string why) {
    return error(errc::corruption, "workflow '" + s.id + "': event " + ev.type + ": " + why);
  };
  const json& d = ev.data;
  if (ev.type == et::created) {
    if (s.exists) return broken("created twice");
    if (!d.contains("definition")) return broken("no definition");
    workflow_state fresh;
    fresh.id = s.id;
    fresh.seq = s.seq;
    s = std::move(fresh);
    s.exists = true;
    s.draft = d["definition"];
    s.created_at = time;
  } else if (!s.exists) {
    return broken("workflow does not exist");
  } else if (ev.type == et::draft_saved) {
    if (!d.contains("definition")) return broken("no definition");
    s.draft = d["definition"];
  } else if (ev.type == et::published) {
    auto v = d.value("version", 0);
    if (v != static_cast<int>(s.versions.size()) + 1 || !d.contains("definition"))
      return broken("version out of order");
    s.versions.push_back(workflow_version{v, d["definition"], time});
    s.live_version = v;
    s.webhook_token = d.value("webhook_token", "");
    s.draft.reset();
    if (s.status == workflow_status::draft) s.status = workflow_status::active;
  } else if (ev.type == et::draft_discarded) {
    s.draft.reset();
  } else if (ev.type == et::rolled_back) {
    auto v = d.value("version", 0);
    if (!s.version(v)) return broken("unknown version");
    s.live_version = v;
  } else if (ev.type == et::paused) {
    auto r = parse_reason(d.value("reason", ""));
    if (!r) return broken("unknown pause reason");
    s.status = workflow_status::paused;
    s.reason = *r;
    s.streak_reset_at = time;
    s.metrics.consecutive_failures = 0;
  } else if (ev.type == et::resumed) {
    s.status = workflow_status::active;
    s.reason = pause_reason::none;
    s.streak_reset_at = time;
    s.metrics.consecutive_failures = 0;
  } else if (ev.type == et::archived) {
    s.status = workflow_status::archived;
    s.reason = pause_reason::none;
  } else if (ev.type == et::deleted) {
    workflow_state gone;
    gone.id = s.id;
    gone.seq = s.seq;
    s = std::move(gone);
  } else {
    return broken("unknown event type");
  }
  s.updated_at = time;
  return ok();
}

}  // namespace af::runtime
