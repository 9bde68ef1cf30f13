// The result store against both engines: a record read back field by field, a write that fails or
// is killed midway leaving nothing, the schema version stored and an older store migrated.
// PostgreSQL tests run against a real server that the test starts (support/postgres_server.hpp).

#include "hashpivot/io/result_store.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <pqxx/pqxx>
#include <stdexcept>
#include <string>
#include <vector>

#include "hashpivot/core/error.hpp"
#include "hashpivot/sim/metrics.hpp"
#include "support/postgres_server.hpp"

namespace hashpivot::io {
namespace {

namespace fs = std::filesystem;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

constexpr std::array kTables = {"runs", "strategy_summaries", "monthly_quantiles", "monthly_accounts",
                                "default_months", "run_warnings"};

// --- A record with every kind of value a store must keep: awkward text, NaN, ±∞, extremes. ---

StrategySummary summary(const std::string& name, double base) {
  StrategySummary s;
  s.strategy = name;
  double x = base;
  for (double& value : s.values) {
    x = x * 1.37 + 0.1;  // digits that need all 17 significant figures
    value = x;
  }
  return s;
}

RunRecord sample_record(const std::string& name = "Cango \"₿\", test") {
  RunRecord r;
  r.run.scenario_name = name;
  r.run.scenario_path = "/data/scenarios/cango, 2026.toml";
  r.run.seed = std::numeric_limits<std::uint64_t>::max();  // above the signed range
  r.run.paths = 123456;
  r.run.threads = 7;
  r.run.version = "0.1.0";
  r.run.started_at = "2026-02-01T09:30:00.125Z";
  r.run.finished_at = "2026-02-01T09:31:02.500Z";
  r.run.start_date = "2026-02-01";
  r.run.horizon_days = 730;
  r.run.variance_reduction = true;
  r.scenario_text = "[scenario]\nname = \"Cango \\\"₿\\\", test\"\n\tpaths = 123456 # 'quoted'; -- not SQL\n";
  r.market_description = {"BTC price: GBM, μ 0.31/yr, σ 0.52/yr", "hashrate: exogenous, 866.2 EH/s"};

  r.strategies.push_back(summary("hold", 0.01));
  StrategySummary sell = summary("sell, \"all\"", 3.5e7);
  sell[sim::metric_index("p_default_se")] = kNaN;             // unknown
  sell[sim::metric_index("cash_cost_usd_per_btc")] = kInf;    // nothing mined
  sell[sim::metric_index("npv_vs_first_ci95_low_usd")] = -kInf;
  sell[sim::metric_index("npv_p5_usd")] = -1.7976931348623157e308;
  sell[sim::metric_index("btc_mined_se_btc")] = 4.9406564584124654e-324;  // the smallest subnormal
  sell[sim::metric_index("p_better")] = 0;
  sell[sim::metric_index("p_margin_call_se")] = kNaN;
  r.strategies.push_back(sell);

  for (const char* month : {"2026-02", "2026-03"}) {
    MonthlyQuantiles q;
    q.month = month;
    q.series = "btc_price_usd";
    q.p5 = 51234.5678901234;
    q.p25 = 0.1 + 0.2;
    q.p50 = 1.0 / 3.0;
    q.p75 = 1e300;
    q.p95 = kNaN;
    q.mean = 78702.39;
    r.monthly_quantiles.push_back(q);
    q.strategy = "sell, \"all\"";
    q.series = "cash_usd";
    q.p5 = -2.5e6;
    r.monthly_quantiles.push_back(q);
  }
  r.monthly_accounts = {{"hold", "2026-02", "mining_revenue_usd", 1.2345678901234567e6},
                        {"hold", "2026-02", "btc_mined", 12.5},
                        {"sell, \"all\"", "2026-03", "btc_sold", kNaN}};
  r.default_months = {{"hold", "2026-02", 0}, {"hold", "2026-03", 17}, {"sell, \"all\"", "2026-03", 123456}};
  r.warnings = {"scenarios/x.toml:12: market.btc_price_usd: 78.7 is outside the plausible range 1,000–1,000,000 "
                "USD/BTC (a price in thousands of USD?)",
                "h.csv:9:2: PriceUSD: 'quoted'; -- not SQL\nsecond line"};
  return r;
}

/// Equal to the bit, with NaN equal to NaN.
::testing::AssertionResult same_double(const char* a_text, const char* b_text, double a, double b) {
  if ((std::isnan(a) && std::isnan(b)) || std::memcmp(&a, &b, sizeof a) == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << a_text << " = " << a << " but " << b_text << " = " << b;
}
#define EXPECT_SAME(a, b) EXPECT_PRED_FORMAT2(same_double, a, b)

void expect_same_record(const RunRecord& expected, const RunRecord& got) {
  EXPECT_EQ(got.run.scenario_name, expected.run.scenario_name);
  EXPECT_EQ(got.run.scenario_path, expected.run.scenario_path);
  EXPECT_EQ(got.run.seed, expected.run.seed);
  EXPECT_EQ(got.run.paths, expected.run.paths);
  EXPECT_EQ(got.run.threads, expected.run.threads);
  EXPECT_EQ(got.run.version, expected.run.version);
  EXPECT_EQ(got.run.started_at, expected.run.started_at);
  EXPECT_EQ(got.run.finished_at, expected.run.finished_at);
  EXPECT_EQ(got.run.start_date, expected.run.start_date);
  EXPECT_EQ(got.run.horizon_days, expected.run.horizon_days);
  EXPECT_EQ(got.run.variance_reduction, expected.run.variance_reduction);
  EXPECT_EQ(got.scenario_text, expected.scenario_text);
  EXPECT_EQ(got.market_description, expected.market_description);
  EXPECT_EQ(got.warnings, expected.warnings);

  ASSERT_EQ(got.strategies.size(), expected.strategies.size());
  for (std::size_t k = 0; k < got.strategies.size(); ++k) {
    SCOPED_TRACE("strategy " + std::to_string(k));
    const StrategySummary& e = expected.strategies[k];
    const StrategySummary& g = got.strategies[k];
    EXPECT_EQ(g.strategy, e.strategy);
    for (std::size_t i = 0; i < sim::kMetricCount; ++i) {
      SCOPED_TRACE(std::string(sim::kMetrics[i].column));
      EXPECT_SAME(g[i], e[i]);
    }
  }

  ASSERT_EQ(got.monthly_quantiles.size(), expected.monthly_quantiles.size());
  for (std::size_t i = 0; i < got.monthly_quantiles.size(); ++i) {
    SCOPED_TRACE("monthly_quantiles row " + std::to_string(i));
    const MonthlyQuantiles& e = expected.monthly_quantiles[i];
    const MonthlyQuantiles& g = got.monthly_quantiles[i];
    EXPECT_EQ(g.strategy, e.strategy);
    EXPECT_EQ(g.month, e.month);
    EXPECT_EQ(g.series, e.series);
    EXPECT_SAME(g.p5, e.p5);
    EXPECT_SAME(g.p25, e.p25);
    EXPECT_SAME(g.p50, e.p50);
    EXPECT_SAME(g.p75, e.p75);
    EXPECT_SAME(g.p95, e.p95);
    EXPECT_SAME(g.mean, e.mean);
  }

  ASSERT_EQ(got.monthly_accounts.size(), expected.monthly_accounts.size());
  for (std::size_t i = 0; i < got.monthly_accounts.size(); ++i) {
    SCOPED_TRACE("monthly_accounts row " + std::to_string(i));
    EXPECT_EQ(got.monthly_accounts[i].strategy, expected.monthly_accounts[i].strategy);
    EXPECT_EQ(got.monthly_accounts[i].month, expected.monthly_accounts[i].month);
    EXPECT_EQ(got.monthly_accounts[i].field, expected.monthly_accounts[i].field);
    EXPECT_SAME(got.monthly_accounts[i].mean, expected.monthly_accounts[i].mean);
  }

  ASSERT_EQ(got.default_months.size(), expected.default_months.size());
  for (std::size_t i = 0; i < got.default_months.size(); ++i) {
    SCOPED_TRACE("default_months row " + std::to_string(i));
    EXPECT_EQ(got.default_months[i].strategy, expected.default_months[i].strategy);
    EXPECT_EQ(got.default_months[i].month, expected.default_months[i].month);
    EXPECT_EQ(got.default_months[i].paths_defaulted, expected.default_months[i].paths_defaulted);
  }
}

// --- What both engines must do, given a way to open the store and to count a table's rows. ---

using Opener = std::function<std::unique_ptr<ResultStore>()>;
using RowCounter = std::function<long(const std::string& table)>;

void check_round_trip(const Opener& open) {
  const RunRecord first = sample_record();
  RunRecord second = sample_record("second run");
  second.run.variance_reduction = false;
  second.market_description.clear();
  second.strategies.resize(1);
  second.default_months.clear();
  std::int64_t first_id = 0, second_id = 0;
  {
    auto store = open();
    first_id = store->save(first);
    second_id = store->save(second);
  }
  EXPECT_GT(second_id, first_id);
  auto store = open();  // a fresh connection: nothing is served from memory
  const std::optional<RunRecord> got = store->load(first_id);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->run.id, first_id);
  expect_same_record(first, *got);
  const std::optional<RunRecord> got_second = store->load(second_id);
  ASSERT_TRUE(got_second.has_value());
  expect_same_record(second, *got_second);

  const std::vector<RunListing> listed = store->list();
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].run.id, first_id);
  EXPECT_EQ(listed[0].run.scenario_name, first.run.scenario_name);
  EXPECT_EQ(listed[0].run.seed, first.run.seed);
  EXPECT_EQ(listed[0].run.variance_reduction, std::optional<bool>(true));
  EXPECT_EQ(listed[1].run.variance_reduction, std::optional<bool>(false));
  EXPECT_EQ(listed[0].strategies, (std::vector<std::string>{"hold", "sell, \"all\""}));
  EXPECT_EQ(listed[1].strategies, (std::vector<std::string>{"hold"}));

  EXPECT_FALSE(store->load(second_id + 1000).has_value());
  EXPECT_THROW((void)store->load_or_throw(second_id + 1000), InputError);
}

void check_failed_write_leaves_nothing(const Opener& open, const RowCounter& rows) {
  auto store = open();
  const std::int64_t kept = store->save(sample_record("kept"));
  store->after_table_written_for_testing = [](std::string_view table) {
    if (table == "monthly_quantiles") throw std::runtime_error("injected failure after monthly_quantiles");
  };
  EXPECT_THROW(store->save(sample_record("half written")), std::runtime_error);
  store->after_table_written_for_testing = nullptr;
  // Only the first record is there, whole.
  EXPECT_EQ(rows("runs"), 1);
  EXPECT_EQ(rows("strategy_summaries"), 2);
  EXPECT_EQ(rows("monthly_quantiles"), 4);
  EXPECT_EQ(rows("monthly_accounts"), 3);
  EXPECT_EQ(rows("default_months"), 3);
  ASSERT_EQ(store->list().size(), 1u);
  EXPECT_EQ(store->list()[0].run.id, kept);

  // A statement that fails midway (a duplicate key in the last table) rolls back the same way.
  RunRecord duplicate = sample_record("duplicate");
  duplicate.default_months.push_back(duplicate.default_months.front());
  EXPECT_THROW(store->save(duplicate), std::runtime_error);
  EXPECT_EQ(rows("runs"), 1);
  EXPECT_EQ(rows("default_months"), 3);

  // The store is still usable.
  const std::int64_t next = store->save(sample_record("after the failures"));
  EXPECT_GT(next, kept);
  EXPECT_EQ(rows("runs"), 2);
}

/// A writer killed (SIGKILL) in the middle of its transaction leaves nothing.
void check_killed_writer_leaves_nothing(const Opener& open, const RowCounter& rows) {
  { (void)open(); }  // the schema exists before the child starts
  const pid_t child = ::fork();
  ASSERT_NE(child, -1);
  if (child == 0) {
    try {
      auto store = open();
      store->after_table_written_for_testing = [](std::string_view table) {
        if (table == "monthly_accounts") ::raise(SIGKILL);
      };
      store->save(sample_record("killed"));
    } catch (...) {
    }
    std::_Exit(3);  // not reached when the kill happens
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "the writer was not killed midway: " << status;
  for (const char* table : kTables) EXPECT_EQ(rows(table), 0) << table;
  auto store = open();
  EXPECT_TRUE(store->list().empty());
  EXPECT_GE(store->save(sample_record("after the kill")), 1);
  EXPECT_EQ(rows("runs"), 1);
}

// The schema as hashpivot's schema version 1 wrote it (a fixture: kept as it was, whatever the code
// writes now). {id} is the engine's auto-assigned id column.
const std::vector<std::string> kVersion1Schema = {
    "CREATE TABLE schema_version (version INTEGER NOT NULL)",
    "CREATE TABLE runs (id {id}, scenario_name TEXT NOT NULL, scenario_path TEXT NOT NULL, scenario_text TEXT NOT "
    "NULL, seed BIGINT NOT NULL, paths BIGINT NOT NULL, version TEXT NOT NULL, started_at TEXT NOT NULL, "
    "finished_at TEXT NOT NULL, start_date TEXT NOT NULL, horizon_days INTEGER NOT NULL)",
    "CREATE TABLE strategy_summaries (run_id BIGINT NOT NULL REFERENCES runs (id) ON DELETE CASCADE, position "
    "INTEGER NOT NULL, strategy TEXT NOT NULL, p_default DOUBLE PRECISION, p_default_se DOUBLE PRECISION, "
    "npv_mean_usd DOUBLE PRECISION, npv_se_usd DOUBLE PRECISION, npv_p5_usd DOUBLE PRECISION, npv_p25_usd DOUBLE "
    "PRECISION, npv_p50_usd DOUBLE PRECISION, npv_p75_usd DOUBLE PRECISION, npv_p95_usd DOUBLE PRECISION, cvar5_usd "
    "DOUBLE PRECISION, btc_mined_mean_btc DOUBLE PRECISION, btc_mined_se_btc DOUBLE PRECISION, "
    "btc_held_end_mean_btc DOUBLE PRECISION, btc_held_end_se_btc DOUBLE PRECISION, cash_cost_usd_per_btc DOUBLE "
    "PRECISION, all_in_cost_usd_per_btc DOUBLE PRECISION, hashcost_usd_per_ph_day DOUBLE PRECISION, "
    "ebitda_mean_usd_per_year DOUBLE PRECISION, npv_vs_first_mean_usd DOUBLE PRECISION, npv_vs_first_ci95_low_usd "
    "DOUBLE PRECISION, npv_vs_first_ci95_high_usd DOUBLE PRECISION, p_better DOUBLE PRECISION, PRIMARY KEY (run_id, "
    "strategy))",
    "CREATE TABLE monthly_quantiles (run_id BIGINT NOT NULL REFERENCES runs (id) ON DELETE CASCADE, seq INTEGER NOT "
    "NULL, strategy TEXT, month TEXT NOT NULL, series TEXT NOT NULL, p5 DOUBLE PRECISION, p25 DOUBLE PRECISION, p50 "
    "DOUBLE PRECISION, p75 DOUBLE PRECISION, p95 DOUBLE PRECISION, mean DOUBLE PRECISION, PRIMARY KEY (run_id, seq))",
    "CREATE TABLE monthly_accounts (run_id BIGINT NOT NULL REFERENCES runs (id) ON DELETE CASCADE, seq INTEGER NOT "
    "NULL, strategy TEXT NOT NULL, month TEXT NOT NULL, field TEXT NOT NULL, mean DOUBLE PRECISION, PRIMARY KEY "
    "(run_id, strategy, month, field))",
    "CREATE TABLE default_months (run_id BIGINT NOT NULL REFERENCES runs (id) ON DELETE CASCADE, seq INTEGER NOT "
    "NULL, strategy TEXT NOT NULL, month TEXT NOT NULL, paths_defaulted BIGINT NOT NULL, PRIMARY KEY (run_id, "
    "strategy, month))",
    "CREATE INDEX strategy_summaries_run ON strategy_summaries (run_id, position)",
    "CREATE INDEX monthly_accounts_run ON monthly_accounts (run_id, seq)",
    "CREATE INDEX default_months_run ON default_months (run_id, seq)",
    "INSERT INTO schema_version (version) VALUES (1)",
    "INSERT INTO runs (scenario_name, scenario_path, scenario_text, seed, paths, version, started_at, finished_at, "
    "start_date, horizon_days) VALUES ('old run', 'old.toml', '[scenario]', 42, 1000, '0.0.9', "
    "'2025-12-01T00:00:00.000Z', '2025-12-01T00:00:05.000Z', '2026-01-01', 365)",
    "INSERT INTO strategy_summaries (run_id, position, strategy, p_default, npv_mean_usd) VALUES (1, 0, 'hold', 0.25, "
    "1.5e7)",
    "INSERT INTO default_months (run_id, seq, strategy, month, paths_defaulted) VALUES (1, 0, 'hold', '2026-01', 250)",
};

// What hashpivot's schema version 2 added to a version 1 store (a fixture), and a run it recorded
// with every column version 2 had: the values 0.5, 1.5, … in column order.
std::vector<std::string> version_2_upgrade() {
  std::string values;
  for (int i = 0; i < 22; ++i) values += ", " + std::to_string(i) + ".5";
  return {
      "ALTER TABLE runs ADD COLUMN threads INTEGER NOT NULL DEFAULT 0",
      "ALTER TABLE runs ADD COLUMN market_description TEXT NOT NULL DEFAULT ''",
      "UPDATE schema_version SET version = 2",
      "INSERT INTO runs (scenario_name, scenario_path, scenario_text, seed, paths, version, started_at, finished_at, "
      "start_date, horizon_days, threads, market_description) VALUES ('v2 run', 'v2.toml', '[scenario]', 7, 2000, "
      "'0.1.0', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:09.000Z', '2026-02-01', 730, 4, 'line one\nline two')",
      "INSERT INTO strategy_summaries (run_id, position, strategy, p_default, p_default_se, npv_mean_usd, npv_se_usd, "
      "npv_p5_usd, npv_p25_usd, npv_p50_usd, npv_p75_usd, npv_p95_usd, cvar5_usd, btc_mined_mean_btc, "
      "btc_mined_se_btc, btc_held_end_mean_btc, btc_held_end_se_btc, cash_cost_usd_per_btc, all_in_cost_usd_per_btc, "
      "hashcost_usd_per_ph_day, ebitda_mean_usd_per_year, npv_vs_first_mean_usd, npv_vs_first_ci95_low_usd, "
      "npv_vs_first_ci95_high_usd, p_better) VALUES (2, 0, 'hold'" + values + ")",
  };
}

/// After a version 2 store is opened: the current version; its run reads back with the values it
/// had and the metrics added since unknown (NaN).
void check_migrated_version_2(const Opener& open) {
  auto store = open();
  EXPECT_EQ(store->schema_version(), kResultSchemaVersion);
  const std::optional<RunRecord> v2 = store->load(2);
  ASSERT_TRUE(v2.has_value());
  EXPECT_EQ(v2->run.scenario_name, "v2 run");
  EXPECT_EQ(v2->run.threads, 4u);
  EXPECT_FALSE(v2->run.variance_reduction.has_value());  // recorded before version 10: unknown
  EXPECT_EQ(v2->market_description, (std::vector<std::string>{"line one", "line two"}));
  EXPECT_TRUE(v2->warnings.empty());  // recorded before version 6
  ASSERT_EQ(v2->strategies.size(), 1u);
  const StrategySummary& s = v2->strategies[0];
  EXPECT_EQ(s[sim::metric_index("p_default")], 0.5);
  EXPECT_EQ(s[sim::metric_index("npv_mean_usd")], 2.5);
  EXPECT_EQ(s[sim::metric_index("p_better")], 21.5);
  for (std::size_t i = 0; i < sim::kMetricCount; ++i) {
    if (sim::kMetrics[i].store_version <= 2) continue;
    EXPECT_TRUE(std::isnan(s[i])) << sim::kMetrics[i].column;
  }
  EXPECT_EQ(store->load(1)->run.scenario_name, "old run");
  const RunRecord fresh = sample_record();
  expect_same_record(fresh, *open()->load(store->save(fresh)));
}

/// strategy_summaries' columns: the keys, then one per metric in the table's order.
std::vector<std::string> expected_summary_columns() {
  std::vector<std::string> columns = {"run_id", "position", "strategy"};
  for (const sim::Metric& m : sim::kMetrics) columns.emplace_back(m.column);
  return columns;
}

std::string with_id_column(std::string sql, const std::string& id_column) {
  if (const std::size_t at = sql.find("{id}"); at != std::string::npos) sql.replace(at, 4, id_column);
  return sql;
}

/// After a version 1 store is opened: the current version, the old run intact with the new columns' defaults.
void check_migrated_version_1(const Opener& open, const std::function<long()>& stored_version) {
  auto store = open();
  EXPECT_EQ(store->schema_version(), kResultSchemaVersion);
  EXPECT_EQ(stored_version(), kResultSchemaVersion);
  const std::optional<RunRecord> old = store->load(1);
  ASSERT_TRUE(old.has_value());
  EXPECT_EQ(old->run.scenario_name, "old run");
  EXPECT_EQ(old->run.seed, 42u);
  EXPECT_EQ(old->run.paths, 1000);
  EXPECT_EQ(old->run.threads, 0u);  // not recorded by version 1
  EXPECT_FALSE(old->run.variance_reduction.has_value());
  EXPECT_TRUE(old->market_description.empty());
  EXPECT_TRUE(old->warnings.empty());  // recorded before version 6
  ASSERT_EQ(old->strategies.size(), 1u);
  EXPECT_EQ(old->strategies[0][sim::metric_index("p_default")], 0.25);
  EXPECT_EQ(old->strategies[0][sim::metric_index("npv_mean_usd")], 1.5e7);
  EXPECT_TRUE(std::isnan(old->strategies[0][sim::metric_index("cvar5_usd")]));  // NULL in the old row
  EXPECT_TRUE(std::isnan(old->strategies[0][sim::metric_index("btc_sold_mean_btc")]));  // a later column
  ASSERT_EQ(old->default_months.size(), 1u);
  EXPECT_EQ(old->default_months[0].paths_defaulted, 250);
  // New runs go in next to it, with everything the current version keeps.
  const RunRecord fresh = sample_record();
  const std::int64_t id = store->save(fresh);
  EXPECT_EQ(id, 2);
  expect_same_record(fresh, *open()->load(id));
}

// --- SQLite. ---

class SqliteDb {
 public:
  explicit SqliteDb(const fs::path& path) {
    if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK) throw std::runtime_error(sqlite3_errmsg(db_));
  }
  ~SqliteDb() { sqlite3_close(db_); }
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;
  void exec(const std::string& sql) {
    char* message = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
      const std::string text = message != nullptr ? message : "?";
      sqlite3_free(message);
      throw std::runtime_error(text + " in " + sql);
    }
  }
  std::vector<std::string> column_names(const std::string& table) {
    sqlite3_stmt* statement = nullptr;
    const std::string sql = "SELECT name FROM pragma_table_info('" + table + "') ORDER BY cid";
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &statement, nullptr) != SQLITE_OK)
      throw std::runtime_error(sqlite3_errmsg(db_));
    std::vector<std::string> names;
    while (sqlite3_step(statement) == SQLITE_ROW)
      names.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(statement, 0)));
    sqlite3_finalize(statement);
    return names;
  }
  long scalar(const std::string& sql) {
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &statement, nullptr) != SQLITE_OK)
      throw std::runtime_error(sqlite3_errmsg(db_));
    long value = -1;
    if (sqlite3_step(statement) == SQLITE_ROW) value = static_cast<long>(sqlite3_column_int64(statement, 0));
    sqlite3_finalize(statement);
    return value;
  }

 private:
  sqlite3* db_ = nullptr;
};

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / ("hashpivot_store_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    path_ = dir_ / "runs.sqlite";
  }
  void TearDown() override { fs::remove_all(dir_); }

  Opener opener(StoreAccess access = StoreAccess::kCreate) const {
    return [path = path_.string(), access] { return open_result_store(path, access); };
  }
  RowCounter counter() const {
    return [path = path_](const std::string& table) { return SqliteDb(path).scalar("SELECT count(*) FROM " + table); };
  }

  fs::path dir_;
  fs::path path_;
};

TEST_F(SqliteStoreTest, round_trip_keeps_every_field) { check_round_trip(opener()); }

TEST_F(SqliteStoreTest, failed_write_midway_leaves_nothing) { check_failed_write_leaves_nothing(opener(), counter()); }

TEST_F(SqliteStoreTest, killed_writer_leaves_nothing) { check_killed_writer_leaves_nothing(opener(), counter()); }

TEST_F(SqliteStoreTest, schema_version_is_stored) {
  auto store = open_result_store(path_.string());
  EXPECT_EQ(store->engine_name(), "sqlite");
  EXPECT_EQ(store->schema_version(), kResultSchemaVersion);
  SqliteDb db(path_);
  EXPECT_EQ(db.scalar("SELECT count(*) FROM schema_version"), 1);
  EXPECT_EQ(db.scalar("SELECT version FROM schema_version"), kResultSchemaVersion);
}

TEST_F(SqliteStoreTest, version_1_store_is_migrated) {
  {
    SqliteDb db(path_);
    for (const std::string& sql : kVersion1Schema) db.exec(with_id_column(sql, "INTEGER PRIMARY KEY AUTOINCREMENT"));
  }
  check_migrated_version_1(opener(StoreAccess::kExisting),
                           [&] { return SqliteDb(path_).scalar("SELECT version FROM schema_version"); });
}

TEST_F(SqliteStoreTest, version_2_store_is_migrated_and_its_runs_new_metrics_are_unknown) {
  {
    SqliteDb db(path_);
    for (const std::string& sql : kVersion1Schema) db.exec(with_id_column(sql, "INTEGER PRIMARY KEY AUTOINCREMENT"));
    for (const std::string& sql : version_2_upgrade()) db.exec(sql);
  }
  check_migrated_version_2(opener(StoreAccess::kExisting));
  EXPECT_EQ(SqliteDb(path_).column_names("strategy_summaries"), expected_summary_columns());
}

// The metric table and the store agree: a column per row, in order, whether the store was created
// now or migrated from version 1.
TEST_F(SqliteStoreTest, strategy_summaries_has_a_column_per_metric) {
  { (void)open_result_store(path_.string()); }
  EXPECT_EQ(SqliteDb(path_).column_names("strategy_summaries"), expected_summary_columns());
  const fs::path old = dir_ / "old.sqlite";
  {
    SqliteDb db(old);
    for (const std::string& sql : kVersion1Schema) db.exec(with_id_column(sql, "INTEGER PRIMARY KEY AUTOINCREMENT"));
  }
  { (void)open_result_store(old.string(), StoreAccess::kExisting); }
  EXPECT_EQ(SqliteDb(old).column_names("strategy_summaries"), expected_summary_columns());
}

TEST_F(SqliteStoreTest, newer_schema_is_refused) {
  { (void)open_result_store(path_.string()); }
  SqliteDb(path_).exec("UPDATE schema_version SET version = 99");
  try {
    (void)open_result_store(path_.string());
    FAIL() << "a newer store was opened";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("newer hashpivot"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(path_.string()), std::string::npos) << e.what();
  }
}

TEST_F(SqliteStoreTest, existing_access_needs_a_store) {
  // A missing file is not created.
  EXPECT_THROW((void)open_result_store(path_.string(), StoreAccess::kExisting), InputError);
  EXPECT_FALSE(fs::exists(path_));
  // A file that is not SQLite.
  std::ofstream(path_) << "id,name\n1,not a database\n";
  try {
    (void)open_result_store(path_.string(), StoreAccess::kExisting);
    FAIL() << "a text file was opened as a store";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("not a database"), std::string::npos) << e.what();
  }
  EXPECT_THROW((void)open_result_store(path_.string(), StoreAccess::kCreate), InputError);
  // An SQLite file of something else, with its own table named runs.
  fs::remove(path_);
  SqliteDb(path_).exec("CREATE TABLE runs (x INTEGER)");
  EXPECT_THROW((void)open_result_store(path_.string(), StoreAccess::kCreate), InputError);
  // A new, empty SQLite file is not a store to read from.
  fs::remove(path_);
  SqliteDb(path_).exec("CREATE TABLE other (x INTEGER)");
  EXPECT_THROW((void)open_result_store(path_.string(), StoreAccess::kExisting), InputError);
}

TEST_F(SqliteStoreTest, created_in_a_missing_folder_is_an_input_error) {
  EXPECT_THROW((void)open_result_store((dir_ / "no" / "such" / "folder" / "x.sqlite").string()), InputError);
}

// --- Locations. ---

TEST(ResultStoreLocation, chooses_the_engine_by_prefix_and_redacts_passwords) {
  EXPECT_TRUE(is_postgres_url("postgresql://u@h/db"));
  EXPECT_TRUE(is_postgres_url("postgres://u@h/db"));
  EXPECT_FALSE(is_postgres_url("hashpivot.sqlite"));
  EXPECT_FALSE(is_postgres_url("./postgresql/x.sqlite"));
  EXPECT_EQ(redact_store_location("postgresql://user:secret@host:5432/db"), "postgresql://user:***@host:5432/db");
  EXPECT_EQ(redact_store_location("postgresql://user@host:5432/db"), "postgresql://user@host:5432/db");
  EXPECT_EQ(redact_store_location("postgresql://host:5432/db"), "postgresql://host:5432/db");
  EXPECT_EQ(redact_store_location("runs:1@x.sqlite"), "runs:1@x.sqlite");
}

TEST(ResultStoreLocation, default_is_hashpivot_db_or_a_file_here) {
  const char* saved = std::getenv("HASHPIVOT_DB");
  const std::string before = saved != nullptr ? saved : "";
  ::unsetenv("HASHPIVOT_DB");
  EXPECT_EQ(default_result_store(), "hashpivot.sqlite");
  ::setenv("HASHPIVOT_DB", "", 1);
  EXPECT_EQ(default_result_store(), "hashpivot.sqlite");
  ::setenv("HASHPIVOT_DB", "/var/lib/runs.sqlite", 1);
  EXPECT_EQ(default_result_store(), "/var/lib/runs.sqlite");
  if (saved != nullptr) ::setenv("HASHPIVOT_DB", before.c_str(), 1);
  else ::unsetenv("HASHPIVOT_DB");
}

TEST(ResultStoreUnits, series_and_fields_name_their_units) {
  EXPECT_EQ(series_unit("btc_price_usd"), "USD per BTC");
  EXPECT_EQ(series_unit("hashprice_usd_per_ph_day"), "USD per PH/s per day");
  EXPECT_EQ(series_unit("btc_held"), "BTC");
  EXPECT_EQ(series_unit("equity_usd"), "USD");
  EXPECT_EQ(series_unit("net_income_usd"), "USD");
  EXPECT_EQ(series_unit("btc_mined"), "BTC");
  EXPECT_EQ(series_unit("something"), "");
}

// --- PostgreSQL, against a server started for the test. ---

long pg_scalar(const std::string& url, const std::string& sql) {
  pqxx::connection connection(url);
  pqxx::nontransaction work(connection);
  return work.exec1(sql)[0].as<long>();
}

std::vector<std::string> pg_columns(const std::string& url, const std::string& table) {
  pqxx::connection connection(url);
  pqxx::nontransaction work(connection);
  std::vector<std::string> names;
  for (const pqxx::row& row : work.exec("SELECT column_name FROM information_schema.columns WHERE table_schema = "
                                        "current_schema() AND table_name = '" + table + "' ORDER BY ordinal_position"))
    names.push_back(row[0].as<std::string>());
  return names;
}

class PostgresStoreTest : public ::testing::Test {
 protected:
  RowCounter counter(const std::string& url) const {
    return [url](const std::string& table) { return pg_scalar(url, "SELECT count(*) FROM " + table); };
  }
  static Opener opener(const std::string& url, StoreAccess access = StoreAccess::kCreate) {
    return [url, access] { return open_result_store(url, access); };
  }
};

TEST_F(PostgresStoreTest, round_trip_keeps_every_field) {
  HASHPIVOT_START_POSTGRES_OR_SKIP(server);
  const std::string url = server->create_database("round_trip");
  EXPECT_EQ(open_result_store(url)->engine_name(), "postgresql");
  check_round_trip(opener(url));
}

TEST_F(PostgresStoreTest, failed_write_midway_leaves_nothing) {
  HASHPIVOT_START_POSTGRES_OR_SKIP(server);
  const std::string url = server->create_database("rollback");
  check_failed_write_leaves_nothing(opener(url), counter(url));
}

TEST_F(PostgresStoreTest, killed_writer_leaves_nothing) {
  HASHPIVOT_START_POSTGRES_OR_SKIP(server);
  const std::string url = server->create_database("killed");
  check_killed_writer_leaves_nothing(opener(url), counter(url));
}

TEST_F(PostgresStoreTest, schema_version_is_stored_and_version_1_migrated) {
  HASHPIVOT_START_POSTGRES_OR_SKIP(server);
  const std::string fresh = server->create_database("fresh");
  EXPECT_EQ(open_result_store(fresh)->schema_version(), kResultSchemaVersion);
  EXPECT_EQ(pg_scalar(fresh, "SELECT version FROM schema_version"), kResultSchemaVersion);

  const std::string old = server->create_database("version_1");
  {
    pqxx::connection connection(old);
    pqxx::work work(connection);
    for (const std::string& sql : kVersion1Schema)
      work.exec(with_id_column(sql, "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"));
    work.commit();
  }
  check_migrated_version_1(opener(old, StoreAccess::kExisting),
                           [&] { return pg_scalar(old, "SELECT version FROM schema_version"); });
}

TEST_F(PostgresStoreTest, version_2_store_is_migrated_with_a_column_per_metric) {
  HASHPIVOT_START_POSTGRES_OR_SKIP(server);
  const std::string fresh = server->create_database("columns");
  { (void)open_result_store(fresh); }
  EXPECT_EQ(pg_columns(fresh, "strategy_summaries"), expected_summary_columns());
  const std::string old = server->create_database("version_2");
  {
    pqxx::connection connection(old);
    pqxx::work work(connection);
    for (const std::string& sql : kVersion1Schema)
      work.exec(with_id_column(sql, "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"));
    // The v1 fixture's run took id 1 from the identity; the v2 run is id 2.
    for (const std::string& sql : version_2_upgrade()) work.exec(sql);
    work.commit();
  }
  check_migrated_version_2(opener(old, StoreAccess::kExisting));
  EXPECT_EQ(pg_columns(old, "strategy_summaries"), expected_summary_columns());
}

TEST_F(PostgresStoreTest, newer_schema_is_refused_and_left_as_it_was) {
  HASHPIVOT_START_POSTGRES_OR_SKIP(server);
  const std::string url = server->create_database("newer");
  { (void)open_result_store(url); }
  {
    pqxx::connection connection(url);
    pqxx::work work(connection);
    work.exec("UPDATE schema_version SET version = 99");
    work.commit();
  }
  try {
    (void)open_result_store(url);
    FAIL() << "a newer store was opened";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("newer hashpivot"), std::string::npos) << e.what();
  }
  EXPECT_EQ(pg_scalar(url, "SELECT version FROM schema_version"), 99) << "the refused store was changed";
}

TEST_F(PostgresStoreTest, unreachable_server_is_an_input_error) {
  // Port 1 on loopback: nothing listens there.
  try {
    (void)open_result_store("postgresql://hashpivot:secret@127.0.0.1:1/none?connect_timeout=5");
    FAIL() << "connected to nothing";
  } catch (const InputError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("cannot connect"), std::string::npos) << what;
    EXPECT_EQ(what.find("secret"), std::string::npos) << "the password is printed: " << what;
  }
}

}  // namespace
}  // namespace hashpivot::io
