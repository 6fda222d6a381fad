#pragma once
// The JSON Schema (draft 2020-12) of a workflow definition, served at GET /v1/workflows/schema
// and used by editors. It checks shapes only (fields, types, kinds, patterns); lint checks the
// rest (cycles, unknown steps, expressions, cron, time zones). Its text lives in
// definition_schema.cpp as one raw string: that file is the single source of the schema.

#include <string>

#include "base/json.hpp"

namespace af::runtime {

// The schema exactly as written (pretty-printed JSON). Thread-safe; lives for the program.
const std::string& definition_schema_text();

// The schema parsed once, on first use, with the strict parser. A text that does not parse is
// a build defect: the first call logs it to stderr and aborts (a unit test parses it first).
const json& definition_schema();

}  // namespace af::runtime
