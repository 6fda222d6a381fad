// Retry policies and the workflow trigger (DESIGN §3, §5, §9 "Events, triggers, schedules").
#include <algorithm>

#include "base/duration.hpp"
#include "runtime/cron.hpp"
#include "runtime/lint_context.hpp"
#include "runtime/topic.hpp"

namespace af::runtime::lint_detail {
namespace {

bool zone_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '+';
}

// Which trigger type each trigger field belongs to, so that a misplaced one says so.
struct trigger_field {
  std::string_view name;
  std::string_view type;
};
constexpr trigger_field trigger_fields[] = {{"cron", "schedule"},
                                            {"timezone", "schedule"},
                                            {"catch_up", "schedule"},
                                            {"topic", "event"},
                                            {"filter", "event"}};

const std::vector<std::string_view> trigger_types = {"api", "manual", "schedule", "webhook",
                                                     "event"};

void check_schedule(context& ctx, const json& t) {
  auto cron = t.find("cron");
  if (cron == t.end()) {
    ctx.add("/trigger/cron", problem_code::required,
            "a schedule trigger needs 'cron', e.g. \"0 9 * * MON-FRI\" or \"@every 90s\"");
  } else if (expect(ctx, cron->is_string(), *cron, "/trigger/cron", "a cron string")) {
    auto spec = parse_cron(cron->get_ref<const std::string&>());
    if (!spec) ctx.add("/trigger/cron", problem_code::invalid_cron, spec.error().message);
  }
  if (auto tz = t.find("timezone");
      tz != t.end() && expect(ctx, tz->is_string(), *tz, "/trigger/timezone", "a time zone name")) {
    const auto& s = tz->get_ref<const std::string&>();
    if (!plausible_time_zone(s))
      ctx.add("/trigger/timezone", problem_code::invalid_value,
              quote(s) +
                  " is not an IANA time zone name; write \"UTC\" or Area/Location "
                  "such as \"Europe/Paris\"");
  }
  if (auto c = t.find("catch_up"); c != t.end())
    check_enum(ctx, *c, "/trigger/catch_up", {"none", "one", "all"});
}

void check_event(context& ctx, const json& t) {
  auto topic = t.find("topic");
  if (topic == t.end()) {
    ctx.add("/trigger/topic", problem_code::required,
            "an event trigger needs 'topic', e.g. \"lead.created\" or \"lead.*\"");
  } else if (expect(ctx, topic->is_string(), *topic, "/trigger/topic", "a topic string")) {
    const auto& s = topic->get_ref<const std::string&>();
    if (!valid_topic_pattern(s))
      ctx.add("/trigger/topic", problem_code::invalid_topic,
              quote(s) +
                  " is not a topic pattern: segments of letters, digits, '_' and "
                  "'-' joined by '.', '*' for one whole segment, '#' only as the last segment, at "
                  "most 255 bytes");
  }
  if (auto f = t.find("filter"); f != t.end())
    check_condition(ctx, *f, "/trigger/filter", expr_site{in_event | in_props, std::nullopt});
}

}  // namespace

bool plausible_time_zone(std::string_view tz) {
  if (tz == "UTC" || tz == "GMT") return true;
  if (tz.size() > 64) return false;
  std::size_t segments = 0, start = 0;
  while (start <= tz.size()) {
    auto slash = tz.find('/', start);
    auto seg =
        tz.substr(start, slash == std::string_view::npos ? tz.size() - start : slash - start);
    if (seg.empty() || !((seg[0] >= 'A' && seg[0] <= 'Z') || (seg[0] >= 'a' && seg[0] <= 'z')))
      return false;
    for (char c : seg)
      if (!zone_char(c)) return false;
    ++segments;
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return segments >= 2;
}

void check_retry(context& ctx, const json& v, const std::string& path) {
  if (!expect(ctx, v.is_object(), v, path, "an object")) return;
  check_fields(ctx, v, path, {"max_attempts", "initial_interval", "backoff", "max_interval"},
               "retry");
  if (auto it = v.find("max_attempts"); it != v.end())
    check_integer(ctx, *it, pointer_append(path, "max_attempts"), 1, 100);
  auto initial = v.find("initial_interval");
  if (initial != v.end()) check_duration(ctx, *initial, pointer_append(path, "initial_interval"));
  if (auto it = v.find("backoff"); it != v.end()) {
    std::string p = pointer_append(path, "backoff");
    if (expect(ctx, it->is_number(), *it, p, "a number") &&
        (it->get<double>() < 1.0 || it->get<double>() > 100.0))
      ctx.add(p, problem_code::invalid_value,
              "backoff multiplies each wait; use a number from 1 to 100, got " + dump(*it));
  }
  auto max = v.find("max_interval");
  if (max == v.end()) return;
  std::string p = pointer_append(path, "max_interval");
  check_duration(ctx, *max, p);
  if (initial == v.end() || !initial->is_string() || !max->is_string()) return;
  auto lo = parse_duration(initial->get_ref<const std::string&>());
  auto hi = parse_duration(max->get_ref<const std::string&>());
  if (lo && hi && *hi < *lo)
    ctx.add(p, problem_code::invalid_value,
            "max_interval " + max->get<std::string>() + " is shorter than initial_interval " +
                initial->get<std::string>());
}

void check_trigger(context& ctx, const json& t) {
  if (!expect(ctx, t.is_object(), t, "/trigger", "an object like {\"type\": \"api\"}")) return;
  auto type = t.find("type");
  std::string kind;
  if (type == t.end()) {
    ctx.add("/trigger/type", problem_code::required,
            "a trigger needs 'type': " + one_of(trigger_types));
  } else if (expect(ctx, type->is_string(), *type, "/trigger/type", "a string")) {
    kind = type->get<std::string>();
    if (std::find(trigger_types.begin(), trigger_types.end(), kind) == trigger_types.end()) {
      check_enum(ctx, *type, "/trigger/type", trigger_types);
      kind.clear();
    }
  }
  if (kind == "manual") kind = "api";
  // Fields of every type, so that a field of another type is named as such.
  std::vector<std::string_view> all = {"type"};
  for (const auto& f : trigger_fields) all.push_back(f.name);
  for (auto it = t.begin(); it != t.end(); ++it) {
    const std::string& key = it.key();
    if (key == "type") continue;
    const trigger_field* owner = nullptr;
    for (const auto& f : trigger_fields)
      if (f.name == key) owner = &f;
    if (owner && (kind.empty() || owner->type == kind)) continue;
    std::string where = pointer_append("/trigger", key);
    if (owner)
      ctx.add(where, problem_code::unknown_field,
              quote(key) + " belongs to " + std::string(owner->type) + " triggers, not " + kind);
    else
      ctx.add(where, problem_code::unknown_field,
              "unknown field '" + shown(key) + "' in trigger" + did_you_mean(key, all));
  }
  if (kind == "schedule") check_schedule(ctx, t);
  if (kind == "event") check_event(ctx, t);
}

}  // namespace af::runtime::lint_detail
