// The API shapes of runs and items, and snapshots of a run's whole state.
#include "runtime/run.hpp"

namespace af::runtime {
namespace {

json time_or_null(millis t) {
  return t ? json(format_time(t)) : json(nullptr);
}

json opt_index(const std::optional<std::size_t>& v) {
  return v ? json(*v) : json(nullptr);
}

}  // namespace

run_status view_status(const run_state& st) {
  if (finished(st.status) || st.status == run_status::paused || st.status == run_status::queued)
    return st.status;
  bool waits = false;
  for (const auto& it : st.items) {
    if (it.status == item_status::running && it.rows.empty()) return run_status::running;
    if (it.status == item_status::retrying) return run_status::running;
    if (it.status == item_status::waiting) waits = true;
  }
  return waits ? run_status::waiting : run_status::running;
}

std::vector<std::size_t> item_order(const run_state& st) {
  std::vector<std::size_t> order;
  order.reserve(st.items.size());
  for (std::size_t i = 0; i < st.items.size(); ++i) {
    if (st.items[i].parent) break;
    order.push_back(i);
    for (auto r : st.items[i].rows) order.push_back(r);
  }
  return order;
}

json run_view(const run_state& st, std::string_view public_url) {
  std::int64_t ok = 0, failed = 0, pending = 0;
  for (const auto& it : st.items) {
    if (it.status == item_status::succeeded || it.status == item_status::skipped)
      ++ok;
    else if (it.status == item_status::failed)
      ++failed;
    else if (!finished(it.status))
      ++pending;
  }
  json v = json::object();
  v["id"] = st.id;
  v["workflow_id"] = st.workflow_id;
  v["workflow_version"] = st.version;
  v["kind"] = st.kind;
  v["status"] = std::string(to_string(view_status(st)));
  v["mode"] = st.mode;
  v["trigger"] = st.trigger;
  v["input"] = st.input;
  v["output"] = st.output;
  v["error"] = st.error;
  v["items_total"] = st.items.size();
  v["items_succeeded"] = ok;
  v["items_failed"] = failed;
  v["items_pending"] = pending;
  v["credits_reserved"] = 0;
  v["credits_used"] = 0;
  v["created_at"] = time_or_null(st.created_at);
  v["started_at"] = time_or_null(st.started_at);
  v["finished_at"] = time_or_null(st.finished_at);
  v["parent_run_id"] = st.parent_run_id.empty() ? json(nullptr) : json(st.parent_run_id);
  v["web_url"] = std::string(public_url) + "/runs/" + st.id;
  return v;
}

json item_view(const run_state& st, const item_state& it) {
  json v = json::object();
  v["id"] = it.id;
  v["run_id"] = st.id;
  v["step_id"] = it.step_id.empty() ? json(nullptr) : json(it.step_id);
  v["row"] = opt_index(it.row);
  v["status"] = std::string(to_string(it.status));
  v["attempt_count"] = it.attempt_count;
  v["inputs"] = it.inputs;
  v["outputs"] = it.outputs;
  v["error"] = it.error;
  v["handled"] = it.handled;
  v["simulated"] = it.simulated;
  v["credits_used"] = 0;
  v["started_at"] = time_or_null(it.started_at);
  v["finished_at"] = time_or_null(it.finished_at);
  v["next_attempt_at"] =
      it.next_attempt_at ? json(format_time(*it.next_attempt_at)) : json(nullptr);
  v["child_run_id"] = it.child_run_id.empty() ? json(nullptr) : json(it.child_run_id);
  return v;
}

json to_snapshot(const run_state& st) {
  json s = json::object();
  s["id"] = st.id;
  s["workspace"] = st.workspace;
  s["workflow_id"] = st.workflow_id;
  s["version"] = st.version;
  s["kind"] = st.kind;
  s["mode"] = st.mode;
  s["trigger"] = st.trigger;
  s["input"] = st.input;
  s["output"] = st.output;
  s["error"] = st.error;
  s["idempotency_key"] = st.idempotency_key;
  s["request_hash"] = st.request_hash;
  s["parent_run_id"] = st.parent_run_id;
  s["parent_item_id"] = st.parent_item_id;
  s["created_at"] = st.created_at;
  s["started_at"] = st.started_at;
  s["finished_at"] = st.finished_at;
  s["status"] = static_cast<int>(st.status);
  s["seq"] = st.seq;
  json items = json::array();
  for (const auto& it : st.items) {
    json j = json::array();
    j.push_back(it.id);
    j.push_back(it.step_id);
    j.push_back(it.step ? json(*it.step) : json(nullptr));
    j.push_back(opt_index(it.row));
    j.push_back(opt_index(it.parent));
    j.push_back(static_cast<int>(it.status));
    j.push_back(it.attempt_count);
    j.push_back(it.budget_base);
    j.push_back(it.recovered);
    j.push_back(it.inputs);
    j.push_back(it.outputs);
    j.push_back(it.error);
    j.push_back(it.handled);
    j.push_back(it.simulated);
    j.push_back(it.started_at);
    j.push_back(it.finished_at);
    j.push_back(it.next_attempt_at ? json(*it.next_attempt_at) : json(nullptr));
    j.push_back(it.wait_until ? json(*it.wait_until) : json(nullptr));
    j.push_back(it.child_run_id);
    j.push_back(it.chosen ? *it.chosen : json(nullptr));
    j.push_back(it.attempt_started_at);
    items.push_back(std::move(j));
  }
  s["items"] = std::move(items);
  s["steps_scope"] = st.steps_scope;
  return s;
}

result<run_state> from_snapshot(const json& s) try {
  run_state st;
  st.id = s.at("id").get<std::string>();
  st.workspace = s.at("workspace").get<std::string>();
  st.workflow_id = s.at("workflow_id").get<std::string>();
  st.version = s.at("version").get<int>();
  st.kind = s.at("kind").get<std::string>();
  st.mode = s.at("mode").get<std::string>();
  st.trigger = s.at("trigger");
  st.input = s.at("input");
  st.output = s.at("output");
  st.error = s.at("error");
  st.idempotency_key = s.at("idempotency_key").get<std::string>();
  st.request_hash = s.at("request_hash").get<std::string>();
  st.parent_run_id = s.at("parent_run_id").get<std::string>();
  st.parent_item_id = s.at("parent_item_id").get<std::string>();
  st.created_at = s.at("created_at").get<millis>();
  st.started_at = s.at("started_at").get<millis>();
  st.finished_at = s.at("finished_at").get<millis>();
  const int status = s.at("status").get<int>();
  if (status < 0 || status > static_cast<int>(run_status::canceled))
    return error(errc::corruption, "run snapshot with an unknown status");
  st.status = static_cast<run_status>(status);
  st.seq = s.at("seq").get<std::uint64_t>();
  for (const auto& j : s.at("items")) {
    item_state it;
    it.id = j.at(0).get<std::string>();
    it.step_id = j.at(1).get<std::string>();
    if (!j.at(2).is_null()) it.step = j.at(2).get<std::size_t>();
    if (!j.at(3).is_null()) it.row = j.at(3).get<std::size_t>();
    if (!j.at(4).is_null()) it.parent = j.at(4).get<std::size_t>();
    const int is = j.at(5).get<int>();
    if (is < 0 || is > static_cast<int>(item_status::canceled))
      return error(errc::corruption, "run snapshot with an unknown item status");
    it.status = static_cast<item_status>(is);
    it.attempt_count = j.at(6).get<int>();
    it.budget_base = j.at(7).get<int>();
    it.recovered = j.at(8).get<int>();
    it.inputs = j.at(9);
    it.outputs = j.at(10);
    it.error = j.at(11);
    it.handled = j.at(12).get<bool>();
    it.simulated = j.at(13).get<bool>();
    it.started_at = j.at(14).get<millis>();
    it.finished_at = j.at(15).get<millis>();
    if (!j.at(16).is_null()) it.next_attempt_at = j.at(16).get<millis>();
    if (!j.at(17).is_null()) it.wait_until = j.at(17).get<millis>();
    it.child_run_id = j.at(18).get<std::string>();
    if (!j.at(19).is_null()) it.chosen = j.at(19);
    if (j.size() > 20) it.attempt_started_at = j.at(20).get<millis>();
    st.items.push_back(std::move(it));
  }
  for (std::size_t i = 0; i < st.items.size(); ++i) {
    const auto& p = st.items[i].parent;
    if (p) {
      if (*p >= st.items.size())
        return error(errc::corruption, "run snapshot with a bad row parent");
      st.items[*p].rows.push_back(i);
    }
  }
  st.steps_scope = s.at("steps_scope");
  return st;
} catch (const std::exception& e) {
  return error(errc::corruption, std::string("run snapshot cannot be read: ") + e.what());
}

}  // namespace af::runtime
