#include "runtime/definition_schema.hpp"

#include <cstdio>
#include <cstdlib>

#include "base/result.hpp"

// The schema text: the one place it is written. Keep it in sync with docs/definition.md and
// with lint (runtime/lint*.cpp); tests/schema/check_schema.py validates the examples and a
// list of broken definitions against it.
namespace {

const char* const schema_text = R"schema(
{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://actorflow.dev/schemas/workflow-definition.json",
  "title": "actorflow workflow definition",
  "description": "A workflow definition as PUT /v1/workflows/{id} and POST /v1/workflows/lint take it. Unknown fields are errors everywhere. This schema checks shapes only; lint (POST /v1/workflows/lint) checks the same rules and also what JSON Schema cannot express: duplicate step ids, needs/next/fallback naming unknown steps, cycles in the step graph, template and expression syntax and the names they refer to (steps must be upstream), values inside templates (topics, durations, times, workflow ids) once known, cron syntax, time zone names, RFC 3339 times, max_interval not shorter than initial_interval, the nesting depth of input_schema (at most 32), and the configured limits (500 steps by default).",
  "type": "object",
  "required": ["steps"],
  "additionalProperties": false,
  "properties": {
    "id": {
      "$ref": "#/$defs/workflow_id",
      "description": "The workflow id. Optional in the body: the path of PUT /v1/workflows/{id} gives it, and a body id that differs is refused."
    },
    "name": {
      "type": "string",
      "minLength": 1,
      "maxLength": 200,
      "description": "Display name, at most 200 characters; defaults to the id."
    },
    "description": {"type": "string", "maxLength": 4000, "description": "Free text shown in lists and the web page, at most 4000 characters."},
    "trigger": {"$ref": "#/$defs/trigger"},
    "mode_default": {
      "enum": ["live", "dry_run", "smoke_test"],
      "description": "The mode of runs that do not ask for one (default live). dry_run simulates outbound side effects; smoke_test is live but takes only the first smoke_sample elements of foreach and batch runs."
    },
    "input_schema": {
      "$ref": "#/$defs/input_schema",
      "description": "Checks the input of every run (a failure answers 400). A subset of JSON Schema: type, properties, required, additionalProperties, items, enum, const, minimum, maximum, minLength, maxLength, minItems, maxItems, plus the annotations title and description. Any other keyword is a lint problem."
    },
    "props": {
      "type": "object",
      "description": "Constants of the workflow, readable in templates as props.<name>."
    },
    "timeout": {
      "$ref": "#/$defs/duration",
      "description": "Bounds the whole run, retries included; on expiry the run fails with code timeout."
    },
    "retry": {
      "$ref": "#/$defs/retry",
      "description": "Retry policy for every step that sets none (field by field). Default: 3 attempts, 1s initial interval, backoff 2, 1m cap."
    },
    "error_handling": {
      "enum": ["stop", "continue"],
      "description": "The on_error of steps that set none: stop (default) fails the run, continue lets dependents run with the error in scope."
    },
    "auto_pause": {
      "type": "object",
      "additionalProperties": false,
      "description": "When to pause the workflow by itself.",
      "properties": {
        "consecutive_failures": {
          "type": "integer",
          "minimum": 1,
          "maximum": 1000000,
          "description": "Pause (reason consecutive_failures) after this many live runs in a row failed; default 5."
        }
      }
    },
    "tags": {
      "type": "array",
      "maxItems": 50,
      "items": {"type": "string", "minLength": 1, "maxLength": 64},
      "description": "At most 50 labels of 1 to 64 characters, to filter workflow lists with (GET /v1/workflows?tag=)."
    },
    "steps": {
      "type": "array",
      "minItems": 1,
      "maxItems": 500,
      "items": {"$ref": "#/$defs/step"},
      "description": "The steps, 1 to 500. A step without needs waits for the nearest earlier step that is neither a branch target nor a fallback target, so a plain list is a chain."
    },
    "output": {
      "$ref": "#/$defs/payload",
      "description": "The run's output, rendered when the run succeeds; null when absent."
    },
    "smoke_sample": {
      "type": "integer",
      "minimum": 1,
      "maximum": 1000000,
      "description": "How many elements foreach steps and batch runs take in smoke_test mode (default 3)."
    }
  },
  "$defs": {
    "workflow_id": {
      "type": "string",
      "pattern": "^[a-z0-9][a-z0-9_-]{0,63}$",
      "not": {"enum": ["schema", "lint"]},
      "description": "A workflow id: [a-z0-9][a-z0-9_-]{0,63}; schema and lint are reserved."
    },
    "step_id": {
      "type": "string",
      "pattern": "^[a-z0-9_-]{1,64}$",
      "description": "A step id: [a-z0-9_-]{1,64}, unique within the workflow. Ids that are not identifiers are written steps['my-step'] in expressions."
    },
    "step_ids": {
      "type": "array",
      "items": {"$ref": "#/$defs/step_id"}
    },
    "duration": {
      "type": "string",
      "pattern": "^[0-9]+(ms|s|m|h|d)$",
      "description": "A duration: an integer and one unit, e.g. 500ms, 10s, 5m, 2h, 7d."
    },
    "template": {
      "type": "string",
      "description": "A string that may contain {{ expr }} templates. A string that is only one {{ expr }} takes the expression's JSON type; otherwise the pieces are rendered into a string."
    },
    "has_template": {
      "type": "string",
      "pattern": "\\{\\{",
      "description": "A string containing at least one {{ expr }}: its value is known only at run time."
    },
    "expression": {
      "type": "string",
      "pattern": "^\\s*\\{\\{[\\s\\S]*\\}\\}\\s*$",
      "description": "Exactly one {{ expr }} (whitespace around it is ignored): takes the expression's JSON type."
    },
    "condition": {
      "description": "A JSON boolean, or a string that is exactly one {{ expr }}; the expression's truthiness decides.",
      "anyOf": [{"type": "boolean"}, {"$ref": "#/$defs/expression"}]
    },
    "workflow_ref": {
      "description": "A workflow id, or a template giving one.",
      "anyOf": [{"$ref": "#/$defs/workflow_id"}, {"$ref": "#/$defs/has_template"}]
    },
    "topic": {
      "type": "string",
      "maxLength": 255,
      "pattern": "^[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*$",
      "description": "A topic to publish on: segments of [A-Za-z0-9_-] joined by dots, at most 255 bytes, no wildcards."
    },
    "topic_pattern": {
      "type": "string",
      "maxLength": 255,
      "pattern": "^(#|(\\*|[A-Za-z0-9_-]+)(\\.(\\*|[A-Za-z0-9_-]+))*(\\.#)?)$",
      "description": "A topic subscription: segments of [A-Za-z0-9_-] joined by dots, at most 255 bytes; * matches one whole segment, # (last segment only) zero or more."
    },
    "payload": {
      "description": "Any JSON value; every string inside it (in objects and arrays too) is a template."
    },
    "retry": {
      "type": "object",
      "additionalProperties": false,
      "description": "A retry policy. A step's fields merge one by one over the workflow's, then the default (3 attempts, 1s, x2, 1m). Waits are min(max_interval, initial_interval * backoff^(n-1)) times a random factor in [0.8, 1.0].",
      "properties": {
        "max_attempts": {"type": "integer", "minimum": 1, "maximum": 100, "description": "Attempts in all, the first included (1 = no retry)."},
        "initial_interval": {"$ref": "#/$defs/duration", "description": "The wait before the second attempt."},
        "backoff": {"type": "number", "minimum": 1, "maximum": 100, "description": "The factor applied to the wait after each attempt."},
        "max_interval": {"$ref": "#/$defs/duration", "description": "The longest wait between two attempts."}
      }
    },
    "on_error": {
      "type": "string",
      "pattern": "^(stop|continue|fallback:[a-z0-9_-]{1,64})$",
      "description": "What a failure of this step (after its retries) does: stop fails the run, continue lets dependents run with steps.<id>.error in scope, fallback:<step-id> runs that step instead (its output stands in for this step's). Default: the workflow's error_handling."
    },
    "kind": {
      "enum": ["transform", "branch", "http", "delay", "wait_event", "approval", "emit", "workflow", "foreach", "task", "fail"],
      "description": "What the step does; each kind takes its own fields in with."
    },
    "step": {
      "type": "object",
      "required": ["id", "kind"],
      "additionalProperties": false,
      "description": "One step of the graph.",
      "properties": {
        "id": {"$ref": "#/$defs/step_id"},
        "kind": {"$ref": "#/$defs/kind"},
        "with": {"type": "object", "description": "The step's configuration; its fields depend on kind."},
        "needs": {
          "$ref": "#/$defs/step_ids",
          "description": "The steps this one waits for. Absent: the nearest earlier step (not a branch or fallback target); []: starts at the beginning."
        },
        "retry": {"$ref": "#/$defs/retry"},
        "timeout": {"$ref": "#/$defs/duration", "description": "Bounds one attempt of this step, whatever its kind (for foreach and workflow: the whole fan-out)."},
        "on_error": {"$ref": "#/$defs/on_error"},
        "cost": {"type": "number", "minimum": 0, "description": "Credits one successful execution of the step captures."},
        "mock": {"$ref": "#/$defs/payload", "description": "The output used when the step is simulated in dry_run mode (http other than GET/HEAD, task)."},
        "if": {"$ref": "#/$defs/condition", "description": "When false, the step is skipped."}
      },
      "allOf": [{"$ref": "#/$defs/kind_with"}]
    },
    "inline_step": {
      "type": "object",
      "required": ["kind"],
      "additionalProperties": false,
      "description": "The step a foreach runs for each element: every step field except id and needs. item and index are in scope.",
      "properties": {
        "kind": {
          "$ref": "#/$defs/kind",
          "not": {"enum": ["foreach", "branch"]},
          "description": "Any kind but foreach and branch (nest loops and branches in a child workflow)."
        },
        "with": {"type": "object", "description": "The step's configuration; its fields depend on kind."},
        "retry": {"$ref": "#/$defs/retry"},
        "timeout": {"$ref": "#/$defs/duration", "description": "Bounds one attempt for one element."},
        "on_error": {"enum": ["stop", "continue"], "description": "stop fails the foreach; continue leaves this element's slot of the output null. No fallback here."},
        "cost": {"type": "number", "minimum": 0, "description": "Credits one successful execution captures."},
        "mock": {"$ref": "#/$defs/payload", "description": "The output used when simulated in dry_run mode."},
        "if": {"$ref": "#/$defs/condition", "description": "When false, this element is skipped."}
      },
      "allOf": [{"$ref": "#/$defs/kind_with"}]
    },
    "kind_with": {
      "description": "The discriminated union of step kinds: with is checked against the fields of the step's kind.",
      "allOf": [
        {"if": {"required": ["kind"], "properties": {"kind": {"const": "transform"}}},
         "then": {"required": ["with"], "properties": {"with": {"$ref": "#/$defs/with_transform"}}}},
        {"if": {"required": ["kind"], "properties": {"kind": {"const": "branch"}}},
         "then": {"required": ["with"], "properties": {"with": {"$ref": "#/$defs/with_branch"}}}},
        {"if": {"required": ["kind"], "properties": {"kind": {"const": "http"}}},
         "then": {"required": ["with"], "properties": {"with": {"$ref": "#/$defs/with_http"}}}},
        {"if": {"required": ["kind"], "properties": {"kind": {"const": "delay"}}},
         "then": {"required": ["with"], "properties": {"with": {"$ref": "#/$defs/with_delay"}}}},
        {"if": {"required": ["kind"], "properties": {"kind": {"const": "wait_event"}}},
         "then": {"required": ["with"], "properties": {"with": {"$ref": "#/$defs/with_wait_event"}}}},
        {"if": {"required": ["kind"], "properties": {"kind": {"const": "approval"}}},
         "then": {"required": ["with"], "properties": {"with": {"$ref": "#/$defs/with_approval"}}}},
        {"if": {"required": ["kind"], "properties": {"kind": {"const": "emit"}}},
         "then": {"required": ["with"], "properties": {"with": {"$ref": "#/$defs/with_emit"}}}},
        {"if": {"required": ["kind"], "properties": {"kind": {"const": "workflow"}}},
         "then": {"required": ["with"], "properties": {"with": {"$ref": "#/$defs/with_workflow"}}}},
        {"if": {"required": ["kind"], "properties": {"kind": {"const": "foreach"}}},
         "then": {"required": ["with"], "properties": {"with": {"$ref": "#/$defs/with_foreach"}}}},
        {"if": {"required": ["kind"], "properties": {"kind": {"const": "task"}}},
         "then": {"required": ["with"], "properties": {"with": {"$ref": "#/$defs/with_task"}}}},
        {"if": {"required": ["kind"], "properties": {"kind": {"const": "fail"}}},
         "then": {"properties": {"with": {"$ref": "#/$defs/with_fail"}}}}
      ]
    },
    "with_transform": {
      "type": "object",
      "required": ["value"],
      "additionalProperties": false,
      "description": "transform: renders value into the step's output. No side effect.",
      "properties": {
        "value": {"$ref": "#/$defs/payload", "description": "The output, with templates rendered recursively."}
      }
    },
    "with_branch": {
      "type": "object",
      "required": ["cases"],
      "additionalProperties": false,
      "description": "branch: picks the next of the first case whose when is true, else default; the targets not chosen are skipped. A target without needs needs its branch.",
      "properties": {
        "cases": {
          "type": "array",
          "minItems": 1,
          "description": "Tried in order.",
          "items": {
            "type": "object",
            "required": ["when", "next"],
            "additionalProperties": false,
            "properties": {
              "when": {"$ref": "#/$defs/condition"},
              "next": {"$ref": "#/$defs/step_ids", "minItems": 1, "description": "The steps to run when this case is chosen."}
            }
          }
        },
        "default": {"$ref": "#/$defs/step_ids", "description": "The steps to run when no case is true."}
      }
    },
    "with_http": {
      "type": "object",
      "required": ["url"],
      "additionalProperties": false,
      "description": "http: an outbound request; output {status, headers, body} (body parsed when the response is JSON). Sends Idempotency-Key <run_id>/<item_id>. In dry_run only GET and HEAD run for real.",
      "properties": {
        "method": {
          "enum": ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
          "description": "Default GET."
        },
        "url": {
          "$ref": "#/$defs/template",
          "pattern": "^(\\{\\{|[Hh][Tt][Tt][Pp][Ss]?://)",
          "description": "An http:// or https:// URL; templates allowed (a URL that starts with {{ }} is checked at run time)."
        },
        "headers": {
          "type": "object",
          "propertyNames": {"pattern": "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$"},
          "additionalProperties": {"$ref": "#/$defs/template"},
          "description": "Request headers; values are templates."
        },
        "query": {
          "type": "object",
          "additionalProperties": {"type": ["string", "number", "boolean"]},
          "description": "Query parameters added to the URL, percent-encoded; string values are templates."
        },
        "body": {"$ref": "#/$defs/payload", "description": "An object or array is sent as JSON (Content-Type application/json), a string as is."},
        "expect": {
          "type": "array",
          "minItems": 1,
          "description": "Expected statuses: codes (200) or ranges (\"2xx\"); default [\"2xx\"]. Any other status fails the item with code http_status (retryable for 5xx, 408, 429).",
          "items": {
            "anyOf": [
              {"type": "integer", "minimum": 100, "maximum": 599},
              {"type": "string", "enum": ["1xx", "2xx", "3xx", "4xx", "5xx"]}
            ]
          }
        },
        "timeout": {"$ref": "#/$defs/duration", "description": "Bounds one attempt (default 30s; the smaller of this and the step timeout wins)."}
      }
    },
    "with_delay": {
      "type": "object",
      "additionalProperties": false,
      "description": "delay: a durable timer; exactly one of for and until.",
      "oneOf": [{"required": ["for"]}, {"required": ["until"]}],
      "properties": {
        "for": {
          "anyOf": [{"$ref": "#/$defs/duration"}, {"$ref": "#/$defs/has_template"}],
          "description": "How long to wait: a duration, or a template giving one."
        },
        "until": {
          "type": "string",
          "minLength": 1,
          "description": "When to wake up: an RFC 3339 time (2026-12-01T09:00:00Z), or a template giving one."
        }
      }
    },
    "with_wait_event": {
      "type": "object",
      "required": ["topic"],
      "additionalProperties": false,
      "description": "wait_event: waits for an event published after the wait began; output {id, topic, source, time, data}. A timeout fails the item with code timeout.",
      "properties": {
        "topic": {
          "anyOf": [{"$ref": "#/$defs/topic_pattern"}, {"$ref": "#/$defs/has_template"}],
          "description": "The topic to wait on, a subscription pattern (* and # allowed), or a template giving one."
        },
        "match": {"$ref": "#/$defs/condition", "description": "An expression over event that must be true."},
        "timeout": {"$ref": "#/$defs/duration", "description": "How long to wait."}
      }
    },
    "with_approval": {
      "type": "object",
      "required": ["prompt"],
      "additionalProperties": false,
      "description": "approval: asks a human; the item succeeds with {decision: approved|rejected, by, comment, data}. A timeout fails the item with code timeout.",
      "properties": {
        "prompt": {"$ref": "#/$defs/template", "description": "What the approver is asked."},
        "timeout": {"$ref": "#/$defs/duration", "description": "How long to wait for a decision."},
        "data": {"$ref": "#/$defs/payload", "description": "Context shown to the approver."}
      }
    },
    "with_emit": {
      "type": "object",
      "required": ["topic"],
      "additionalProperties": false,
      "description": "emit: publishes an event {topic, data}.",
      "properties": {
        "topic": {
          "anyOf": [{"$ref": "#/$defs/topic"}, {"$ref": "#/$defs/has_template"}],
          "description": "The topic to publish on (no wildcards), or a template giving one."
        },
        "data": {"$ref": "#/$defs/payload", "description": "The event's data."}
      }
    },
    "with_workflow": {
      "type": "object",
      "required": ["workflow"],
      "additionalProperties": false,
      "description": "workflow: starts a child run and waits; output = the child's output. Whether the child exists is checked at run time.",
      "properties": {
        "workflow": {"$ref": "#/$defs/workflow_ref", "description": "The child workflow's id (or a template giving one)."},
        "input": {"$ref": "#/$defs/payload", "description": "The child run's input."},
        "version": {"type": "integer", "minimum": 1, "maximum": 1000000000, "description": "A published version of the child; default its live version when the step starts."}
      }
    },
    "with_foreach": {
      "type": "object",
      "required": ["items"],
      "additionalProperties": false,
      "description": "foreach: runs step (inline) or workflow (a child run) for each element of items; output: the results in input order. Exactly one of step and workflow.",
      "oneOf": [{"required": ["step"]}, {"required": ["workflow"]}],
      "properties": {
        "items": {
          "description": "An array, or exactly one {{ expr }} giving one; at most 10,000 elements by default (more fails the item with limit_exceeded).",
          "anyOf": [{"type": "array"}, {"$ref": "#/$defs/expression"}]
        },
        "step": {"$ref": "#/$defs/inline_step"},
        "workflow": {"$ref": "#/$defs/workflow_ref", "description": "A workflow run as a child for each element, with the element as input."},
        "concurrency": {"type": "integer", "minimum": 1, "maximum": 10000, "description": "Elements in flight at once (default 10)."}
      }
    },
    "with_task": {
      "type": "object",
      "required": ["queue"],
      "additionalProperties": false,
      "description": "task: puts a task on a queue for an external worker and waits for its result (simulated in dry_run).",
      "properties": {
        "queue": {"type": "string", "pattern": "^[A-Za-z0-9_.-]{1,128}$", "description": "The task queue workers poll (POST /v1/task-queues/{queue}/poll)."},
        "input": {"$ref": "#/$defs/payload", "description": "The task's input."},
        "heartbeat_timeout": {"$ref": "#/$defs/duration", "description": "A worker silent for this long loses the task (the attempt fails with timeout)."},
        "start_to_close": {"$ref": "#/$defs/duration", "description": "Bounds one attempt from poll to answer."}
      }
    },
    "with_fail": {
      "type": "object",
      "additionalProperties": false,
      "description": "fail: fails the item (never retried), for explicit error paths.",
      "properties": {
        "code": {"type": "string", "pattern": "^[A-Za-z0-9_.-]{1,64}$", "description": "The error code: 1 to 64 characters of letters, digits, _ . and - (no templates)."},
        "message": {"$ref": "#/$defs/template", "description": "The error message."}
      }
    },
    "trigger": {
      "type": "object",
      "required": ["type"],
      "description": "What starts runs; default {type: api}. Runs can always be started through the API.",
      "properties": {
        "type": {"enum": ["api", "manual", "schedule", "webhook", "event"]}
      },
      "allOf": [
        {"if": {"required": ["type"], "properties": {"type": {"enum": ["api", "manual"]}}},
         "then": {"$ref": "#/$defs/trigger_api"}},
        {"if": {"required": ["type"], "properties": {"type": {"const": "schedule"}}},
         "then": {"$ref": "#/$defs/trigger_schedule"}},
        {"if": {"required": ["type"], "properties": {"type": {"const": "webhook"}}},
         "then": {"$ref": "#/$defs/trigger_webhook"}},
        {"if": {"required": ["type"], "properties": {"type": {"const": "event"}}},
         "then": {"$ref": "#/$defs/trigger_event"}}
      ]
    },
    "trigger_api": {
      "type": "object",
      "additionalProperties": false,
      "description": "api (or its synonym manual): runs start with POST /v1/workflows/{id}/runs only.",
      "properties": {"type": {"enum": ["api", "manual"]}}
    },
    "trigger_schedule": {
      "type": "object",
      "required": ["cron"],
      "additionalProperties": false,
      "description": "schedule: fires at cron times in a time zone.",
      "properties": {
        "type": {"const": "schedule"},
        "cron": {"type": "string", "minLength": 1, "maxLength": 256, "description": "5 fields (6 with seconds first), or @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly, @every <duration>. Vixie semantics: day-of-month and day-of-week are OR-ed when both are restricted."},
        "timezone": {"type": "string", "minLength": 1, "maxLength": 64, "description": "IANA time zone name; default UTC."},
        "catch_up": {"enum": ["none", "one", "all"], "description": "Fires missed while the node was down: none, one (the latest; default) or all."}
      }
    },
    "trigger_webhook": {
      "type": "object",
      "additionalProperties": false,
      "description": "webhook: POST /hooks/{workflow_id}/{token}; the body becomes the input. The secret token changes with each publish.",
      "properties": {"type": {"const": "webhook"}}
    },
    "trigger_event": {
      "type": "object",
      "required": ["topic"],
      "additionalProperties": false,
      "description": "event: fires for each event on a matching topic; the event's data is the input and the event is in scope as event.",
      "properties": {
        "type": {"const": "event"},
        "topic": {"$ref": "#/$defs/topic_pattern"},
        "filter": {"$ref": "#/$defs/condition", "description": "An expression over event; events for which it is false start nothing."}
      }
    },
    "input_schema": {
      "type": "object",
      "additionalProperties": false,
      "description": "The supported subset of JSON Schema.",
      "properties": {
        "type": {
          "anyOf": [
            {"$ref": "#/$defs/input_schema_type"},
            {"type": "array", "minItems": 1, "uniqueItems": true, "items": {"$ref": "#/$defs/input_schema_type"}}
          ]
        },
        "properties": {"type": "object", "additionalProperties": {"$ref": "#/$defs/input_schema"}},
        "required": {"type": "array", "uniqueItems": true, "items": {"type": "string"}},
        "additionalProperties": {"anyOf": [{"type": "boolean"}, {"$ref": "#/$defs/input_schema"}]},
        "items": {"$ref": "#/$defs/input_schema"},
        "enum": {"type": "array", "minItems": 1},
        "const": {},
        "minimum": {"type": "number"},
        "maximum": {"type": "number"},
        "minLength": {"type": "integer", "minimum": 0},
        "maxLength": {"type": "integer", "minimum": 0},
        "minItems": {"type": "integer", "minimum": 0},
        "maxItems": {"type": "integer", "minimum": 0},
        "title": {"type": "string"},
        "description": {"type": "string"}
      }
    },
    "input_schema_type": {
      "enum": ["null", "boolean", "object", "array", "number", "integer", "string"],
      "description": "integer matches numbers with no fractional part, 2.0 included."
    }
  }
}
)schema";

}  // namespace

namespace af::runtime {

const std::string& definition_schema_text() {
  // Drop the newline that follows the raw string's opening delimiter.
  static const std::string text(schema_text + 1);
  return text;
}

const json& definition_schema() {
  static const json schema = [] {
    auto parsed = parse_json(definition_schema_text());
    if (!parsed) {
      std::fprintf(stderr, "definition schema does not parse: %s\n",
                   parsed.error().message.c_str());
      std::abort();
    }
    return std::move(*parsed);
  }();
  return schema;
}

}  // namespace af::runtime
