#pragma once
// result<T>: a value or an af::error. Expected failures are values, never exceptions.

#include <cassert>
#include <utility>
#include <variant>

#include "base/error.hpp"

namespace af {

// Spelled as an alias so the member function error() below does not change its meaning.
using error_type = error;

template <class T>
class [[nodiscard]] result {
 public:
  result(T value) : v_(std::move(value)) {}       // NOLINT: implicit by design
  result(error_type err) : v_(std::move(err)) {}  // NOLINT
  bool has_value() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  T& value() & {
    assert(has_value());
    return std::get<0>(v_);
  }
  const T& value() const& {
    assert(has_value());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(has_value());
    return std::get<0>(std::move(v_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const error_type& error() const& {
    assert(!has_value());
    return std::get<1>(v_);
  }
  error_type&& error() && {
    assert(!has_value());
    return std::get<1>(std::move(v_));
  }

 private:
  std::variant<T, error_type> v_;
};

template <>
class [[nodiscard]] result<void> {
 public:
  result() = default;
  result(error_type err) : err_(std::move(err)), ok_(false) {}  // NOLINT
  bool has_value() const noexcept { return ok_; }
  explicit operator bool() const noexcept { return ok_; }
  const error_type& error() const& {
    assert(!ok_);
    return err_;
  }
  error_type&& error() && {
    assert(!ok_);
    return std::move(err_);
  }

 private:
  error_type err_;
  bool ok_ = true;
};

inline result<void> ok() {
  return {};
}

}  // namespace af
