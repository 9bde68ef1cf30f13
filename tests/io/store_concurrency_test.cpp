// The result store under concurrent writers that are killed at random moments: K writer processes
// save runs in a loop into one store while reader processes list and load; the parent SIGKILLs the
// writers at random times. Each writer reports a run's id through a pipe only after save() returned
// (the commit happened). At the end the store passes its integrity check and holds every reported
// run, complete; a run it holds beyond those can only be one whose commit happened just before its
// writer was killed (before the pipe write), and it must be complete as well. Both engines.
// Also: save() with a before_commit step, and remove().

#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "hashpivot/io/result_store.hpp"
#include "hashpivot/sim/metrics.hpp"
#include "support/postgres_server.hpp"

namespace hashpivot::io {
namespace {

namespace fs = std::filesystem;
using Opener = std::function<std::unique_ptr<ResultStore>()>;

constexpr int kWriters = 4;
constexpr int kReaders = 2;
constexpr int kKills = 12;              // SIGKILLs in all, spread over the writers
constexpr int kMonths = 24;             // enough rows that a kill often lands inside a transaction

/// The run a writer saves: its name says who wrote it; its rows are counted when it is read back.
RunRecord writer_record(int writer, int iteration) {
  RunRecord r;
  r.run.scenario_name = "writer " + std::to_string(writer) + " run " + std::to_string(iteration);
  r.run.scenario_path = "w.toml";
  r.run.seed = static_cast<std::uint64_t>(writer * 1000 + iteration);
  r.run.paths = 1000;
  r.run.threads = 1;
  r.run.version = "test";
  r.run.started_at = "2026-02-01T09:30:00.000Z";
  r.run.finished_at = "2026-02-01T09:31:00.000Z";
  r.run.start_date = "2026-02-01";
  r.run.horizon_days = 730;
  r.scenario_text = "[scenario]\n";
  for (const char* name : {"hold", "sell"}) {
    StrategySummary s;
    s.strategy = name;
    for (std::size_t i = 0; i < s.values.size(); ++i) s.values[i] = static_cast<double>(i) + 0.5;
    r.strategies.push_back(s);
  }
  for (int m = 0; m < kMonths; ++m) {
    const std::string month = "2026-" + std::to_string(100 + m).substr(1);
    for (const char* series : {"btc_price_usd", "difficulty_t"}) {
      MonthlyQuantiles q;
      q.month = month;
      q.series = series;
      q.p5 = 1;
      q.p25 = 2;
      q.p50 = 3;
      q.p75 = 4;
      q.p95 = 5;
      q.mean = 3;
      r.monthly_quantiles.push_back(q);
    }
    for (const char* strategy : {"hold", "sell"}) {
      r.monthly_accounts.push_back({strategy, month, "btc_mined", 1.5});
      r.default_months.push_back({strategy, month, m});
    }
  }
  return r;
}

/// A complete run: every row its writer saved.
::testing::AssertionResult complete(const RunRecord& r) {
  const RunRecord expected = writer_record(0, 0);
  if (r.strategies.size() != expected.strategies.size() ||
      r.monthly_quantiles.size() != expected.monthly_quantiles.size() ||
      r.monthly_accounts.size() != expected.monthly_accounts.size() ||
      r.default_months.size() != expected.default_months.size())
    return ::testing::AssertionFailure() << "run " << r.run.id << " (" << r.run.scenario_name << ") is partial";
  return ::testing::AssertionSuccess();
}

/// Writer: saves runs until killed, writing each committed id to `fd` (8 bytes) after save() returns.
[[noreturn]] void writer_main(const Opener& open, int writer, int fd) {
  try {
    auto store = open();
    for (int i = 0;; ++i) {
      const std::int64_t id = store->save(writer_record(writer, i));
      if (::write(fd, &id, sizeof id) != sizeof id) std::_Exit(4);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "writer %d: %s\n", writer, e.what());
    std::_Exit(5);  // a failed save (e.g. "database is locked") fails the test
  }
}

/// Reader: lists and loads until killed; exits at once (non-zero) if it sees a partial run or fails.
[[noreturn]] void reader_main(const Opener& open) {
  try {
    auto store = open();
    for (;;) {
      const std::vector<RunListing> runs = store->list();
      if (runs.empty()) continue;
      const std::optional<RunRecord> last = store->load(runs.back().run.id);
      if (!last || !complete(*last)) std::_Exit(6);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "reader: %s\n", e.what());
    std::_Exit(7);
  }
}

struct Writer {
  pid_t pid = -1;
  int read_fd = -1;
  int index = 0;
};

Writer start_writer(const Opener& open, int index) {
  int fds[2];
  if (::pipe(fds) != 0) throw std::runtime_error("pipe");
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    writer_main(open, index, fds[1]);
  }
  ::close(fds[1]);
  return {pid, fds[0], index};
}

/// Every id a (dead) writer reported.
std::vector<std::int64_t> drain(int fd) {
  std::vector<std::int64_t> ids;
  std::int64_t id = 0;
  while (::read(fd, &id, sizeof id) == sizeof id) ids.push_back(id);
  ::close(fd);
  return ids;
}

/// Runs the writers and readers, kills writers kKills times (restarting them), and checks the store.
void check_concurrent_kills(const Opener& open, const std::function<void()>& check_integrity) {
  { (void)open(); }  // the schema exists before the children start
  std::mt19937 random(20260201);  // fixed: the same kill moments every run of the test
  std::uniform_int_distribution<int> delay_ms(5, 120);
  std::uniform_int_distribution<int> which(0, kWriters - 1);
  std::vector<Writer> writers;
  for (int w = 0; w < kWriters; ++w) writers.push_back(start_writer(open, w));
  std::vector<pid_t> readers;
  for (int r = 0; r < kReaders; ++r) {
    const pid_t pid = ::fork();
    if (pid == 0) reader_main(open);
    readers.push_back(pid);
  }
  std::set<std::int64_t> reported;
  int failed_writers = 0;
  const auto reap = [&](Writer& w, bool killed) {
    if (killed) ::kill(w.pid, SIGKILL);
    int status = 0;
    ::waitpid(w.pid, &status, 0);
    if (!(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)) ++failed_writers;
    for (const std::int64_t id : drain(w.read_fd)) reported.insert(id);
  };
  for (int k = 0; k < kKills; ++k) {
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(random)));
    Writer& w = writers[static_cast<std::size_t>(which(random))];
    reap(w, true);
    w = start_writer(open, w.index + kWriters);  // a new writer, a new name
  }
  for (Writer& w : writers) reap(w, true);
  for (const pid_t pid : readers) {
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "a reader saw a partial run or failed: " << status;
  }
  EXPECT_EQ(failed_writers, 0) << "a writer's save failed (see its message above) instead of waiting its turn";

  auto store = open();  // opening rolls back a hot journal a killed writer left (SQLite)
  check_integrity();
  std::set<std::int64_t> stored;
  for (const RunListing& listing : store->list()) {
    stored.insert(listing.run.id);
    const std::optional<RunRecord> record = store->load(listing.run.id);
    ASSERT_TRUE(record.has_value());
    EXPECT_TRUE(complete(*record));
  }
  for (const std::int64_t id : reported) EXPECT_TRUE(stored.count(id) == 1) << "run " << id << " was committed but is gone";
  // Beyond the reported runs, at most one per kill: committed, its writer killed before the pipe write.
  EXPECT_LE(stored.size() - reported.size(), static_cast<std::size_t>(kKills + kWriters));
  EXPECT_GT(reported.size(), static_cast<std::size_t>(kWriters)) << "the writers hardly wrote: the test tests nothing";
  std::printf("[          ] %zu runs committed and reported, %zu committed just before their writer was killed, "
              "%d kills\n",
              reported.size(), stored.size() - reported.size(), kKills + kWriters);
}

class StoreDir : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / ("hashpivot_concurrency_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    path_ = (dir_ / "runs.sqlite").string();
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
  std::string path_;
};

std::string sqlite_integrity(const std::string& path) {
  sqlite3* db = nullptr;
  std::string result = "cannot open";
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &statement, nullptr) == SQLITE_OK &&
        sqlite3_step(statement) == SQLITE_ROW)
      result = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
    sqlite3_finalize(statement);
  }
  sqlite3_close(db);
  return result;
}

TEST_F(StoreDir, sqlite_concurrent_writers_killed_at_random_keep_every_committed_run) {
  const std::string path = path_;
  check_concurrent_kills([path] { return open_result_store(path); },
                         [path] { EXPECT_EQ(sqlite_integrity(path), "ok"); });
}

TEST(PostgresConcurrency, concurrent_writers_killed_at_random_keep_every_committed_run) {
  HASHPIVOT_START_POSTGRES_OR_SKIP(server);
  const std::string url = server->create_database("concurrency");
  // PostgreSQL has no integrity_check pragma (amcheck is an extension the test server may lack):
  // its guarantee is the transactions', checked above by loading every run complete.
  check_concurrent_kills([url] { return open_result_store(url); }, [] {});
}

// --- save() with a step before the commit, and remove(). ---

TEST_F(StoreDir, before_commit_sees_the_id_and_a_throw_there_leaves_nothing) {
  auto store = open_result_store(path_);
  std::int64_t seen = 0;
  const std::int64_t id = store->save(writer_record(1, 1), [&](std::int64_t assigned) { seen = assigned; });
  EXPECT_EQ(seen, id);
  EXPECT_THROW(store->save(writer_record(1, 2), [](std::int64_t) { throw std::runtime_error("cancelled"); }),
               std::runtime_error);
  const std::vector<RunListing> runs = store->list();
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].run.id, id);
}

TEST_F(StoreDir, remove_deletes_the_run_and_its_rows) {
  auto store = open_result_store(path_);
  const std::int64_t kept = store->save(writer_record(1, 1));
  const std::int64_t removed = store->save(writer_record(1, 2));
  store->remove(removed);
  EXPECT_FALSE(store->load(removed).has_value());
  ASSERT_TRUE(store->load(kept).has_value());
  EXPECT_TRUE(complete(*store->load(kept)));
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  for (const char* table : {"strategy_summaries", "monthly_quantiles", "monthly_accounts", "default_months"}) {
    sqlite3_stmt* statement = nullptr;
    const std::string sql = std::string("SELECT count(*) FROM ") + table + " WHERE run_id = " + std::to_string(removed);
    ASSERT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr), SQLITE_OK);
    ASSERT_EQ(sqlite3_step(statement), SQLITE_ROW);
    EXPECT_EQ(sqlite3_column_int64(statement, 0), 0) << table;
    sqlite3_finalize(statement);
  }
  sqlite3_close(db);
}

}  // namespace
}  // namespace hashpivot::io
