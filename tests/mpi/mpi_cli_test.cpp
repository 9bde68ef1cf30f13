// `mpirun -n K hashpivot …` prints exactly what one process prints (docs/cluster.md): the tests run
// the real launcher on this machine with 2 and 3 ranks and compare stdout byte for byte with a
// plain `hashpivot …` of the same arguments.

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "apps/cli_runner.hpp"

namespace hashpivot::testing {
namespace {

/// `mpirun -n RANKS hashpivot ARGS`. As root Open MPI needs --allow-run-as-root; --oversubscribe
/// lets 3 ranks start on a machine with fewer cores; --bind-to none keeps the ranks from being
/// pinned to the same cores as other tests; shared memory without the cross-memory-attach copy,
/// which containers often forbid (ptrace), keeps CI containers working.
CliResult run_mpi(int ranks, const std::string& args) {
  const auto out = temp_path("mpi_stdout");
  const auto err = temp_path("mpi_stderr");
  std::string command;
#if defined(HASHPIVOT_MPI_RANKS_WITHOUT_LEAK_CHECK)
  command = "ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 ";  // Open MPI's own leaks (tests/CMakeLists.txt)
#endif
  command += std::string(HASHPIVOT_MPIEXEC) + " -n " + std::to_string(ranks);
  if (::geteuid() == 0) command += " --allow-run-as-root";
  command += " --oversubscribe --bind-to none --mca btl_vader_single_copy_mechanism none " + std::string(HASHPIVOT_BINARY) + " " + args + " >" + out.string() +
             " 2>" + err.string();
  const int status = std::system(command.c_str());
  CliResult result{WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(out), slurp(err)};
  std::filesystem::remove(out);
  std::filesystem::remove(err);
  return result;
}

const std::string kCango = std::string(HASHPIVOT_SCENARIOS_DIR) + "/cango.toml";
// The run tests' scenario: Cango, or under the sanitizers (about ten times slower) a firm with four
// strategies instead of nine, which exercises the same exchange between ranks at half the cost.
#ifdef HASHPIVOT_MPI_RANKS_WITHOUT_LEAK_CHECK
const std::string kRunScenario = std::string(HASHPIVOT_SCENARIOS_DIR) + "/levered_btc_backed.toml";
#else
const std::string kRunScenario = kCango;
#endif
// Four chunks of 1024 paths (kBlocksPerChunk × kPathsPerBlock), the last partial: with 2 and 3
// ranks the chunks wrap round the ranks, and the root merges chunks of every rank.
const std::string kRunArgs = "run " + kRunScenario + " --paths 3100 --no-record";

void expect_same_output(const CliResult& one, const CliResult& ranks, const std::string& what) {
  ASSERT_EQ(one.exit_code, 0) << one.err;
  ASSERT_EQ(ranks.exit_code, 0) << ranks.err;
  ASSERT_FALSE(one.out.empty());
  EXPECT_TRUE(one.out == ranks.out) << what << ": one process printed\n"
                                    << one.out.substr(0, 2000) << "\nthe ranks printed\n"
                                    << ranks.out.substr(0, 2000) << "\nstderr: " << ranks.err;
}

TEST(MpiRun, json_of_two_and_three_ranks_equals_one_process_byte_for_byte) {
  const CliResult one = run_cli(kRunArgs + " --json --threads 2");
  expect_same_output(one, run_mpi(2, kRunArgs + " --json --threads 2"), "2 ranks of 2 threads");
  expect_same_output(one, run_mpi(3, kRunArgs + " --json --threads 1"), "3 ranks of 1 thread");
}

// The table's first line ends with the wall time ("…, 2 threads, 4.2 s"): the only field dropped.
// Plain string search: GCC 12's <regex> trips -Wmaybe-uninitialized in the sanitizer build.
std::string without_wall_time(const std::string& table) {
  const std::size_t line_end = table.find('\n');
  if (line_end == std::string::npos || line_end < 2 || table.compare(line_end - 2, 2, " s") != 0) return table;
  const std::size_t comma = table.rfind(", ", line_end - 2);
  if (comma == std::string::npos) return table;
  const std::string number = table.substr(comma + 2, line_end - 2 - (comma + 2));
  if (number.empty() || number.find_first_not_of("0123456789.") != std::string::npos) return table;
  return table.substr(0, comma) + ", <seconds>" + table.substr(line_end);
}

/// Drops every `"seconds": VALUE` line of a JSON document; counts them in `dropped`.
std::string without_seconds_lines(const std::string& json, int& dropped) {
  std::string kept;
  std::size_t start = 0;
  while (start < json.size()) {
    std::size_t end = json.find('\n', start);
    end = end == std::string::npos ? json.size() : end + 1;
    const std::string line = json.substr(start, end - start);
    const std::size_t key = line.find_first_not_of(' ');
    if (key != std::string::npos && line.compare(key, 10, "\"seconds\":") == 0) {
      ++dropped;
    } else {
      kept += line;
    }
    start = end;
  }
  return kept;
}

// Under the sanitizers the table, optimize and sensitivity tests below are left to the normal build:
// their exchange between ranks is the run's, which json_of_two_and_three_ranks_… checks there, and the
// table, optimize and sensitivity code runs under the sanitizers in apps_tests (each took 50–80 s
// under them, a CI budget better spent elsewhere).
#ifdef HASHPIVOT_MPI_RANKS_WITHOUT_LEAK_CHECK
#define HASHPIVOT_SKIP_UNDER_SANITIZERS() GTEST_SKIP() << "the normal build runs it (see above)"
#else
#define HASHPIVOT_SKIP_UNDER_SANITIZERS() static_cast<void>(0)
#endif

TEST(MpiRun, table_of_three_ranks_equals_one_process_but_for_the_wall_time) {
  HASHPIVOT_SKIP_UNDER_SANITIZERS();
  const CliResult one = run_cli(kRunArgs + " --threads 2");
  CliResult ranks = run_mpi(3, kRunArgs + " --threads 2");
  ASSERT_NE(without_wall_time(one.out), one.out) << "no wall time found in\n" << one.out;
  EXPECT_NE(one.out.find("2 threads"), std::string::npos);
  CliResult one_masked = one;
  one_masked.out = without_wall_time(one.out);
  ranks.out = without_wall_time(ranks.out);
  expect_same_output(one_masked, ranks, "3 ranks of 2 threads, table");
}

TEST(MpiRun, only_rank_zero_records_the_run) {
  const auto db = temp_path("mpi_runs.sqlite");
  std::filesystem::remove(db);
  const CliResult ranks = run_mpi(2, "run " + kCango + " --paths 300 --threads 1 --db " + db.string());
  ASSERT_EQ(ranks.exit_code, 0) << ranks.err;
  EXPECT_NE(ranks.out.find("Recorded as run 1 "), std::string::npos) << ranks.out;
  // Two ranks recording would have stored two runs.
  const CliResult runs = run_cli("runs list --db " + db.string());
  EXPECT_EQ(runs.exit_code, 0) << runs.err;
  EXPECT_NE(runs.out.find("\n1 run in "), std::string::npos) << runs.out;
  std::filesystem::remove(db);
}

// The optimizer runs its NLopt loop on every rank: each evaluation's statistics must be the same
// bits on every rank, or the ranks would take different steps. 1100 paths: two chunks, so rank 1
// computes and sends one in every evaluation.
TEST(MpiRun, optimize_of_two_ranks_equals_one_process) {
  HASHPIVOT_SKIP_UNDER_SANITIZERS();
  const std::string args = "optimize " + kCango + " --strategy sell_4451_repay_ai --paths 1100 --max-evaluations 4 --threads 1 --json";
  expect_same_output(run_cli(args), run_mpi(2, args), "optimize, 2 ranks");
}

// A peer group runs one strategy of each scenario on the shared paths; its stress markets run at
// the root. 2100 paths: three chunks, so ranks 1 and 2 each send one.
TEST(MpiRun, peers_of_two_and_three_ranks_equal_one_process) {
  const std::string peers = std::string(HASHPIVOT_SCENARIOS_DIR) + "/peers/";
  const std::string args = "peers " + peers + "riot.toml " + peers + "iren.toml " + kCango + ":hold " + kCango +
                           ":sell_4451_repay_ai --paths 2100 --threads 1 --no-record --json --stress --history " +
                           std::string(HASHPIVOT_TEST_DATA_DIR) + "/history/btc_daily_history_coinmetrics_format.csv";
  const CliResult one = run_cli(args);
  expect_same_output(one, run_mpi(2, args), "peers, 2 ranks");
  expect_same_output(one, run_mpi(3, args), "peers, 3 ranks");
}

// Variance reduction: pairs of paths never span a block, and the controlled means' co-moments travel
// with the chunks. 2100 paths: three chunks, one per rank. (2 ranks, and 2 and 3 in process, are
// sim/simulation_test.cpp's VarianceReduction.results_are_bit_identical_for_any_thread_count.)
TEST(MpiRun, variance_reduced_run_of_three_ranks_equals_one_process) {
  const std::string args = "run " + kRunScenario + " --paths 2100 --threads 1 --no-record --json --variance-reduction";
  expect_same_output(run_cli(args), run_mpi(3, args), "run --variance-reduction, 3 ranks");
}

TEST(MpiRun, site_options_of_three_ranks_equal_one_process) {
  const std::string args = "options " + kCango + " --site georgia --json --paths 300 --fit-paths 300";
  expect_same_output(run_cli(args), run_mpi(3, args), "options --site, 3 ranks");
}

// Its JSON has the wall time as "seconds": the only field dropped.
TEST(MpiRun, sensitivity_of_two_ranks_equals_one_process_but_for_the_wall_time) {
  HASHPIVOT_SKIP_UNDER_SANITIZERS();
  const std::string args = "sensitivity " + kCango + " --strategy hold --no-break-even --paths 300 --threads 1 --json";
  CliResult one = run_cli(args);
  CliResult ranks = run_mpi(2, args);
  int dropped_one = 0;
  int dropped_ranks = 0;
  one.out = without_seconds_lines(one.out, dropped_one);
  ranks.out = without_seconds_lines(ranks.out, dropped_ranks);
  ASSERT_GT(dropped_one, 0) << one.out.substr(0, 500);
  EXPECT_EQ(dropped_one, dropped_ranks);
  expect_same_output(one, ranks, "sensitivity, 2 ranks");
}

TEST(MpiRun, bad_input_exits_2_on_every_rank) {
  const CliResult ranks = run_mpi(2, "run " + temp_path("missing.toml").string() + " --no-record");
  EXPECT_EQ(ranks.exit_code, 2) << ranks.err;
  EXPECT_NE(ranks.err.find("missing.toml"), std::string::npos) << ranks.err;
}

}  // namespace
}  // namespace hashpivot::testing
