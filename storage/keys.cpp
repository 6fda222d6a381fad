#include "storage/keys.hpp"

#include <cstring>

namespace af::storage::keys {
namespace {

void append_u64_be(std::string& out, std::uint64_t v) {
  char buf[8];
  for (int i = 7; i >= 0; --i) {
    buf[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  out.append(buf, sizeof buf);
}

std::uint64_t read_u64_be(std::string_view bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(bytes[i]);
  return v;
}

// Printable form of a damaged key for error messages: bytes outside ASCII become \xNN, and
// the output is capped so a huge key cannot produce a huge message.
std::string printable(std::string_view key) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (char c : key.substr(0, 300)) {
    auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7f && u != '\\') {
      out += c;
    } else {
      out += "\\x";
      out += hex[u >> 4];
      out += hex[u & 0xf];
    }
  }
  if (key.size() > 300) out += "...";
  return out;
}

error corrupt(std::string_view key, std::string_view why) {
  return error{errc::corruption,
               "stored event '" + printable(key) + "' cannot be read: " + std::string(why)};
}

}  // namespace

void append_event_key(std::string& out, std::string_view stream, std::uint64_t seq) {
  out += event_prefix;
  out.append(stream);
  out += '\0';
  append_u64_be(out, seq);
}

std::string event_key(std::string_view stream, std::uint64_t seq) {
  std::string out;
  out.reserve(stream.size() + 10);
  append_event_key(out, stream, seq);
  return out;
}

std::string stream_end(std::string_view stream) {
  std::string out;
  out.reserve(stream.size() + 2);
  out += event_prefix;
  out.append(stream);
  out += '\x01';
  return out;
}

std::string event_prefix_key(std::string_view stream_prefix) {
  std::string out(1, event_prefix);
  out.append(stream_prefix);
  return out;
}

std::string record_key(space where, std::string_view key) {
  std::string out(1, static_cast<char>(where));
  out.append(key);
  return out;
}

std::optional<std::string> prefix_end(std::string_view prefix) {
  std::string out(prefix);
  while (!out.empty()) {
    auto last = static_cast<unsigned char>(out.back());
    if (last != 0xff) {
      out.back() = static_cast<char>(last + 1);
      return out;
    }
    out.pop_back();
  }
  return std::nullopt;
}

void append_event_value(std::string& out, const event& e) {
  out += event_value_version;
  out += static_cast<char>(static_cast<unsigned char>(e.type.size()));
  out.append(e.type);
  append_u64_be(out, static_cast<std::uint64_t>(e.time));
  out.append(e.data);
}

result<void> decode_event(std::string_view key, std::string_view value, event& out) {
  // Key: 'e' stream 0x00 seq(8).
  if (key.size() < 1 + 1 + 1 + 8 || key[0] != event_prefix) return corrupt(key, "bad key");
  std::string_view stream = key.substr(1, key.size() - 1 - 9);
  if (key[key.size() - 9] != '\0' || stream.find('\0') != std::string_view::npos) {
    return corrupt(key, "bad key");
  }
  // Value: version, type length, type, time(8), data.
  if (value.size() < 2) return corrupt(key, "value truncated");
  if (value[0] != event_value_version) {
    return corrupt(key,
                   "unknown value version " + std::to_string(static_cast<unsigned char>(value[0])));
  }
  std::size_t type_len = static_cast<unsigned char>(value[1]);
  if (value.size() < 2 + type_len + 8) return corrupt(key, "value truncated");
  out.stream.assign(stream);
  out.seq = read_u64_be(key.substr(key.size() - 8));
  out.type.assign(value.substr(2, type_len));
  out.time = static_cast<millis>(read_u64_be(value.substr(2 + type_len, 8)));
  out.data.assign(value.substr(2 + type_len + 8));
  return ok();
}

bool known_space(space where) {
  return where == space::meta || where == space::snapshot || where == space::index;
}

result<void> check_stream(std::string_view stream) {
  if (stream.empty()) return error{errc::invalid_argument, "stream name is empty"};
  if (stream.size() > max_stream_bytes) {
    return error{errc::invalid_argument, "stream name is longer than 256 bytes"};
  }
  if (stream.find('\0') != std::string_view::npos) {
    return error{errc::invalid_argument, "stream name contains a NUL byte"};
  }
  return ok();
}

result<void> check_batch(const write_batch& batch) {
  for (const auto& e : batch.events) {
    if (auto r = check_stream(e.stream); !r) return r;
    if (e.seq == 0) return error{errc::invalid_argument, "event seq must be at least 1"};
    if (e.type.size() > max_type_bytes) {
      return error{errc::invalid_argument, "event type is longer than 255 bytes"};
    }
  }
  for (const auto& r : batch.records) {
    if (!known_space(r.where)) return error{errc::invalid_argument, "unknown record space"};
    if (r.where == space::meta && r.key == format_record) {
      return error{errc::invalid_argument, "the meta record 'format' is reserved"};
    }
  }
  return ok();
}

std::size_t estimated_bytes(const write_batch& batch) {
  std::size_t n = 0;
  for (const auto& e : batch.events) n += e.stream.size() + e.type.size() + e.data.size() + 32;
  for (const auto& r : batch.records) n += r.key.size() + (r.value ? r.value->size() : 0) + 16;
  return n;
}

}  // namespace af::storage::keys
