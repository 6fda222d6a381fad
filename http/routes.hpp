#pragma once
// Route tables, one file per resource.

#include "http/paging.hpp"
#include "http/router.hpp"
#include "http/server.hpp"

namespace af::http {

struct route_deps {
  const server_context& ctx;
  const cursor_codec& cursors;
};

void add_ops_routes(router& r, const route_deps& deps);       // routes_ops.cpp
void add_workflow_routes(router& r, const route_deps& deps);  // routes_workflows.cpp
void add_run_routes(router& r, const route_deps& deps);       // routes_runs.cpp

}  // namespace af::http
