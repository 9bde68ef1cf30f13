#pragma once
// The result store: every `hashpivot run` is recorded as one RunRecord, in an embedded SQLite file
// (the default) or in PostgreSQL (a `postgresql://` or `postgres://` URL), with the same schema.
//
// Shape: ResultStore is an abstract class with exactly two implementations, one per engine
// (src/io/sqlite_store.cpp, src/io/postgres_store.cpp). Everything that is the same for both (the
// schema, its migrations, how a record maps to rows and back, the write order) lives in
// ResultStore itself; an implementation only supplies transactions, statements and typed values
// (the protected primitives below). No deeper hierarchy.
//
// Guarantees:
// - save() writes a record in one transaction: a write that fails or is interrupted (an exception,
//   a killed process, a lost connection) leaves no part of the record behind.
// - The schema carries a version (table schema_version). Opening a store created by an older
//   hashpivot migrates it in one transaction; a store written by a newer hashpivot is refused.
// - Unknown values (NaN) are stored as NULL and read back as NaN; ±infinity is stored as such.
//
// Errors: a store that cannot be opened, is not a result store, is newer than this program, or
// has no run with a requested id is an InputError (exit 2, naming the store); anything else that
// fails while reading or writing is a std::runtime_error.
//
// This layer depends on core and on the metric table (sim/metrics.hpp) that names the summary's
// columns; io/run_record.hpp builds a RunRecord from a run's result.

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "hashpivot/sim/metrics.hpp"

namespace hashpivot::io {

/// The schema version of the tables' layout apart from the metric columns. History: 1, the first
/// layout; 2 added runs.threads and runs.market_description; 3 added the metric table's rows of
/// store_version 3 (BTC sold, P(margin call)); 4 those of store_version 4 (running fraction,
/// curtailed MWh, the cash cost per BTC split into energy, fixed hosting and other); 5 those of store_version 5 (slippage, machines bought and sold);
/// 6 added the table run_warnings (the plausibility warnings of a run's inputs); 7 the metric
/// table's rows of store_version 7 (the survivors' net worth: its 5th percentile and CVaR 5%); 8 those
/// of per share, margin posted and refinancings; 9 the SE of the mean NPV without variance reduction;
/// 10 added runs.variance_reduction.
inline constexpr int kResultTablesVersion = 10;
/// The current schema version: a metric row with a later store_version raises it. Opening an
/// older store adds, in one transaction, each later version's tables and metric columns (the
/// runs recorded before have NULL there: unknown).
inline constexpr int kResultSchemaVersion = std::max(kResultTablesVersion, sim::kMetricsStoreVersion);

/// Where a run is recorded when no --db is given: $HASHPIVOT_DB if set and not empty, otherwise
/// "hashpivot.sqlite" in the current directory.
inline constexpr const char* kDefaultResultStoreFile = "hashpivot.sqlite";
[[nodiscard]] std::string default_result_store();

/// True for a PostgreSQL connection URL (postgresql://… or postgres://…), false for a file path.
[[nodiscard]] bool is_postgres_url(std::string_view url_or_path);
/// The store's location fit for messages: a URL's password is replaced by "***".
[[nodiscard]] std::string redact_store_location(const std::string& url_or_path);

/// One row of the runs table: what identifies a run. Times are UTC, ISO 8601 to the millisecond
/// ("2026-02-01T09:30:00.125Z"); start_date is the first simulated day ("YYYY-MM-DD").
struct RunInfo {
  std::int64_t id = 0;             // assigned by the store
  std::string scenario_name;
  std::string scenario_path;       // as given on the command line
  std::uint64_t seed = 0;          // stored as its 64-bit pattern in a signed BIGINT
  std::int64_t paths = 0;          // Monte Carlo paths
  unsigned threads = 0;            // 0: not recorded (written by schema version 1)
  std::string version;             // hashpivot's version
  std::string started_at;
  std::string finished_at;
  std::string start_date;
  int horizon_days = 0;
  /// Whether the mean NPV was estimated with variance reduction (sim::RunOptions::variance_reduction);
  /// std::nullopt for a run recorded before schema version 10, which did not say.
  std::optional<bool> variance_reduction;
};

/// Per strategy, every number `hashpivot run --json` prints at the strategy level: the rows of the
/// metric table (sim/metrics.hpp), in its order, in each row's unit. Probabilities are fractions
/// in [0, 1]; NaN is unknown (e.g. a standard error from one path, or a metric newer than the run's
/// store).
struct StrategySummary {
  std::string strategy;
  sim::MetricValues values = sim::unknown_metric_values();

  /// The value of metric `metric` (an index in sim::kMetrics), e.g.
  /// summary[sim::metric_index("npv_mean_usd")]: a column not in the table does not compile.
  [[nodiscard]] double& operator[](std::size_t metric) { return values[metric]; }
  [[nodiscard]] double operator[](std::size_t metric) const { return values[metric]; }
};

/// Quantiles across paths of one series in one month. `series` names the series with its unit
/// (series_unit() spells the unit out); the numbers are in that unit.
struct MonthlyQuantiles {
  std::optional<std::string> strategy;  // std::nullopt: a market series (same for every strategy)
  std::string month;                    // "YYYY-MM"
  std::string series;
  double p5 = 0, p25 = 0, p50 = 0, p75 = 0, p95 = 0, mean = 0;
};

/// The mean over paths of one monthly account (a month's sum of daily flows) of one strategy.
struct MonthlyAccount {
  std::string strategy;
  std::string month;
  std::string field;  // e.g. "mining_revenue_usd", "btc_mined" (BTC)
  double mean = 0;
};

/// How many paths defaulted in a month, per strategy (the default-time distribution; divide by
/// RunInfo::paths for a probability).
struct DefaultMonth {
  std::string strategy;
  std::string month;
  std::int64_t paths_defaulted = 0;
};

/// Everything recorded about one run. Row vectors keep the order they were written in.
struct RunRecord {
  RunInfo run;
  std::string scenario_text;                    // the scenario file as read, byte for byte
  std::vector<std::string> market_description;  // the lines `hashpivot run` prints about the market
  std::vector<StrategySummary> strategies;      // in the scenario's order; the first is the baseline
  std::vector<MonthlyQuantiles> monthly_quantiles;
  std::vector<MonthlyAccount> monthly_accounts;
  std::vector<DefaultMonth> default_months;
  /// The plausibility warnings of the run's inputs, "file:line: key: problem" (core/plausibility.hpp),
  /// in the order printed; empty for a run without any, and for runs recorded before schema version 6.
  std::vector<std::string> warnings;
};

/// A run as `runs list` shows it: its row and its strategies' names in order.
struct RunListing {
  RunInfo run;
  std::vector<std::string> strategies;
};

/// The unit of a series or account field name, spelled out ("USD", "BTC", "USD per PH/s per day",
/// "T (10^12 hashes per difficulty-1 share)", …); "" when unknown.
[[nodiscard]] std::string series_unit(std::string_view name);

/// Whether opening may create a new, empty store.
enum class StoreAccess {
  kCreate,    // create the file / the tables when missing (`hashpivot run`)
  kExisting,  // the store must already exist (`hashpivot runs …`); an older schema is still migrated
};

class ResultStore {
 public:
  virtual ~ResultStore() = default;
  ResultStore(const ResultStore&) = delete;
  ResultStore& operator=(const ResultStore&) = delete;

  /// Writes `record` (its run.id is ignored) in one transaction; returns the new run's id.
  std::int64_t save(const RunRecord& record);
  /// The same, calling `before_commit(id)` inside the transaction once every row is written and
  /// the commit is the only step left: the caller writes what needs the id (the report, to
  /// temporary files) and may still cancel by throwing, which rolls the record back.
  std::int64_t save(const RunRecord& record, const std::function<void(std::int64_t id)>& before_commit);
  /// Deletes run `id` and its rows in one transaction (nothing when there is none): undoes a
  /// save() whose outputs could not be put in place after it committed.
  void remove(std::int64_t id);
  /// Every run, oldest first, without the monthly rows.
  [[nodiscard]] std::vector<RunListing> list();
  /// The whole record of run `id`; std::nullopt when there is none.
  [[nodiscard]] std::optional<RunRecord> load(std::int64_t id);
  /// Like load(), but an unknown id is an InputError that names the store.
  [[nodiscard]] RunRecord load_or_throw(std::int64_t id);
  /// The schema version found in the store (kResultSchemaVersion once opened).
  [[nodiscard]] int schema_version();
  /// The location, password redacted.
  [[nodiscard]] const std::string& location() const { return location_; }
  /// "sqlite" or "postgresql".
  [[nodiscard]] virtual std::string_view engine_name() const = 0;

  /// Tests only: called inside save()'s transaction after each table's rows are written, with the
  /// table's name; a hook that throws (or kills the process) interrupts the write midway.
  std::function<void(std::string_view table)> after_table_written_for_testing;

 protected:
  explicit ResultStore(std::string location) : location_(std::move(location)) {}

  /// A SQL value. NULL is std::monostate.
  using Value = std::variant<std::monostate, std::int64_t, double, std::string>;
  using Row = std::vector<Value>;
  enum class Type { kInteger, kReal, kText };

  /// Brings the schema to kResultSchemaVersion (creating it when `access` allows); implementations
  /// call this once from their factory, after connecting.
  void open_schema(StoreAccess access);

  // --- What an engine supplies. SQL uses $1, $2, … placeholders in ascending order. ---
  /// Runs `body` in one transaction holding the store's write lock from its start; commits when
  /// `body` returns, rolls back (and rethrows) when it throws.
  virtual void write_transaction(const std::function<void()>& body) = 0;
  /// Runs `body` in one read transaction (a consistent snapshot).
  virtual void read_transaction(const std::function<void()>& body) = 0;
  /// Executes one statement that returns no rows.
  virtual void execute(const std::string& sql) = 0;
  /// Runs a statement with parameters and returns its rows, each column read as `types` says.
  virtual std::vector<Row> query(const std::string& sql, const Row& parameters, const std::vector<Type>& types) = 0;
  /// INSERT INTO table (columns) of every row (each as long as columns).
  virtual void insert_rows(std::string_view table, const std::vector<std::string_view>& columns,
                           const std::vector<Row>& rows) = 0;
  /// Whether a table of that name exists (in the current schema).
  virtual bool table_exists(std::string_view table) = 0;
  /// The column type of an auto-assigned 64-bit primary key, the one DDL word that differs.
  [[nodiscard]] virtual std::string_view auto_id_column() const = 0;

 private:
  void open_or_migrate_schema(StoreAccess access);
  [[nodiscard]] int read_schema_version();
  void migrate(int from_version);
  /// The column types of kRunInfoSelect's row, which run_info_from reads.
  [[nodiscard]] static std::vector<Type> run_info_types();
  [[nodiscard]] RunInfo run_info_from(const Row& row);

  std::string location_;
};

/// Opens (kCreate: creating when missing) the SQLite file at `path`.
[[nodiscard]] std::unique_ptr<ResultStore> open_sqlite_store(const std::string& path, StoreAccess access);
/// Connects to PostgreSQL at `url` (any libpq connection string) and uses the current schema
/// (search_path; add ?options=-csearch_path%3Dname to the URL to pick another).
[[nodiscard]] std::unique_ptr<ResultStore> open_postgres_store(const std::string& url, StoreAccess access);
/// PostgreSQL when `url_or_path` starts with postgresql:// or postgres://, SQLite otherwise.
[[nodiscard]] std::unique_ptr<ResultStore> open_result_store(const std::string& url_or_path,
                                                             StoreAccess access = StoreAccess::kCreate);

}  // namespace hashpivot::io
