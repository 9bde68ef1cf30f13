// Output files written all or nothing, output paths checked before any work, and the cancellation
// flag's exit codes.

#include "hashpivot/core/atomic_file.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "hashpivot/core/cancellation.hpp"
#include "hashpivot/core/error.hpp"

namespace hashpivot {
namespace {

namespace fs = std::filesystem;

class AtomicFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("hashpivot_atomic_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  [[nodiscard]] std::set<std::string> files() const {
    std::set<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir_)) names.insert(entry.path().filename().string());
    return names;
  }
  static std::string slurp(const fs::path& path) {
    std::ifstream in(path);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }
  fs::path dir_;
};

/// The message check_output_path throws for `path`, or "" when it passes.
std::string check_message(const fs::path& path, OutputWrite write = OutputWrite::kReplaced) {
  try {
    check_output_path(path, "--out", write);
    return "";
  } catch (const InputError& e) {
    return e.what();
  }
}

TEST_F(AtomicFileTest, a_writable_path_passes_and_the_probe_leaves_nothing) {
  EXPECT_EQ(check_message(dir_ / "report.html"), "");
  EXPECT_TRUE(files().empty());
}

TEST_F(AtomicFileTest, unwritable_paths_are_refused_naming_the_flag_and_the_reason) {
  EXPECT_EQ(check_message("/proc/x.html").rfind("command line: --out: cannot write /proc/x.html: ", 0), 0u)
      << check_message("/proc/x.html");
  EXPECT_EQ(check_message(dir_), "command line: --out: cannot write " + dir_.string() + ": it is a folder");
  EXPECT_EQ(check_message(dir_ / "missing" / "r.html"),
            "command line: --out: cannot write " + (dir_ / "missing" / "r.html").string() + ": no folder " +
                (dir_ / "missing").string());
  std::ofstream(dir_ / "file") << "x";
  EXPECT_NE(check_message(dir_ / "file" / "r.html").find("is not a folder"), std::string::npos);
}

TEST_F(AtomicFileTest, a_file_updated_in_place_must_itself_be_writable) {
  if (::geteuid() == 0) GTEST_SKIP() << "root writes read-only files";
  const fs::path store = dir_ / "runs.sqlite";
  std::ofstream(store) << "x";
  fs::permissions(store, fs::perms::owner_read);
  EXPECT_EQ(check_message(store, OutputWrite::kReplaced), "");  // a rename replaces it regardless
  EXPECT_NE(check_message(store, OutputWrite::kUpdatedInPlace).find("Permission denied"), std::string::npos);
}

TEST_F(AtomicFileTest, check_output_folder_accepts_a_folder_to_create_and_refuses_proc) {
  EXPECT_NO_THROW(check_output_folder(dir_ / "a" / "b", "--csv"));
  EXPECT_FALSE(fs::exists(dir_ / "a")) << "the check created the folder";
  EXPECT_THROW(check_output_folder("/proc/x", "--csv"), InputError);
  std::ofstream(dir_ / "file") << "x";
  EXPECT_THROW(check_output_folder(dir_ / "file" / "sub", "--csv"), InputError);
}

TEST_F(AtomicFileTest, staged_file_appears_only_on_commit_and_vanishes_uncommitted) {
  const fs::path target = dir_ / "out.txt";
  std::ofstream(target) << "old";
  {
    StagedFile staged(target, "new text", "--out");
    EXPECT_EQ(slurp(staged.temporary()), "new text");
    EXPECT_EQ(slurp(target), "old");  // untouched until the commit
  }
  EXPECT_EQ(files(), std::set<std::string>{"out.txt"}) << "an uncommitted temporary was left";
  EXPECT_EQ(slurp(target), "old");
  {
    StagedFile staged(target, "new text", "--out");
    staged.commit();
  }
  EXPECT_EQ(slurp(target), "new text");
  EXPECT_EQ(files(), std::set<std::string>{"out.txt"});
}

TEST_F(AtomicFileTest, write_file_atomically_replaces_the_file_and_fails_in_a_missing_folder) {
  write_file_atomically(dir_ / "a.txt", "one", "--out");
  write_file_atomically(dir_ / "a.txt", "two", "--out");
  EXPECT_EQ(slurp(dir_ / "a.txt"), "two");
  EXPECT_EQ(files(), std::set<std::string>{"a.txt"});
  EXPECT_THROW(write_file_atomically(dir_ / "missing" / "a.txt", "x", "--out"), InputError);
}

TEST(Cancellation, exit_codes_are_128_plus_the_signal) {
  EXPECT_EQ(Cancelled(SIGINT).exit_code(), 130);
  EXPECT_EQ(Cancelled(SIGTERM).exit_code(), 143);
  EXPECT_NE(std::string(Cancelled(SIGINT).what()).find("SIGINT"), std::string::npos);
}

TEST(Cancellation, a_signal_while_listening_is_recorded_and_a_deferred_one_waits) {
  cancellation::install_handlers();
  cancellation::reset_for_testing();
  {
    const cancellation::Listening listening;
    EXPECT_NO_THROW(cancellation::throw_if_requested());
    {
      const cancellation::Deferred deferred;
      ::raise(SIGTERM);  // held back: the flag is not raised yet
      EXPECT_EQ(cancellation::stop_signal().load(), 0);
    }
    EXPECT_EQ(cancellation::stop_signal().load(), SIGTERM);  // delivered when the deferral ended
    try {
      cancellation::throw_if_requested();
      ADD_FAILURE() << "no Cancelled";
    } catch (const Cancelled& e) {
      EXPECT_EQ(e.exit_code(), 143);
    }
  }
  cancellation::reset_for_testing();
  std::signal(SIGINT, SIG_DFL);  // as the other tests expect
  std::signal(SIGTERM, SIG_DFL);
}

}  // namespace
}  // namespace hashpivot
