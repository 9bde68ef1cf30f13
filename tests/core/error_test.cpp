#include "hashpivot/core/error.hpp"

#include <gtest/gtest.h>

namespace hashpivot {
namespace {

TEST(InputError, message_reads_file_line_field_problem) {
  const InputError e("scenario.toml", 12, "sites.capacity_mw", "expected a number >= 0, got -5");
  EXPECT_STREQ(e.what(), "scenario.toml:12: sites.capacity_mw: expected a number >= 0, got -5");
  EXPECT_EQ(e.line(), 12u);
  EXPECT_EQ(e.field(), "sites.capacity_mw");
}

TEST(InputError, omits_the_line_and_field_when_unknown) {
  EXPECT_STREQ(InputError("data.csv", 0, "", "cannot open the file").what(), "data.csv: cannot open the file");
  EXPECT_STREQ(InputError("command line", 0, "--bits", "bad").what(), "command line: --bits: bad");
}

}  // namespace
}  // namespace hashpivot
