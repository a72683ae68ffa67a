#include "core/file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>

#include "test_util.h"

namespace ctwatch {
namespace {

using ::ctwatch::testing::IsErrorCode;
using ::ctwatch::testing::IsOk;

std::string TempDir() {
  char tmpl[] = "/tmp/ctwatch-file-test-XXXXXX";
  return mkdtemp(tmpl);
}

TEST(FileTest, AtomicWriteSetsModeAndContent) {
  const std::string dir = TempDir();
  const std::string path = dir + "/key.pem";
  ASSERT_THAT(WriteFileAtomic(path, "secret", 0600), IsOk());
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto content = ReadFile(path);
  ASSERT_THAT(content, IsOk());
  EXPECT_EQ(*content, "secret");
  ASSERT_THAT(WriteFileAtomic(path, "replaced", 0600), IsOk());
  EXPECT_EQ(*ReadFile(path), "replaced");
}

TEST(FileTest, ReadEnforcesCapAndReportsMissing) {
  const std::string dir = TempDir();
  ASSERT_THAT(WriteFileAtomic(dir + "/big", std::string(5000, 'a')), IsOk());
  EXPECT_THAT(ReadFile(dir + "/big", 100), IsErrorCode(ErrorCode::kResourceExhausted));
  EXPECT_THAT(ReadFile(dir + "/missing"), IsErrorCode(ErrorCode::kNotFound));
}

TEST(FileTest, MakeDirsCreatesParents) {
  const std::string dir = TempDir() + "/a/b/c";
  ASSERT_THAT(MakeDirs(dir), IsOk());
  EXPECT_TRUE(FileExists(dir));
  EXPECT_THAT(MakeDirs(dir), IsOk());
}

}  // namespace
}  // namespace ctwatch
