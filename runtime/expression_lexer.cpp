// Tokens of the expression language. A hand-written scanner: the text is untrusted and may
// hold any bytes, so every byte either becomes part of a token or a positioned error.

#include <charconv>
#include <cstdint>
#include <limits>
#include <system_error>

#include "base/result.hpp"
#include "runtime/expression_ast.hpp"

namespace af::runtime::expr_detail {
namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_name_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool is_name_char(char c) {
  return is_name_start(c) || is_digit(c);
}
bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// A character for a message: printable ASCII quoted, a valid UTF-8 character quoted, else
// the byte in hex (the text may not be UTF-8 at all).
std::string describe_char(std::string_view text, std::size_t i) {
  auto c = static_cast<unsigned char>(text[i]);
  if (c >= 0x20 && c < 0x7F) return std::string("character '") + static_cast<char>(c) + "'";
  std::size_t n = utf8_sequence_length(text, i);
  if (n > 1) return "character '" + std::string(text.substr(i, n)) + "'";
  static constexpr char hex[] = "0123456789ABCDEF";
  return std::string("byte 0x") + hex[c >> 4] + hex[c & 0xF];
}

}  // namespace

token lexer::next() {
  token t;
  while (!err && i_ < text_.size() && is_space(text_[i_])) advance(1);
  t.position = col_;
  if (err || i_ == text_.size()) return t;  // tok::end
  std::size_t start = i_;
  if (!scan(t)) {
    token end;  // placed at the error, so that the parser's complaint about it never wins
    end.position = expression_position(*err);
    return end;
  }
  t.text = text_.substr(start, i_ - start);
  return t;
}

void lexer::advance(std::size_t n) {
  for (std::size_t k = 0; k < n && i_ < text_.size(); ++k, ++i_)
    if ((static_cast<unsigned char>(text_[i_]) & 0xC0) != 0x80) ++col_;
}

bool lexer::fail(std::string message, std::size_t position) {
  if (!err) err = make_error(errc::expression_error, std::move(message), position, text_);
  return false;
}

bool lexer::single(token& t, tok kind) {
  t.kind = kind;
  advance(1);
  return true;
}

bool lexer::pair(token& t, char second, tok both, tok one) {
  if (peek(1) == second) {
    t.kind = both;
    advance(2);
    return true;
  }
  return single(t, one);
}

bool lexer::scan(token& t) {
  char c = peek();
  if (is_digit(c)) return number(t);
  if (c == '"' || c == '\'') return string(t);
  if (is_name_start(c)) {
    std::size_t start = i_;
    while (i_ < text_.size() && is_name_char(text_[i_])) advance(1);
    t.kind = tok::name;
    t.value = std::string(text_.substr(start, i_ - start));
    return true;
  }
  switch (c) {
    case '.':
      return single(t, tok::dot);
    case '[':
      return single(t, tok::lbracket);
    case ']':
      return single(t, tok::rbracket);
    case '(':
      return single(t, tok::lparen);
    case ')':
      return single(t, tok::rparen);
    case '{':
      return single(t, tok::lbrace);
    case '}':
      return single(t, tok::rbrace);
    case ',':
      return single(t, tok::comma);
    case ':':
      return single(t, tok::colon);
    case '?':
      return single(t, tok::question);
    case '+':
      return single(t, tok::plus);
    case '-':
      return single(t, tok::minus);
    case '*':
      return single(t, tok::star);
    case '/':
      return single(t, tok::slash);
    case '%':
      return single(t, tok::percent);
    case '<':
      return pair(t, '=', tok::le, tok::lt);
    case '>':
      return pair(t, '=', tok::ge, tok::gt);
    case '=':
      if (peek(1) != '=') return fail("unexpected '='; compare with '=='", col_);
      if (peek(2) == '=') return fail("there is no '==='; '==' never converts types", col_);
      t.kind = tok::eq;
      advance(2);
      return true;
    case '!':
      if (peek(1) == '=' && peek(2) == '=')
        return fail("there is no '!=='; '!=' never converts types", col_);
      return pair(t, '=', tok::ne, tok::bang);
    case '&':
      if (peek(1) != '&') return fail("unexpected '&'; use '&&'", col_);
      t.kind = tok::and_and;
      advance(2);
      return true;
    case '|':
      if (peek(1) != '|') return fail("unexpected '|'; use '||'", col_);
      t.kind = tok::or_or;
      advance(2);
      return true;
    default:
      return fail("unexpected " + describe_char(text_, i_), col_);
  }
}

bool lexer::number(token& t) {
  const std::size_t start = i_;
  const std::size_t position = col_;
  if (peek() == '0' && is_digit(peek(1))) return fail("numbers cannot start with 0", position);
  while (is_digit(peek())) advance(1);
  bool integral = true;
  if (peek() == '.' && is_digit(peek(1))) {
    integral = false;
    advance(1);
    while (is_digit(peek())) advance(1);
  }
  if (peek() == 'e' || peek() == 'E') {
    integral = false;
    advance(1);
    if (peek() == '+' || peek() == '-') advance(1);
    if (!is_digit(peek())) return fail("malformed number", position);
    while (is_digit(peek())) advance(1);
  }
  if (is_name_char(peek()) || (peek() == '.' && is_digit(peek(1))))
    return fail("malformed number", position);
  std::string_view digits = text_.substr(start, i_ - start);
  t.kind = tok::number;
  if (integral) {
    std::int64_t v = 0;
    auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
    if (ec == std::errc()) {
      t.value = v;
      return true;
    }
    // Integers beyond int64 become doubles, as arithmetic overflow does.
  }
  double d = 0;
  auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), d);
  if (ec != std::errc() || p != digits.data() + digits.size())
    return fail("number out of range", position);
  t.value = d;
  return true;
}

bool lexer::string(token& t) {
  const char quote = peek();
  const std::size_t position = col_;
  advance(1);
  std::string out;
  while (true) {
    if (i_ >= text_.size()) return fail("unterminated string", position);
    char c = text_[i_];
    if (c == quote) {
      advance(1);
      break;
    }
    if (c == '\\') {
      if (!escape(out, position)) return false;
      continue;
    }
    auto u = static_cast<unsigned char>(c);
    if (u < 0x80) {
      out.push_back(c);
      advance(1);
      continue;
    }
    std::size_t n = utf8_sequence_length(text_, i_);
    if (n == 0) return fail("invalid UTF-8 in string", col_);
    out.append(text_.substr(i_, n));
    advance(n);
  }
  t.kind = tok::string;
  t.value = std::move(out);
  return true;
}

// At a backslash: appends the escaped character.
bool lexer::escape(std::string& out, std::size_t quote_position) {
  const std::size_t position = col_;
  advance(1);
  if (i_ >= text_.size()) return fail("unterminated string", quote_position);
  char c = text_[i_];
  switch (c) {
    case 'n':
      out.push_back('\n');
      break;
    case 't':
      out.push_back('\t');
      break;
    case 'r':
      out.push_back('\r');
      break;
    case 'b':
      out.push_back('\b');
      break;
    case 'f':
      out.push_back('\f');
      break;
    case '/':
      out.push_back('/');
      break;
    case '\\':
      out.push_back('\\');
      break;
    case '\'':
      out.push_back('\'');
      break;
    case '"':
      out.push_back('"');
      break;
    case 'u': {
      advance(1);
      std::uint32_t cp = 0;
      if (!hex4(cp, position)) return false;
      if (cp >= 0xDC00 && cp <= 0xDFFF)
        return fail("invalid \\u escape (lone surrogate)", position);
      if (cp >= 0xD800 && cp <= 0xDBFF) {
        std::uint32_t low = 0;
        if (peek() != '\\' || peek(1) != 'u')
          return fail("invalid \\u escape (lone surrogate)", position);
        advance(2);
        if (!hex4(low, position)) return false;
        if (low < 0xDC00 || low > 0xDFFF)
          return fail("invalid \\u escape (lone surrogate)", position);
        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
      }
      append_utf8(out, cp);
      return true;
    }
    default:
      if (static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7F)
        return fail(std::string("unknown escape '\\") + c + "'", position);
      return fail("unknown escape in string", position);
  }
  advance(1);
  return true;
}

bool lexer::hex4(std::uint32_t& cp, std::size_t position) {
  for (int k = 0; k < 4; ++k) {
    int h = hex_value(peek());
    if (h < 0) return fail("invalid \\u escape (needs 4 hex digits)", position);
    cp = cp * 16 + static_cast<std::uint32_t>(h);
    advance(1);
  }
  return true;
}

std::string describe(const token& t) {
  if (t.kind == tok::end) return "end of expression";
  if (t.kind == tok::string) return "string";
  std::string_view shown = t.text.substr(0, 32);
  return "token '" + std::string(shown) + "'";
}

}  // namespace af::runtime::expr_detail
