#include "core/subprocess.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <thread>

#include "core/file.h"
#include "test_util.h"

namespace ctwatch {
namespace {

using ::ctwatch::testing::IsErrorCode;
using ::ctwatch::testing::IsOk;

std::string TempDir() {
  char tmpl[] = "/tmp/ctwatch-subprocess-test-XXXXXX";
  return mkdtemp(tmpl);
}

TEST(SubprocessTest, RunsWithEnvironmentStdinAndTimeout) {
  const std::string dir = TempDir();
  ASSERT_THAT(WriteFileAtomic(dir + "/in", "from stdin\n"), IsOk());
  EXPECT_THAT(RunProgramOk({.argv = {"/bin/sh", "-c",
                                     "test \"$A\" = b && cat > " + dir + "/out"},
                            .env = {{"A", "b"}},
                            .stdin_path = dir + "/in"},
                           "hook"),
              IsOk());
  EXPECT_EQ(*ReadFile(dir + "/out"), "from stdin\n");
  auto status = RunProgram({.argv = {"/bin/sh", "-c", "exit 3"}});
  ASSERT_THAT(status, IsOk());
  EXPECT_EQ(*status, 3);
  EXPECT_THAT(RunProgramOk({.argv = {"/bin/sh", "-c", "exit 3"}}, "hook"),
              IsErrorCode(ErrorCode::kFailedPrecondition));
  EXPECT_THAT(RunProgram({.argv = {"/bin/sh", "-c", "sleep 5"}, .timeout_ms = 200}),
              IsErrorCode(ErrorCode::kTimeout));
  EXPECT_THAT(RunProgram({.argv = {dir + "/does-not-exist"}}), IsErrorCode(ErrorCode::kIo));
  EXPECT_THAT(RunProgram({}), IsErrorCode(ErrorCode::kInvalidArgument));
}

TEST(SubprocessTest, TimeoutKillsTheWholeProcessGroup) {
  const std::string dir = TempDir();
  // The child's own child would write the file after the timeout if it survived.
  EXPECT_THAT(RunProgram({.argv = {"/bin/sh", "-c", "(sleep 1; touch " + dir + "/late) & wait"},
                          .timeout_ms = 200}),
              IsErrorCode(ErrorCode::kTimeout));
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_FALSE(FileExists(dir + "/late"));
}

}  // namespace
}  // namespace ctwatch
