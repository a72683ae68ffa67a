#include "core/clock.h"

#include <gtest/gtest.h>

namespace ctwatch {
namespace {

TEST(ClockTest, FormatsAndParsesRfc3339) {
  EXPECT_EQ(FormatTimeMs(1396609800587), "2014-04-04T11:10:00.587Z");
  EXPECT_EQ(FormatTimeMs(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(ParseTimeMs("2014-04-04T11:10:00.587Z"), 1396609800587);
  EXPECT_EQ(ParseTimeMs("2014-04-04T13:10:00.587+02:00"), 1396609800587);
  EXPECT_EQ(ParseTimeMs("1970-01-02"), 86400000);
}

TEST(ClockTest, RejectsMalformedTimes) {
  EXPECT_FALSE(ParseTimeMs("2014-13-04").has_value());
  EXPECT_FALSE(ParseTimeMs("2014-04-04T11:10").has_value());
  EXPECT_FALSE(ParseTimeMs("2014-04-04T11:10:00").has_value());  // no zone
  EXPECT_FALSE(ParseTimeMs("yesterday").has_value());
}

}  // namespace
}  // namespace ctwatch
