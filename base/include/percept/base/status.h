// Status and Result<T>: how every fallible call in Percept reports bad input.
//
// A Status carries a stable machine code (the `code` of the error body, docs/api.md "Errors"),
// a sentence for people, and the individual problems found (each with a JSON pointer), so a
// tablet can show every bad answer at once. The codes are a public API; add, never rename.
// They say what went wrong, not how a transport shows it (the C++ names say so too; the wire
// names keep the spelling clients already read): the one mapping to HTTP statuses is
// server/net/http_status.cc, and the command line prints ToString() and exits non-zero.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace percept {

// When to use each code:
enum class StatusCode {
  kOk,
  kMalformedJson,         // a text that should be JSON is not (a body, a definition file)
  kMalformedXml,          // a text that should be XML is not, or holds a DTD or entities
  kInvalidParameter,      // an argument, flag or query parameter is wrong in itself
  kUnauthenticated,       // who is asking is unknown: no credential, or a revoked or unknown one
  kForbidden,             // who is asking is known, and their role may not do this
  kNotFound,              // no such thing, or one the caller may not know exists
  kOperationNotSupported, // the thing exists, but not this operation on it
  kConflict,              // the same identity already holds different content
  kInputTooLarge,         // an input is over its size limit (a body, a batch, an upload)
  kUnsupportedFormat,     // the input is in a format this operation does not read
  kValidationFailed,      // well-formed, but against the survey definition or the file format
  kRateExceeded,          // the caller is over its rate; it may retry later
  kInputTooSlow,          // the input did not arrive within its time
  kPreambleTooLarge,      // a request's preamble (its header lines) is over its limit
  kUnavailable,           // the service cannot take it now (overload, shutting down); retry
  kInternal,              // a failure of the machine or a bug, never of the input
};

// The stable machine name of a code, e.g. "validation_failed".
const char* CodeName(StatusCode code);

// One problem at one place, e.g. {"/evaluations/0/answers/opp_wait", "out_of_range", "..."}.
struct Detail {
  std::string path;  // JSON pointer (RFC 6901) into the input
  std::string code;  // stable machine code of the problem
  std::string message;
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  static Status Ok() { return Status(); }
  static Status MalformedJson(std::string msg) {
    return {StatusCode::kMalformedJson, std::move(msg)};
  }
  static Status MalformedXml(std::string msg) { return {StatusCode::kMalformedXml, std::move(msg)}; }
  static Status InvalidParameter(std::string msg) {
    return {StatusCode::kInvalidParameter, std::move(msg)};
  }
  static Status Unauthenticated(std::string msg) {
    return {StatusCode::kUnauthenticated, std::move(msg)};
  }
  static Status Forbidden(std::string msg) { return {StatusCode::kForbidden, std::move(msg)}; }
  static Status NotFound(std::string msg) { return {StatusCode::kNotFound, std::move(msg)}; }
  static Status OperationNotSupported(std::string msg) {
    return {StatusCode::kOperationNotSupported, std::move(msg)};
  }
  static Status Conflict(std::string msg) { return {StatusCode::kConflict, std::move(msg)}; }
  static Status InputTooLarge(std::string msg) {
    return {StatusCode::kInputTooLarge, std::move(msg)};
  }
  static Status UnsupportedFormat(std::string msg) {
    return {StatusCode::kUnsupportedFormat, std::move(msg)};
  }
  static Status ValidationFailed(std::string msg, std::vector<Detail> details = {}) {
    Status s{StatusCode::kValidationFailed, std::move(msg)};
    s.details_ = std::move(details);
    return s;
  }
  static Status RateExceeded(std::string msg) {
    return {StatusCode::kRateExceeded, std::move(msg)};
  }
  static Status InputTooSlow(std::string msg) {
    return {StatusCode::kInputTooSlow, std::move(msg)};
  }
  static Status PreambleTooLarge(std::string msg) {
    return {StatusCode::kPreambleTooLarge, std::move(msg)};
  }
  static Status Unavailable(std::string msg) { return {StatusCode::kUnavailable, std::move(msg)}; }
  static Status Internal(std::string msg) { return {StatusCode::kInternal, std::move(msg)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  const std::vector<Detail>& details() const { return details_; }
  void AddDetail(Detail d) { details_.push_back(std::move(d)); }
  // "code: message" and the first details, for logs and command-line errors.
  std::string ToString() const;

 private:
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  std::vector<Detail> details_;
};

// Reading the value of a Result that holds none is a bug, never bad input: it says so on stderr
// with the Status it held, and aborts, rather than read memory that holds no value.
[[noreturn]] void ResultHasNoValue(const Status& status);

// A value or the Status that explains why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}          // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {}  // NOLINT
  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  T& value() & { return Checked(); }
  const T& value() const& { return Checked(); }
  T&& value() && { return std::move(Checked()); }
  T* operator->() { return &Checked(); }
  const T* operator->() const { return &Checked(); }
  T& operator*() { return Checked(); }
  const T& operator*() const { return Checked(); }

 private:
  T& Checked() {
    if (!value_) ResultHasNoValue(status_);
    return *value_;
  }
  const T& Checked() const {
    if (!value_) ResultHasNoValue(status_);
    return *value_;
  }
  std::optional<T> value_;
  Status status_;
};

}  // namespace percept
