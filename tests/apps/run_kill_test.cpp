// `hashpivot run --report FILE --db STORE` stopped by SIGINT or SIGTERM at random moments of the
// whole run (reading the inputs, simulating, rendering and committing the outputs): each time, either
// the run completed (exit 0, its record in the store and its report complete, naming the record's
// id) or it left nothing (exit 130/143, or killed before its handlers were installed: no record, no
// report, no temporary or journal file in the folder). A process killed by the signal after the
// command returned counts as completed, and must be. Also: output paths that cannot be written
// fail before any work (exit 2), in every command that writes.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "apps/cli_runner.hpp"
#include "hashpivot/io/result_store.hpp"

namespace hashpivot::testing {
namespace {

namespace fs = std::filesystem;

constexpr int kKillsPerSignal = 12;
const std::string kScenario = std::string(HASHPIVOT_SCENARIOS_DIR) + "/hydro_no_debt.toml";
// Two blocks of 256 paths on one thread: the simulation has a point between blocks to stop at.
const std::vector<std::string> kRunArguments = {"--paths", "512", "--threads", "1"};

/// Starts `hashpivot run` writing into `dir` (stdout and stderr to `log`); returns its pid.
pid_t start_run(const fs::path& dir, const fs::path& log) {
  std::vector<std::string> args = {HASHPIVOT_BINARY, "run", kScenario, "--report", (dir / "report.html").string(),
                                   "--db", (dir / "runs.sqlite").string()};
  args.insert(args.end(), kRunArguments.begin(), kRunArguments.end());
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(fd, STDOUT_FILENO);
    ::dup2(fd, STDERR_FILENO);
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    std::_Exit(127);
  }
  return pid;
}

std::set<std::string> files_in(const fs::path& dir) {
  std::set<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.insert(entry.path().filename().string());
  return names;
}

std::vector<io::RunListing> runs_in(const fs::path& store) {
  if (!fs::exists(store)) return {};
  return io::open_result_store(store.string(), io::StoreAccess::kExisting)->list();
}

enum class Outcome { kCompleted, kStopped, kKilledBeforeHandlers };

/// Checks the folder after one run that ended with `status` (signal `signal_number` sent); returns
/// what happened, or fails the test.
Outcome check_all_or_nothing(const fs::path& dir, int status, int signal_number, const std::string& log) {
  const fs::path report = dir / "report.html";
  const std::vector<io::RunListing> runs = runs_in(dir / "runs.sqlite");
  const std::set<std::string> files = files_in(dir);
  const bool killed = WIFSIGNALED(status) && WTERMSIG(status) == signal_number;
  // Completed: the signal came after the point of no return, or after the command returned (then
  // it ends the process as it would without handlers, the outputs already complete).
  if ((WIFEXITED(status) && WEXITSTATUS(status) == 0) || (killed && !runs.empty())) {
    EXPECT_EQ(runs.size(), 1u) << log;
    const std::string html = slurp(report);
    EXPECT_TRUE(html.ends_with("</html>\n")) << "a partial report";
    if (!runs.empty()) {
      EXPECT_NE(html.find("run " + std::to_string(runs[0].run.id) + " &middot;"), std::string::npos)
          << "the report does not name the recorded run";
    }
    EXPECT_EQ(files, (std::set<std::string>{"report.html", "runs.sqlite"})) << log;
    return Outcome::kCompleted;
  }
  const bool stopped = WIFEXITED(status) && WEXITSTATUS(status) == 128 + signal_number;
  EXPECT_TRUE(stopped || killed) << "status " << status << ": " << log;
  EXPECT_TRUE(runs.empty()) << "a stopped run was recorded";
  EXPECT_FALSE(fs::exists(report)) << "a stopped run wrote its report";
  // The store may have been created (opened before the simulation, empty); nothing else may be there.
  for (const std::string& name : files) EXPECT_EQ(name, "runs.sqlite") << "left behind: " << name;
  if (stopped) {
    EXPECT_NE(log.find(signal_number == SIGINT ? "interrupted by SIGINT" : "interrupted by SIGTERM"), std::string::npos)
        << log;
  }
  return stopped ? Outcome::kStopped : Outcome::kKilledBeforeHandlers;
}

void kill_at_random_points(int signal_number) {
  const fs::path base = temp_path("kill_" + std::to_string(signal_number));
  fs::remove_all(base);
  fs::create_directories(base);
  const fs::path log = base / "log";
  // The length of a whole run in this build (sanitizers slow it): the kill points scale with it.
  const fs::path first = base / "first";
  fs::create_directories(first);
  const auto started = std::chrono::steady_clock::now();
  int status = 0;
  ::waitpid(start_run(first, log), &status, 0);
  const double run_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << slurp(log);

  // Fixed seed: the same kill points each time. Half over the whole run; half over its last
  // quarter, where the report is rendered and the record and report are committed.
  std::mt19937 random(static_cast<unsigned>(20260201 + signal_number));
  std::uniform_real_distribution<double> anywhere(0.0, 1.0);
  std::uniform_real_distribution<double> at_the_end(0.75, 1.05);
  int outcomes[3] = {0, 0, 0};
  for (int k = 0; k < kKillsPerSignal; ++k) {
    const double fraction = k % 2 == 0 ? anywhere(random) : at_the_end(random);
    const fs::path dir = base / ("kill_" + std::to_string(k));
    fs::create_directories(dir);
    const pid_t pid = start_run(dir, log);
    std::this_thread::sleep_for(std::chrono::duration<double>(fraction * run_seconds));
    ::kill(pid, signal_number);
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    const Outcome outcome = check_all_or_nothing(dir, status, signal_number, slurp(log));
    ++outcomes[static_cast<int>(outcome)];
  }
  std::printf("[          ] %s at %d random points of a %.2f s run: %d completed, %d stopped cleanly, %d killed "
              "outside the handlers with nothing written\n",
              signal_number == SIGINT ? "SIGINT" : "SIGTERM", kKillsPerSignal, run_seconds, outcomes[0], outcomes[1],
              outcomes[2]);
  EXPECT_GE(outcomes[static_cast<int>(Outcome::kStopped)], 1) << "no kill point stopped a run: the test tests nothing";
  fs::remove_all(base);
}

TEST(RunKill, sigint_at_random_points_leaves_all_or_nothing) { kill_at_random_points(SIGINT); }
TEST(RunKill, sigterm_at_random_points_leaves_all_or_nothing) { kill_at_random_points(SIGTERM); }

// A report that cannot be renamed into place after the record committed (a folder took its name
// while the run simulated): the record is deleted again, and no temporary stays.
TEST(RunOutputs, a_report_rename_failing_after_the_commit_removes_the_record) {
  const fs::path dir = temp_path("rename_fails");
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path log = dir.string() + ".log";
  const pid_t pid = start_run(dir, log);
  // The store is opened after the output checks and before the simulation: then take the name.
  int status = 0;
  bool ended = false;
  while (!fs::exists(dir / "runs.sqlite") && !ended) {
    ended = ::waitpid(pid, &status, WNOHANG) == pid;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_FALSE(ended) << "the run ended before it opened the store: " << slurp(log);
  fs::create_directories(dir / "report.html" / "occupied");
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  const std::string err = slurp(log);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 2) << status << ": " << err;
  EXPECT_NE(err.find("cannot rename the written file into place"), std::string::npos) << err;
  EXPECT_TRUE(runs_in(dir / "runs.sqlite").empty()) << "the record of a run without its report stayed";
  EXPECT_EQ(files_in(dir), (std::set<std::string>{"report.html", "runs.sqlite"}));
  fs::remove_all(dir);
  fs::remove(log);
}

// --- Output paths checked before any work. ---

TEST(OutputPaths, run_report_that_cannot_be_written_fails_before_the_run_and_records_nothing) {
  const fs::path dir = temp_path("unwritable_report");
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string db = (dir / "runs.sqlite").string();
  const CliResult r = run_cli("run " + kScenario + " --paths 256 --report /proc/x.html --db " + db);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("command line: --report: cannot write /proc/x.html: "), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(db)) << "the run started (it opened the store) before the check";
  // A folder as the report, and a missing folder.
  const CliResult folder = run_cli("run " + kScenario + " --paths 256 --report " + dir.string() + " --db " + db);
  EXPECT_EQ(folder.exit_code, 2);
  EXPECT_NE(folder.err.find("cannot write " + dir.string() + ": it is a folder"), std::string::npos) << folder.err;
  const CliResult missing = run_cli("run " + kScenario + " --report " + (dir / "no" / "r.html").string() + " --db " + db);
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("no folder"), std::string::npos) << missing.err;
  EXPECT_EQ(files_in(dir), std::set<std::string>{});
  fs::remove_all(dir);
}

TEST(OutputPaths, every_writing_command_checks_its_output_first) {
  const std::string history = kHistoryCsv;
  struct Case {
    std::string args;
    std::string flag;
  };
  const std::vector<Case> cases = {
      {"calibrate " + history + " --toml /proc/x.toml", "--toml"},
      {"forecast-check " + history + " --report /proc/x.html", "--report"},
      {"report 1 --html /proc/x.html --db /nonexistent/runs.sqlite", "--html"},
      {"runs export 1 --csv /proc/x --db /nonexistent/runs.sqlite", "--csv"},
      {"run " + kScenario + " --db /proc/x.sqlite", "--db"},
  };
  for (const Case& c : cases) {
    const CliResult r = run_cli(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.args << ": " << r.err;
    EXPECT_NE(r.err.find("command line: " + c.flag + ": cannot write /proc/x"), std::string::npos) << c.args << ": " << r.err;
  }
}

}  // namespace
}  // namespace hashpivot::testing
