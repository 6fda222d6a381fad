#pragma once
// The storage format in one place: how events and records become RocksDB keys and values.
// docs/storage-format.md describes the same layout for humans; change both together, and
// never give a byte value a second meaning (a retired prefix stays retired).
//
//   event key     'e' <stream bytes> 0x00 <seq: 8 bytes big-endian>
//   event value   <version = 1> <type length: 1 byte> <type> <time: int64 big-endian> <data>
//   record key    <space byte: 'm' | 's' | 'i'> <key bytes>
//   record value  the caller's bytes, verbatim
//
// Streams never contain 0x00 and 0x00 is the smallest byte, so key order is (stream, seq)
// order and every key of one stream lies in ['e' stream 0x00, 'e' stream 0x01).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "storage/event_log.hpp"

namespace af::storage::keys {

// Prefix bytes. Events own 'e'; records own the byte of their space (event_log.hpp).
inline constexpr char event_prefix = 'e';

// The version of this layout, stored as the ASCII decimal text "1" under the meta record
// `format` at first open and checked at every open.
inline constexpr int format_version = 1;
inline constexpr std::string_view format_record = "format";

// The leading byte of every event value; bumping format_version may change it.
inline constexpr char event_value_version = 1;

inline constexpr std::size_t max_stream_bytes = 256;
inline constexpr std::size_t max_type_bytes = 255;  // the length is one byte

// Appends the key of (stream, seq) to `out`. The stream is not checked here.
void append_event_key(std::string& out, std::string_view stream, std::uint64_t seq);
std::string event_key(std::string_view stream, std::uint64_t seq);

// The exclusive upper bound of every key of `stream`.
std::string stream_end(std::string_view stream);

// 'e' followed by `stream_prefix`: the first key of every stream starting with it.
std::string event_prefix_key(std::string_view stream_prefix);

// <space byte><key>.
std::string record_key(space where, std::string_view key);

// The smallest string greater than every string that starts with `prefix`, or nullopt when
// none exists (empty or all 0xff). Keys here never start with 0xff, so bounds always exist.
std::optional<std::string> prefix_end(std::string_view prefix);

// Appends the encoded value of `e` (everything but stream and seq, which live in the key).
void append_event_value(std::string& out, const event& e);

// Fills `out` from a stored key and value. Anything malformed is errc::corruption naming the
// key, never a crash: values are read back from disk and may have been damaged.
result<void> decode_event(std::string_view key, std::string_view value, event& out);

// True for the three spaces of event_log.hpp; anything else is a programmer error.
bool known_space(space where);

// Checks a stream name: 1..max_stream_bytes bytes, no 0x00.
result<void> check_stream(std::string_view stream);

// Checks everything append() refuses: bad stream names, seq 0, long types, unknown spaces,
// and writes to the reserved meta record `format`. errc::invalid_argument.
result<void> check_batch(const write_batch& batch);

// An estimate of the bytes `batch` adds to a storage write; used to cap group size.
std::size_t estimated_bytes(const write_batch& batch);

}  // namespace af::storage::keys
