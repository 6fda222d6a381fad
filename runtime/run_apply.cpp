// apply(): the only way a run's state moves, live and during replay.
#include <algorithm>

#include "runtime/run.hpp"

namespace af::runtime {
namespace {

constexpr std::pair<run_status, std::string_view> run_names[] = {
    {run_status::queued, "queued"},       {run_status::running, "running"},
    {run_status::waiting, "waiting"},     {run_status::paused, "paused"},
    {run_status::succeeded, "succeeded"}, {run_status::failed, "failed"},
    {run_status::canceled, "canceled"}};
constexpr std::pair<item_status, std::string_view> item_names[] = {
    {item_status::pending, "pending"},     {item_status::running, "running"},
    {item_status::waiting, "waiting"},     {item_status::retrying, "retrying"},
    {item_status::succeeded, "succeeded"}, {item_status::failed, "failed"},
    {item_status::skipped, "skipped"},     {item_status::canceled, "canceled"}};

error broken(const run_state& st, const run_event& ev, std::string what) {
  return error(errc::corruption, "run " + st.id + ": event " + ev.type + " " + what);
}

void set_scope(run_state& st, const item_state& it) {
  if (it.parent || !it.step) return;  // rows and batch rows are not steps
  json entry = json::object();
  entry["output"] = it.outputs;
  entry["status"] = std::string(to_string(it.status));
  entry["error"] = it.error;
  st.steps_scope[it.step_id] = std::move(entry);
}

item_state new_item(std::string id, std::string step_id, std::optional<std::size_t> step) {
  item_state it;
  it.id = std::move(id);
  it.step_id = std::move(step_id);
  it.step = step;
  return it;
}

int int_field(const json& d, const char* name, int fallback) {
  auto it = d.find(name);
  return it != d.end() && it->is_number_integer() ? it->get<int>() : fallback;
}

}  // namespace

std::string_view to_string(run_status s) {
  for (const auto& [k, n] : run_names)
    if (k == s) return n;
  return "running";
}
std::string_view to_string(item_status s) {
  for (const auto& [k, n] : item_names)
    if (k == s) return n;
  return "pending";
}
std::optional<run_status> parse_run_status(std::string_view s) {
  for (const auto& [k, n] : run_names)
    if (n == s) return k;
  return std::nullopt;
}
std::optional<item_status> parse_item_status(std::string_view s) {
  for (const auto& [k, n] : item_names)
    if (n == s) return k;
  return std::nullopt;
}
bool valid_mode(std::string_view m) {
  return m == "live" || m == "dry_run" || m == "smoke_test";
}
bool finished(run_status s) {
  return s == run_status::succeeded || s == run_status::failed || s == run_status::canceled;
}
bool finished(item_status s) {
  return s == item_status::succeeded || s == item_status::failed || s == item_status::skipped ||
         s == item_status::canceled;
}

std::optional<std::size_t> run_state::find_item(std::string_view item_id) const {
  // Items are few except for fan-outs, whose rows are named "<step>.<row>": look those up
  // through the row number instead of scanning.
  for (std::size_t i = 0; i < items.size(); ++i) {
    const auto& it = items[i];
    if (it.parent) break;  // top-level items come first
    if (it.id == item_id) return i;
    if (!it.rows.empty() && item_id.size() > it.id.size() + 1 &&
        item_id.compare(0, it.id.size(), it.id) == 0 && item_id[it.id.size()] == '.') {
      std::size_t row = 0;
      for (char c : item_id.substr(it.id.size() + 1)) {
        if (c < '0' || c > '9') return std::nullopt;
        row = row * 10 + static_cast<std::size_t>(c - '0');
        if (row > it.rows.size()) return std::nullopt;
      }
      if (row < it.rows.size() && items[it.rows[row]].id == item_id) return it.rows[row];
    }
  }
  for (std::size_t i = 0; i < items.size(); ++i)
    if (items[i].id == item_id) return i;
  return std::nullopt;
}

namespace {

result<void> apply_event(run_state& st, const run_event& ev, millis time) {
  namespace et = run_event_type;
  const json& d = ev.data;
  const std::string_view type = ev.type;
  if (type == et::created) {
    st.workflow_id = d.value("workflow_id", "");
    st.version = int_field(d, "version", 0);
    st.kind = d.value("kind", "workflow");
    st.mode = d.value("mode", "live");
    st.trigger = d.contains("trigger") ? d["trigger"] : json::object();
    st.input = d.contains("input") ? d["input"] : json::object();
    st.idempotency_key = d.value("idempotency_key", "");
    st.request_hash = d.value("request_hash", "");
    st.parent_run_id = d.value("parent_run_id", "");
    st.parent_item_id = d.value("parent_item_id", "");
    st.id = d.value("id", st.id);
    st.workspace = d.value("workspace", st.workspace);
    st.created_at = time;
    st.status = run_status::queued;
    st.items.clear();
    if (auto steps = d.find("steps"); steps != d.end() && steps->is_array())
      for (std::size_t i = 0; i < steps->size(); ++i)
        st.items.push_back(
            new_item((*steps)[i].get<std::string>(), (*steps)[i].get<std::string>(), i));
    const int rows = int_field(d, "rows", 0);
    for (int r = 0; r < rows; ++r) {
      auto it = new_item("row." + std::to_string(r), "", std::nullopt);
      it.row = static_cast<std::size_t>(r);
      st.items.push_back(std::move(it));
    }
    return {};
  }
  if (!st.exists()) return broken(st, ev, "before run.created");
  if (type == et::started) {
    st.status = run_status::running;
    st.started_at = time;
    return {};
  }
  if (type == et::paused) {
    st.status = run_status::paused;
    return {};
  }
  if (type == et::resumed) {
    st.status = run_status::running;
    return {};
  }
  if (type == et::succeeded || type == et::failed || type == et::canceled) {
    st.status = type == et::succeeded ? run_status::succeeded
                : type == et::failed  ? run_status::failed
                                      : run_status::canceled;
    st.output = type == et::succeeded && d.contains("output") ? d["output"] : json(nullptr);
    st.error = type == et::failed && d.contains("error") ? d["error"] : json(nullptr);
    st.finished_at = time;
    return {};
  }
  if (type == et::retrying) {
    if (auto ids = d.find("items"); ids != d.end() && ids->is_array()) {
      for (const auto& id : *ids) {
        auto i = id.is_string() ? st.find_item(id.get_ref<const std::string&>()) : std::nullopt;
        if (!i) return broken(st, ev, "names an unknown item");
        auto& it = st.items[*i];
        it.status = it.rows.empty() ? item_status::pending : item_status::running;
        if (!it.rows.empty())
          it.attempt_started_at = time;  // a fan-out resumes without item.started
        it.budget_base = it.attempt_count;
        it.recovered = 0;
        it.error = nullptr;
        it.handled = false;
        it.finished_at = 0;
        it.next_attempt_at.reset();
        if (!it.parent && it.step) st.steps_scope.erase(it.step_id);
      }
    }
    st.status = run_status::running;
    st.error = nullptr;
    st.output = nullptr;
    st.finished_at = 0;
    return {};
  }
  // Item events.
  if (!ev.item_id) return broken(st, ev, "without an item");
  auto idx = st.find_item(*ev.item_id);
  if (!idx) return broken(st, ev, "names unknown item " + *ev.item_id);
  auto& it = st.items[*idx];
  if (type == et::item_started) {
    it.status = item_status::running;
    it.attempt_count = int_field(d, "attempt", it.attempt_count + 1);
    if (d.value("recovered", false)) ++it.recovered;
    if (it.started_at == 0) it.started_at = time;
    it.attempt_started_at = time;
    it.next_attempt_at.reset();
    if (d.contains("inputs")) it.inputs = d["inputs"];
    // Stored events come back with every integer signed: accept any non-negative one. The
    // machine never writes more rows than the foreach limit; the cap guards a damaged log.
    if (auto rows = d.find("rows"); rows != d.end() && rows->is_number_integer() &&
                                    rows->get<std::int64_t>() >= 0 && it.rows.empty()) {
      const auto n = rows->get<std::size_t>();
      if (n > 1'000'000) return broken(st, ev, "creates too many rows");
      const std::size_t parent = *idx;
      const std::string base = it.id, step_id = it.step_id;
      const auto step = it.step;
      for (std::size_t r = 0; r < n; ++r) {
        auto row = new_item(base + "." + std::to_string(r), step_id, step);
        row.row = r;
        row.parent = parent;
        st.items.push_back(std::move(row));
        st.items[parent].rows.push_back(st.items.size() - 1);
      }
    }
    return {};
  }
  if (type == et::item_waiting) {
    it.status = item_status::waiting;
    if (auto u = d.find("until"); u != d.end() && u->is_number_integer())
      it.wait_until = u->get<millis>();
    if (auto c = d.find("child_run_id"); c != d.end() && c->is_string())
      it.child_run_id = c->get<std::string>();
    return {};
  }
  if (type == et::item_retrying) {
    it.status = item_status::retrying;
    it.error = d.contains("error") ? d["error"] : json(nullptr);
    if (auto n = d.find("next_attempt_at"); n != d.end() && n->is_number_integer())
      it.next_attempt_at = n->get<millis>();
    return {};
  }
  if (type == et::item_succeeded) {
    it.status = item_status::succeeded;
    if (d.contains("attempt")) it.attempt_count = int_field(d, "attempt", it.attempt_count);
    if (it.started_at == 0) it.started_at = time;
    it.outputs = d.contains("output") ? d["output"] : json(nullptr);
    it.simulated = d.value("simulated", false);
    it.error = nullptr;
    it.next_attempt_at.reset();
    if (d.contains("chosen")) it.chosen = d["chosen"];
    it.finished_at = time;
    set_scope(st, it);
    // A fallback's output stands in for its primary's (DESIGN §9).
    if (auto p = d.find("stands_for"); p != d.end() && p->is_string())
      if (auto& entry = st.steps_scope[p->get<std::string>()]; entry.is_object())
        entry["output"] = it.outputs;
    return {};
  }
  if (type == et::item_failed) {
    it.status = item_status::failed;
    if (d.contains("attempt")) it.attempt_count = int_field(d, "attempt", it.attempt_count);
    if (it.started_at == 0) it.started_at = time;
    it.error = d.contains("error") ? d["error"] : json(nullptr);
    it.handled = d.value("handled", false);
    it.next_attempt_at.reset();
    it.finished_at = time;
    set_scope(st, it);
    return {};
  }
  if (type == et::item_skipped || type == et::item_canceled) {
    it.status = type == et::item_skipped ? item_status::skipped : item_status::canceled;
    it.next_attempt_at.reset();
    it.finished_at = time;
    set_scope(st, it);
    return {};
  }
  return broken(st, ev, "is not a run event type");
}

}  // namespace

result<void> apply(run_state& st, const run_event& ev, millis time) {
  // Events come from our own log, but a damaged one must give an error, not an exception
  // (a field of the wrong type makes nlohmann throw).
  try {
    return apply_event(st, ev, time);
  } catch (const json::exception& e) {
    return broken(st, ev, std::string("is malformed: ") + e.what());
  }
}

}  // namespace af::runtime
