#pragma once
// Event topics (DESIGN §5, §9): case-sensitive segments of [A-Za-z0-9_-] joined by '.', at most
// 255 bytes. A subscription pattern may also use `*` as one whole segment (exactly one segment)
// and `#` as the whole last segment (zero or more segments). Hand-written scanners, linear time,
// no recursion: topics come from users.

#include <cstddef>
#include <string_view>

namespace af::runtime {

inline constexpr std::size_t max_topic_bytes = 255;

// A topic an event is published on: "lead.created", "Deal.won". No wildcards, no empty segment.
bool valid_topic(std::string_view topic);

// A topic a trigger or a wait subscribes to: a valid topic, or one with `*` segments and/or a
// final `#` segment ("lead.*", "actorflow.#", "#").
bool valid_topic_pattern(std::string_view pattern);

// Whether a published `topic` matches a subscription `pattern`. Both are expected to be valid;
// invalid input simply does not match (never throws).
bool topic_matches(std::string_view pattern, std::string_view topic);

}  // namespace af::runtime
