#pragma once
// Stream names: which events belong together. Every name carries its workspace, so adding
// workspaces later needs no migration. Listed in docs/storage-format.md.

#include <string>
#include <string_view>

namespace af::storage {

inline constexpr std::string_view workflow_stream_prefix = "wf/";
inline constexpr std::string_view run_stream_prefix = "run/";

// "<prefix><workspace>/<id>"
inline std::string stream_name(std::string_view prefix, std::string_view workspace,
                               std::string_view id) {
  std::string s(prefix);
  s.append(workspace).push_back('/');
  s.append(id);
  return s;
}

// "wf/<workspace>/<workflow id>"
inline std::string workflow_stream(std::string_view workspace, std::string_view id) {
  return stream_name(workflow_stream_prefix, workspace, id);
}

// "run/<workspace>/<run id>"
inline std::string run_stream(std::string_view workspace, std::string_view id) {
  return stream_name(run_stream_prefix, workspace, id);
}

}  // namespace af::storage
