#include "core/result.h"

namespace ctwatch {

const char* ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return "invalid argument";
    case ErrorCode::kParse: return "parse error";
    case ErrorCode::kVerification: return "verification failed";
    case ErrorCode::kNotFound: return "not found";
    case ErrorCode::kAlreadyExists: return "already exists";
    case ErrorCode::kIo: return "I/O error";
    case ErrorCode::kNetwork: return "network error";
    case ErrorCode::kTimeout: return "timeout";
    case ErrorCode::kHttpStatus: return "HTTP error";
    case ErrorCode::kRateLimited: return "rate limited";
    case ErrorCode::kResourceExhausted: return "size limit exceeded";
    case ErrorCode::kFailedPrecondition: return "failed precondition";
    case ErrorCode::kCancelled: return "cancelled";
    case ErrorCode::kInternal: return "internal error";
  }
  return "unknown error";
}

std::string Error::ToString() const { return std::string(ErrorCodeName(code)) + ": " + message; }

Error Error::WithContext(const std::string& context) const {
  return Error{code, context + ": " + message, retry_after_ms};
}

}  // namespace ctwatch
