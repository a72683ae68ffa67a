// Helpers shared by the test suites: data paths and Result matchers.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ostream>
#include <string>

#include "core/file.h"
#include "core/result.h"

namespace ctwatch {

// Readable gtest output for Result values.
template <typename T>
void PrintTo(const Result<T>& r, std::ostream* os) {
  if (r.has_value()) {
    *os << "OK";
  } else {
    *os << "error: " << r.error().ToString();
  }
}

}  // namespace ctwatch

namespace ctwatch::testing {

inline std::string TestDataPath(const std::string& relative) {
  return std::string(CTWATCH_TEST_DATA) + "/" + relative;
}

inline std::string ReadTestData(const std::string& relative) {
  auto r = ReadFile(TestDataPath(relative));
  if (!r.has_value()) ADD_FAILURE() << "cannot read " << relative << ": " << r.error().ToString();
  return r.has_value() ? r.value() : std::string();
}

MATCHER(IsOk, "is OK") {
  if (arg.has_value()) return true;
  *result_listener << "error: " << arg.error().ToString();
  return false;
}

MATCHER_P(IsErrorCode, code, "fails with the given error code") {
  if (arg.has_value()) {
    *result_listener << "succeeded";
    return false;
  }
  *result_listener << "error: " << arg.error().ToString();
  return arg.error().code == code;
}

MATCHER_P2(IsError, code, substring, "fails with the given code and message") {
  if (arg.has_value()) {
    *result_listener << "succeeded";
    return false;
  }
  *result_listener << "error: " << arg.error().ToString();
  return arg.error().code == code && arg.error().message.find(substring) != std::string::npos;
}

}  // namespace ctwatch::testing
