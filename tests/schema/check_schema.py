#!/usr/bin/python3
"""Checks the workflow definition schema with a real JSON Schema implementation.

Usage: /usr/bin/python3 check_schema.py <af_dump_schema> <repo root>

Runs the dump program, checks the schema against the draft 2020-12 meta-schema, expects every
examples/*.json and bench/workflows/*.json (and the valid cases below) to pass and every broken
case below to fail. Prints one line per case; exits 1 on any mismatch. Needs Debian's
python3-jsonschema (4.10), hence /usr/bin/python3.
"""

import copy
import glob
import json
import os
import subprocess
import sys

import jsonschema


def minimal():
    return {"steps": [{"id": "a", "kind": "transform", "with": {"value": 1}}]}


def with_step(step, **top):
    d = minimal()
    d["steps"] = [step]
    d.update(top)
    return d


def with_steps(*steps, **top):
    d = minimal()
    d["steps"] = list(steps)
    d.update(top)
    return d


def tr(step_id="a", **extra):
    s = {"id": step_id, "kind": "transform", "with": {"value": 1}}
    s.update(extra)
    return s


# Definitions the schema must accept: every kind, trigger and optional field at least once.
VALID = {
    "minimal": minimal(),
    "every top-level field": {
        "id": "full-1", "name": "Full", "description": "d", "trigger": {"type": "manual"},
        "mode_default": "dry_run",
        "input_schema": {"type": "object", "required": ["n"], "additionalProperties": False,
                         "title": "in", "description": "the input",
                         "properties": {"n": {"type": ["integer", "null"], "minimum": 0,
                                              "maximum": 10},
                                        "s": {"type": "string", "minLength": 1, "maxLength": 5,
                                              "enum": ["a", "bb"]},
                                        "l": {"type": "array", "items": {"const": 1},
                                              "minItems": 0, "maxItems": 3},
                                        "o": {"additionalProperties": {"type": "boolean"}}}},
        "props": {"k": [1, 2]}, "timeout": "10m",
        "retry": {"max_attempts": 5, "initial_interval": "500ms", "backoff": 1.5,
                  "max_interval": "2h"},
        "error_handling": "continue", "auto_pause": {"consecutive_failures": 2},
        "tags": ["x", "y"], "steps": [tr()], "output": {"r": "{{ steps.a.output }}"},
        "smoke_sample": 3},
    "every step field": with_steps(
        tr("a", needs=[], retry={"max_attempts": 1}, timeout="7d", on_error="fallback:b",
           cost=2.5, mock={"m": 1}, **{"if": "{{ input.go }}"}),
        tr("b", needs=["a"], on_error="continue", **{"if": True}),
        tr("c", on_error="stop")),
    "branch": with_steps(
        {"id": "r", "kind": "branch",
         "with": {"cases": [{"when": "{{ input.x > 1 }}", "next": ["big"]},
                            {"when": False, "next": ["small"]}], "default": ["small"]}},
        tr("big"), tr("small")),
    "http every field": with_step(
        {"id": "h", "kind": "http",
         "with": {"method": "POST", "url": "http://x/{{ input.id }}",
                  "headers": {"Authorization": "Bearer {{ secrets.TOKEN }}"},
                  "query": {"q": "v", "n": 3, "b": True}, "body": [1, {"a": "{{ input }}"}],
                  "expect": [200, "2xx", 404], "timeout": "5s"}}),
    "delay for": with_step({"id": "d", "kind": "delay", "with": {"for": "30s"}}),
    "delay for a template": with_step({"id": "d", "kind": "delay",
                                       "with": {"for": "{{ input.wait }}"}}),
    "delay until": with_step({"id": "d", "kind": "delay",
                              "with": {"until": "2030-01-01T00:00:00Z"}}),
    "delay until a template": with_step({"id": "d", "kind": "delay",
                                         "with": {"until": "{{ input.at }}"}}),
    "wait_event": with_step({"id": "w", "kind": "wait_event",
                             "with": {"topic": "order.paid", "match": "{{ event.data.ok }}",
                                      "timeout": "1h"}}),
    "approval": with_step({"id": "p", "kind": "approval",
                           "with": {"prompt": "ok?", "timeout": "2d", "data": {"x": 1}}}),
    "wait_event on a pattern": with_step({"id": "w", "kind": "wait_event",
                                          "with": {"topic": "order.*.#"}}),
    "wait_event on a template": with_step({"id": "w", "kind": "wait_event",
                                           "with": {"topic": "order.{{ input.id }}"}}),
    "emit": with_step({"id": "e", "kind": "emit", "with": {"topic": "a.b", "data": None}}),
    "emit on a template": with_step({"id": "e", "kind": "emit",
                                     "with": {"topic": "{{ input.topic }}"}}),
    "workflow": with_step({"id": "c", "kind": "workflow",
                           "with": {"workflow": "child", "input": {"n": 1}, "version": 2}}),
    "workflow named by a template": with_step({"id": "c", "kind": "workflow",
                                               "with": {"workflow": "{{ input.child }}"}}),
    "http url from a template": with_step({"id": "h", "kind": "http",
                                           "with": {"url": "{{ props.base }}/x"}}),
    "foreach inline step with every field": with_step(
        {"id": "f", "kind": "foreach",
         "with": {"items": [1, 2], "concurrency": 4,
                  "step": {"kind": "http", "with": {"url": "http://x"}, "retry": {},
                           "timeout": "1s", "on_error": "continue", "cost": 0, "mock": 1,
                           "if": "{{ item > 0 }}"}}}),
    "foreach of workflows": with_step({"id": "f", "kind": "foreach",
                                       "with": {"items": "{{ input.rows }}",
                                                "workflow": "child"}}),
    "task": with_step({"id": "t", "kind": "task",
                       "with": {"queue": "billing.v2", "input": {"a": 1},
                                "heartbeat_timeout": "30s", "start_to_close": "5m"}}),
    "fail": with_step({"id": "x", "kind": "fail",
                       "with": {"code": "bad_lead", "message": "no {{ input.email }}"}}),
    "fail without with": with_step({"id": "x", "kind": "fail"}),
    "trigger api": dict(minimal(), trigger={"type": "api"}),
    "trigger schedule": dict(minimal(), trigger={"type": "schedule", "cron": "0 9 * * 1-5",
                                                 "timezone": "Europe/Paris",
                                                 "catch_up": "all"}),
    "trigger webhook": dict(minimal(), trigger={"type": "webhook"}),
    "trigger event with wildcards": dict(minimal(), trigger={"type": "event",
                                                             "topic": "lead.*.#",
                                                             "filter": True}),
}

# Definitions the schema must refuse: (name, where the schema must report it, definition).
def http(**w):
    return with_step({"id": "h", "kind": "http", "with": dict({"url": "http://x"}, **w)})


def foreach(**w):
    return with_step({"id": "f", "kind": "foreach", "with": dict({"items": [1]}, **w)})


def kind(k, w):
    return with_step({"id": "s", "kind": k, "with": w})


BROKEN = [
    ("missing steps", "", {"name": "x"}),
    ("empty steps", "/steps", {"steps": []}),
    ("501 steps", "/steps", {"steps": [tr("s%d" % i) for i in range(501)]}),
    ("steps not an array", "/steps", {"steps": {"a": 1}}),
    ("unknown top-level field retires", "", dict(minimal(), retires={"max_attempts": 3})),
    ("unknown step field", "/steps/0", with_step(tr(depends=["b"]))),
    ("step without id", "/steps/0", with_step({"kind": "transform", "with": {"value": 1}})),
    ("step without kind", "/steps/0", with_step({"id": "a", "with": {"value": 1}})),
    ("unknown kind", "/steps/0/kind", kind("script", {})),
    ("with field of another kind", "/steps/0/with",
     kind("transform", {"value": 1, "url": "http://x"})),
    ("http with only transform fields", "/steps/0/with", kind("http", {"value": 1})),
    ("transform without value", "/steps/0/with", kind("transform", {})),
    ("transform without with", "/steps/0", with_step({"id": "a", "kind": "transform"})),
    ("with not an object", "/steps/0/with", kind("transform", [1])),
    ("bad duration 5 minutes", "/timeout", dict(minimal(), timeout="5 minutes")),
    ("bad step timeout 1.5s", "/steps/0/timeout", with_step(tr(timeout="1.5s"))),
    ("bad retry interval", "/retry/initial_interval",
     dict(minimal(), retry={"initial_interval": "1 s"})),
    ("unknown retry field", "/retry", dict(minimal(), retry={"attempts": 3})),
    ("max_attempts zero", "/retry/max_attempts", dict(minimal(), retry={"max_attempts": 0})),
    ("bad step id Bad Id", "/steps/0/id", with_step(tr("Bad Id"))),
    ("step id too long", "/steps/0/id", with_step(tr("a" * 65))),
    ("bad needs entry", "/steps/1/needs/0", with_steps(tr("a"), tr("b", needs=["A"]))),
    ("bad workflow id", "/id", dict(minimal(), id="-x")),
    ("reserved workflow id", "/id", dict(minimal(), id="schema")),
    ("delay with both for and until", "/steps/0/with",
     kind("delay", {"for": "1s", "until": "2030-01-01T00:00:00Z"})),
    ("delay with neither", "/steps/0/with", kind("delay", {})),
    ("foreach with both step and workflow", "/steps/0/with",
     foreach(workflow="w", step={"kind": "fail"})),
    ("foreach with neither", "/steps/0/with", foreach()),
    ("foreach without items", "/steps/0/with", kind("foreach", {"workflow": "w"})),
    ("inline step with id", "/steps/0/with/step",
     foreach(step={"id": "x", "kind": "transform", "with": {"value": 1}})),
    ("inline step with needs", "/steps/0/with/step", foreach(step={"kind": "fail", "needs": []})),
    ("inline step with wrong with", "/steps/0/with/step/with",
     foreach(step={"kind": "transform", "with": {"val": 1}})),
    ("foreach concurrency zero", "/steps/0/with/concurrency", foreach(workflow="w", concurrency=0)),
    ("trigger schedule without cron", "/trigger", dict(minimal(), trigger={"type": "schedule"})),
    ("trigger type cron", "/trigger/type",
     dict(minimal(), trigger={"type": "cron", "cron": "* * * * *"})),
    ("trigger without type", "/trigger", dict(minimal(), trigger={"cron": "* * * * *"})),
    ("trigger api with topic", "/trigger", dict(minimal(), trigger={"type": "api", "topic": "a"})),
    ("trigger event without topic", "/trigger", dict(minimal(), trigger={"type": "event"})),
    ("trigger event topic with # inside", "/trigger/topic",
     dict(minimal(), trigger={"type": "event", "topic": "a.#.b"})),
    ("bad catch_up", "/trigger/catch_up",
     dict(minimal(), trigger={"type": "schedule", "cron": "@daily", "catch_up": "some"})),
    ("on_error retry", "/steps/0/on_error", with_step(tr(on_error="retry"))),
    ("on_error fallback to bad id", "/steps/0/on_error", with_step(tr(on_error="fallback:Bad"))),
    ("bad http expect 700", "/steps/0/with/expect/0", http(expect=[700])),
    ("bad http expect range 6xx", "/steps/0/with/expect/0", http(expect=["6xx"])),
    ("http without url", "/steps/0/with", kind("http", {"method": "GET"})),
    ("http bad method", "/steps/0/with/method", http(method="FETCH")),
    ("http header not a string", "/steps/0/with/headers/X", http(headers={"X": 1})),
    ("tags not strings", "/tags/1", dict(minimal(), tags=["a", 1])),
    ("bad mode_default", "/mode_default", dict(minimal(), mode_default="test")),
    ("bad error_handling", "/error_handling", dict(minimal(), error_handling="fallback:a")),
    ("if a plain string", "/steps/0/if", with_step(tr(**{"if": "yes"}))),
    ("if two expressions", "/steps/0/if", with_step(tr(**{"if": "{{ a }} and {{ b }}x"}))),
    ("name too long", "/name", dict(minimal(), name="n" * 201)),
    ("51 tags", "/tags", dict(minimal(), tags=["t%d" % i for i in range(51)])),
    ("branch without with", "/steps/0", with_step({"id": "r", "kind": "branch"})),
    ("branch without cases", "/steps/0/with", kind("branch", {"default": ["a"]})),
    ("branch with empty next", "/steps/0/with/cases/0/next",
     kind("branch", {"cases": [{"when": True, "next": []}]})),
    ("inline foreach", "/steps/0/with/step/kind",
     foreach(step={"kind": "foreach", "with": {"items": [1], "workflow": "w"}})),
    ("inline on_error fallback", "/steps/0/with/step/on_error",
     foreach(step={"kind": "fail", "on_error": "fallback:a"})),
    ("foreach items a plain string", "/steps/0/with/items",
     kind("foreach", {"items": "1,2,3", "workflow": "w"})),
    ("foreach workflow bad id", "/steps/0/with/workflow", foreach(workflow="Bad")),
    ("http url ftp", "/steps/0/with/url", kind("http", {"url": "ftp://x"})),
    ("http header name with a space", "/steps/0/with/headers", http(headers={"X Y": "1"})),
    ("delay for a plain bad string", "/steps/0/with/for", kind("delay", {"for": "soon"})),
    ("emit on a wildcard topic", "/steps/0/with/topic", kind("emit", {"topic": "a.*"})),
    ("wait_event on a bad topic", "/steps/0/with/topic", kind("wait_event", {"topic": "a..b"})),
    ("fail code with a template", "/steps/0/with/code", kind("fail", {"code": "{{ input.c }}"})),
    ("branch case without next", "/steps/0/with/cases/0",
     kind("branch", {"cases": [{"when": True}]})),
    ("wait_event without topic", "/steps/0/with", kind("wait_event", {})),
    ("approval without prompt", "/steps/0/with", kind("approval", {})),
    ("emit without topic", "/steps/0/with", kind("emit", {"data": 1})),
    ("workflow version zero", "/steps/0/with/version",
     kind("workflow", {"workflow": "w", "version": 0})),
    ("task without queue", "/steps/0/with", kind("task", {"input": 1})),
    ("fail with unknown field", "/steps/0/with", kind("fail", {"code": "c", "retryable": True})),
    ("negative cost", "/steps/0/cost", with_step(tr(cost=-1))),
    ("input_schema unsupported keyword pattern", "/input_schema",
     dict(minimal(), input_schema={"type": "string", "pattern": "^a"})),
    ("input_schema nested unsupported keyword", "/input_schema/properties/a",
     dict(minimal(), input_schema={"properties": {"a": {"format": "email"}}})),
    ("input_schema unknown type", "/input_schema/type", dict(minimal(), input_schema={"type": "int"})),
    ("unknown auto_pause field", "/auto_pause", dict(minimal(), auto_pause={"failures": 3})),
    ("smoke_sample zero", "/smoke_sample", dict(minimal(), smoke_sample=0)),
]


def pointer(path):
    return "".join("/" + str(p) for p in path)


def main():
    if len(sys.argv) != 3:
        print("usage: check_schema.py <af_dump_schema> <repo root>", file=sys.stderr)
        return 2
    dump, root = sys.argv[1], sys.argv[2]
    text = subprocess.run([dump], check=True, capture_output=True, text=True).stdout
    schema = json.loads(text)
    jsonschema.Draft202012Validator.check_schema(schema)
    print("ok      schema passes the draft 2020-12 meta-schema")
    validator = jsonschema.Draft202012Validator(schema)

    files = sorted(glob.glob(os.path.join(root, "examples", "*.json")) +
                   glob.glob(os.path.join(root, "bench", "workflows", "*.json")))
    if not files:
        print("FAIL    no example definitions found under", root)
        return 1
    valid = []
    for path in files:
        with open(path, encoding="utf-8") as f:
            valid.append((os.path.relpath(path, root), json.load(f)))
    valid += list(VALID.items())

    failures = 0
    for name, definition in valid:
        errors = list(validator.iter_errors(definition))
        if errors:
            failures += 1
            print("FAIL    valid   %s: %s at %s" % (name, errors[0].message,
                                                  pointer(errors[0].absolute_path)))
        else:
            print("ok      valid   %s" % name)
    for name, where, definition in BROKEN:
        paths = [pointer(e.absolute_path) for e in validator.iter_errors(copy.deepcopy(definition))]
        if not paths:
            failures += 1
            print("FAIL    invalid %s: the schema accepts it" % name)
        elif where not in paths:
            failures += 1
            print("FAIL    invalid %s: reported at %s, expected %s" % (name, paths, where or "/"))
        else:
            print("ok      invalid %s (at %s)" % (name, where or "/"))
    cases = len(valid) + len(BROKEN)
    print("%d cases, %d failed" % (cases, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
