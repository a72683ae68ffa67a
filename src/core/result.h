// Result<T> and Error: the error-handling vocabulary of every module.
//
// Member names follow std::expected (has_value, value, error) so that Result can become an
// alias once the compiler supports it in C++20 mode. No exceptions cross module boundaries.
// Thread-safety: plain values, no shared state.
#pragma once

#include <cassert>
#include <cstdint>
#include <string>
#include <utility>
#include <variant>

namespace ctwatch {

enum class ErrorCode {
  kInvalidArgument,   // bad input from a caller or a config file
  kParse,             // malformed bytes from the network or disk
  kVerification,      // a signature or Merkle root did not verify
  kNotFound,
  kAlreadyExists,
  kIo,                // file or database error
  kNetwork,           // connection failed
  kTimeout,
  kHttpStatus,        // the peer answered with an unexpected status
  kRateLimited,       // the peer asked us to slow down (429 / 503 with Retry-After)
  kResourceExhausted, // a size cap was hit
  kFailedPrecondition,
  kCancelled,
  kInternal,
};

const char* ErrorCodeName(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  // For kRateLimited and some kHttpStatus errors: how long the peer asked us to wait, in ms
  // (Retry-After), or -1 when it did not say.
  int64_t retry_after_ms = -1;

  std::string ToString() const;
  // Returns a copy whose message is "context: message".
  Error WithContext(const std::string& context) const;
};

inline Error MakeError(ErrorCode code, std::string message) { return Error{code, std::move(message)}; }

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(const T& value) : state_(value) {}             // NOLINT(google-explicit-constructor)
  Result(T&& value) : state_(std::move(value)) {}       // NOLINT(google-explicit-constructor)
  Result(const Error& error) : state_(error) {}         // NOLINT(google-explicit-constructor)
  Result(Error&& error) : state_(std::move(error)) {}   // NOLINT(google-explicit-constructor)

  bool has_value() const { return state_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  T& value() & { assert(has_value()); return std::get<0>(state_); }
  const T& value() const& { assert(has_value()); return std::get<0>(state_); }
  T&& value() && { assert(has_value()); return std::get<0>(std::move(state_)); }
  const Error& error() const& { assert(!has_value()); return std::get<1>(state_); }
  Error&& error() && { assert(!has_value()); return std::get<1>(std::move(state_)); }

  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Error> state_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(const Error& error) : error_(error), ok_(false) {}          // NOLINT
  Result(Error&& error) : error_(std::move(error)), ok_(false) {}    // NOLINT

  bool has_value() const { return ok_; }
  explicit operator bool() const { return ok_; }
  void value() const { assert(ok_); }
  const Error& error() const& { assert(!ok_); return error_; }
  Error&& error() && { assert(!ok_); return std::move(error_); }

 private:
  Error error_;
  bool ok_ = true;
};

using Status = Result<void>;
inline Status OkStatus() { return Status(); }

}  // namespace ctwatch

#define CTW_CONCAT_INNER(a, b) a##b
#define CTW_CONCAT(a, b) CTW_CONCAT_INNER(a, b)

// Returns the error of `expr` (a Result) from the enclosing function.
#define CTW_RETURN_IF_ERROR(expr)                          \
  do {                                                     \
    auto ctw_status_ = (expr);                             \
    if (!ctw_status_.has_value()) return std::move(ctw_status_).error(); \
  } while (0)

// `lhs = value of expr`, or returns its error from the enclosing function.
#define CTW_ASSIGN_OR_RETURN(lhs, expr) \
  CTW_ASSIGN_OR_RETURN_IMPL(CTW_CONCAT(ctw_result_, __LINE__), lhs, expr)
#define CTW_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.has_value()) return std::move(tmp).error(); \
  lhs = std::move(tmp).value()
