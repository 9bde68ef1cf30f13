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

TEST(ParameterError, is_an_input_error_naming_the_parameter) {
  const ParameterError e("volatility", "must be finite and > 0");
  EXPECT_STREQ(e.what(), "model parameter: volatility: must be finite and > 0");
  EXPECT_EQ(e.parameter(), "volatility");
  EXPECT_EQ(e.problem(), "must be finite and > 0");
  const InputError& as_input = e;
  EXPECT_EQ(as_input.field(), "volatility");
}

TEST(Require, throws_only_when_the_condition_fails) {
  EXPECT_NO_THROW(require(true, "paths", "at least 1"));
  try {
    require(false, "paths", "at least 1");
    FAIL() << "expected a ParameterError";
  } catch (const ParameterError& e) {
    EXPECT_EQ(e.parameter(), "paths");
    EXPECT_EQ(e.problem(), "at least 1");
  }
}

}  // namespace
}  // namespace hashpivot

#include <filesystem>
#include <fstream>
#include <sstream>

#include "hashpivot/core/atomic_file.hpp"

namespace hashpivot {
namespace {

TEST(AtomicFile, replaces_the_whole_file_and_leaves_no_temporary) {
  const auto dir = std::filesystem::temp_directory_path() / "hashpivot_atomic_file_test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const auto path = dir / "out.txt";
  write_file_atomically(path, "first", "--out");
  write_file_atomically(path, "second, longer", "--out");
  std::stringstream text;
  text << std::ifstream(path).rdbuf();
  EXPECT_EQ(text.str(), "second, longer");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir), std::filesystem::directory_iterator()), 1);
  std::filesystem::remove_all(dir);
}

TEST(AtomicFile, an_unwritable_folder_is_an_input_error_naming_path_and_flag) {
  try {
    write_file_atomically("/nonexistent-folder/out.txt", "x", "--report");
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(e.source(), "/nonexistent-folder/out.txt");
    EXPECT_EQ(e.field(), "--report");
  }
}

}  // namespace
}  // namespace hashpivot
