#pragma once
// The one table from errc to HTTP status (DESIGN §9, "Errors and answers"), and the writers
// of JSON answers. Every error leaves the node as {"error": {code, message, details}}.

#include <httplib.h>

#include "base/error.hpp"
#include "base/json.hpp"

namespace af::http {

int status_of(errc code);

// The errc an HTTP status stands for, for answers httplib makes itself (400, 404, 413, 414...).
errc code_of_status(int status);

void write_json(httplib::Response& res, int status, const json& body);
void write_error(httplib::Response& res, const error& err);

}  // namespace af::http
