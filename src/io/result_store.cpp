// What both result-store engines share: the schema and its migrations, the mapping of a RunRecord
// to rows and back, and the order of writes. The engines (sqlite_store.cpp, postgres_store.cpp)
// supply transactions and typed statements.

#include "hashpivot/io/result_store.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cassert>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <map>
#include <stdexcept>
#include <utility>
#include <vector>

#include "hashpivot/core/error.hpp"

namespace hashpivot::io {
namespace {

// --- The schema. The same DDL text for both engines except the auto-assigned id ({id}). ---
// Types are those both engines understand: BIGINT and INTEGER (64-bit in SQLite), DOUBLE PRECISION,
// TEXT. Times are TEXT in ISO 8601 UTC, which sorts as time does in both engines.

// Version 1: the first layout. Tables before strategy_summaries (strategy_summaries_v1()).
constexpr std::array kSchemaV1Before = {
    "CREATE TABLE schema_version (version INTEGER NOT NULL)",
    "CREATE TABLE runs ("
    " id {id},"
    " scenario_name TEXT NOT NULL,"
    " scenario_path TEXT NOT NULL,"
    " scenario_text TEXT NOT NULL,"
    " seed BIGINT NOT NULL,"            // the uint64 seed's bit pattern
    " paths BIGINT NOT NULL,"
    " version TEXT NOT NULL,"           // hashpivot's version
    " started_at TEXT NOT NULL,"        // UTC, 2026-02-01T09:30:00.125Z
    " finished_at TEXT NOT NULL,"
    " start_date TEXT NOT NULL,"        // first simulated day, YYYY-MM-DD
    " horizon_days INTEGER NOT NULL)",
};

// Version 1, after strategy_summaries.
constexpr std::array kSchemaV1After = {
    "CREATE TABLE monthly_quantiles ("
    " run_id BIGINT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,"
    " seq INTEGER NOT NULL,"            // order of the row within the run
    " strategy TEXT,"                   // NULL: a market series
    " month TEXT NOT NULL,"             // YYYY-MM
    " series TEXT NOT NULL,"            // name with its unit: btc_price_usd, difficulty_t, cash_usd, …
    " p5 DOUBLE PRECISION, p25 DOUBLE PRECISION, p50 DOUBLE PRECISION, p75 DOUBLE PRECISION,"
    " p95 DOUBLE PRECISION, mean DOUBLE PRECISION,"
    " PRIMARY KEY (run_id, seq))",
    "CREATE TABLE monthly_accounts ("
    " run_id BIGINT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,"
    " seq INTEGER NOT NULL,"
    " strategy TEXT NOT NULL,"
    " month TEXT NOT NULL,"
    " field TEXT NOT NULL,"             // mining_revenue_usd, btc_mined, …
    " mean DOUBLE PRECISION,"           // over paths, in the field's unit
    " PRIMARY KEY (run_id, strategy, month, field))",
    "CREATE TABLE default_months ("
    " run_id BIGINT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,"
    " seq INTEGER NOT NULL,"
    " strategy TEXT NOT NULL,"
    " month TEXT NOT NULL,"
    " paths_defaulted BIGINT NOT NULL,"
    " PRIMARY KEY (run_id, strategy, month))",
    "CREATE INDEX strategy_summaries_run ON strategy_summaries (run_id, position)",
    "CREATE INDEX monthly_accounts_run ON monthly_accounts (run_id, seq)",
    "CREATE INDEX default_months_run ON default_months (run_id, seq)",
};

// Version 2: the worker threads and the market's description, as `hashpivot run` prints them.
constexpr std::array kSchemaV2 = {
    "ALTER TABLE runs ADD COLUMN threads INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE runs ADD COLUMN market_description TEXT NOT NULL DEFAULT ''",  // lines joined by \n
};

// Version 3 and later: the metric table's columns of that store_version (schema_statements()).

// Version 6: the plausibility warnings of a run's inputs (a run recorded before has none stored).
constexpr std::array kSchemaV6 = {
    "CREATE TABLE run_warnings ("
    " run_id BIGINT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,"
    " seq INTEGER NOT NULL,"            // order in which the run printed them
    " message TEXT NOT NULL,"           // file:line: key: problem
    " PRIMARY KEY (run_id, seq))",
};

// Version 10: whether the run reduced the variance of its mean NPV (1 or 0; NULL in the runs
// recorded before, which cannot say).
constexpr std::array kSchemaV10 = {
    "ALTER TABLE runs ADD COLUMN variance_reduction INTEGER",
};

// The columns save() writes, in the order of its row.
constexpr std::array<std::string_view, 13> kRunColumns = {
    "scenario_name", "scenario_path", "scenario_text", "seed", "paths", "threads", "version",
    "started_at", "finished_at", "start_date", "horizon_days", "variance_reduction", "market_description"};
// The columns a listing reads (no scenario text; run_info_types() gives their types).
constexpr std::string_view kRunInfoSelect =
    "id, scenario_name, scenario_path, seed, paths, threads, version, started_at, finished_at, start_date, "
    "horizon_days, variance_reduction";

// Every metric's column has a schema version that adds it.
static_assert(std::ranges::all_of(sim::kMetrics, [](const sim::Metric& m) {
  return m.store_version >= 1 && m.store_version <= kResultSchemaVersion;
}));

/// strategy_summaries as version 1 created it: its metric columns are the rows of store_version 1.
std::string strategy_summaries_v1() {
  std::string sql =
      "CREATE TABLE strategy_summaries ("
      " run_id BIGINT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,"
      " position INTEGER NOT NULL,"  // order in the scenario; 0 is the baseline of npv_vs_first
      " strategy TEXT NOT NULL,";
  for (const sim::Metric& m : sim::kMetrics)
    if (m.store_version == 1) sql += fmt::format(" {} DOUBLE PRECISION,", m.column);  // in the metric's unit
  return sql + " PRIMARY KEY (run_id, strategy))";
}

/// The statements that bring a store of version − 1 to `version`: that version's tables and
/// columns, then the metric columns it adds (NULL, unknown, in the runs recorded before).
std::vector<std::string> schema_statements(int version) {
  std::vector<std::string> statements;
  const auto add = [&](const auto& list) { statements.insert(statements.end(), list.begin(), list.end()); };
  if (version == 1) {
    add(kSchemaV1Before);
    statements.push_back(strategy_summaries_v1());
    add(kSchemaV1After);
    return statements;
  }
  if (version == 2) add(kSchemaV2);
  if (version == 6) add(kSchemaV6);
  if (version == 10) add(kSchemaV10);
  for (const sim::Metric& m : sim::kMetrics)
    if (m.store_version == version)
      statements.push_back(fmt::format("ALTER TABLE strategy_summaries ADD COLUMN {} DOUBLE PRECISION", m.column));
  return statements;
}

/// "p_default, p_default_se, …": every metric's column, in the table's order.
std::string metric_columns() {
  std::string list;
  for (const sim::Metric& m : sim::kMetrics) list += fmt::format("{}{}", list.empty() ? "" : ", ", m.column);
  return list;
}

constexpr std::array<double MonthlyQuantiles::*, 6> kQuantileMembers = {
    &MonthlyQuantiles::p5,  &MonthlyQuantiles::p25, &MonthlyQuantiles::p50,
    &MonthlyQuantiles::p75, &MonthlyQuantiles::p95, &MonthlyQuantiles::mean};

using Value = std::variant<std::monostate, std::int64_t, double, std::string>;

/// NaN (unknown) is stored as NULL.
Value number(double x) { return std::isnan(x) ? Value{} : Value{x}; }
double number_from(const Value& v) {
  if (const double* x = std::get_if<double>(&v)) return *x;
  if (const std::int64_t* i = std::get_if<std::int64_t>(&v)) return static_cast<double>(*i);
  return std::numeric_limits<double>::quiet_NaN();
}
std::int64_t integer_from(const Value& v) {
  if (const std::int64_t* i = std::get_if<std::int64_t>(&v)) return *i;
  throw std::runtime_error("result store: an integer column holds NULL or a non-integer");
}
std::string text_from(const Value& v) {
  if (const std::string* s = std::get_if<std::string>(&v)) return *s;
  if (std::holds_alternative<std::monostate>(v)) return {};
  throw std::runtime_error("result store: a text column holds a number");
}
Value text(std::string s) { return Value{std::move(s)}; }
Value integer(std::int64_t i) { return Value{i}; }

std::string join_lines(const std::vector<std::string>& lines) {
  std::string joined;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) joined += '\n';
    joined += lines[i];
  }
  return joined;
}
std::vector<std::string> split_lines(const std::string& joined) {
  std::vector<std::string> lines;
  if (joined.empty()) return lines;
  std::size_t begin = 0;
  for (;;) {
    const std::size_t end = joined.find('\n', begin);
    lines.push_back(joined.substr(begin, end == std::string::npos ? std::string::npos : end - begin));
    if (end == std::string::npos) break;
    begin = end + 1;
  }
  return lines;
}

std::string select_list(const auto& columns) {
  std::string list;
  for (const std::string_view column : columns) {
    if (column.empty()) continue;
    if (!list.empty()) list += ", ";
    list += column;
  }
  return list;
}

// A store that opened but whose tables or values are not what hashpivot writes (edited by hand,
// written by another program, damaged) is bad input that names the store, not an internal error.
template <typename Read>
void read_or_throw_input_error(const std::string& location, Read read) {
  try {
    read();
  } catch (const InputError&) {
    throw;
  } catch (const std::runtime_error& e) {
    throw InputError(location, 0, "", fmt::format("cannot read this result store: {}", e.what()));
  }
}

}  // namespace

std::string default_result_store() {
  const char* env = std::getenv("HASHPIVOT_DB");
  if (env != nullptr && *env != '\0') return env;
  return kDefaultResultStoreFile;
}

bool is_postgres_url(std::string_view url_or_path) {
  return url_or_path.starts_with("postgresql://") || url_or_path.starts_with("postgres://");
}

std::string redact_store_location(const std::string& url_or_path) {
  if (!is_postgres_url(url_or_path)) return url_or_path;
  const std::size_t scheme_end = url_or_path.find("://") + 3;
  const std::size_t at = url_or_path.find('@', scheme_end);
  const std::size_t slash = url_or_path.find('/', scheme_end);
  if (at == std::string::npos || (slash != std::string::npos && slash < at)) return url_or_path;
  const std::size_t colon = url_or_path.find(':', scheme_end);
  if (colon == std::string::npos || colon > at) return url_or_path;
  return url_or_path.substr(0, colon + 1) + "***" + url_or_path.substr(at);
}

std::string series_unit(std::string_view name) {
  static const std::map<std::string_view, std::string_view> kKnown = {
      {"btc_price_usd", "USD per BTC"},
      {"hashprice_usd_per_ph_day", "USD per PH/s per day"},
      {"difficulty_t", "T (10^12 difficulty)"},
      {"fees_btc_per_block", "BTC per block"},
      {"cash_usd", "USD"},
      {"btc_held", "BTC"},
      {"debt_usd", "USD"},
      {"equity_usd", "USD"},
      {"btc_mined", "BTC"},
      {"btc_sold", "BTC"},
      {"btc_sold_forced", "BTC"},
      {"btc_liquidated", "BTC"},
  };
  if (const auto it = kKnown.find(name); it != kKnown.end()) return std::string(it->second);
  if (name.ends_with("_usd")) return "USD";
  if (name.ends_with("_btc")) return "BTC";
  return "";
}

std::unique_ptr<ResultStore> open_result_store(const std::string& url_or_path, StoreAccess access) {
  if (is_postgres_url(url_or_path)) return open_postgres_store(url_or_path, access);
  return open_sqlite_store(url_or_path, access);
}

// --- Schema versions and migrations. ---

int ResultStore::read_schema_version() {
  if (!table_exists("schema_version")) return 0;
  const std::vector<Row> rows = query("SELECT max(version) FROM schema_version", {}, {Type::kInteger});
  if (rows.empty() || std::holds_alternative<std::monostate>(rows[0][0])) return 0;
  return static_cast<int>(integer_from(rows[0][0]));
}

void ResultStore::migrate(int from_version) {
  for (int version = from_version + 1; version <= kResultSchemaVersion; ++version) {
    for (std::string sql : schema_statements(version)) {
      if (const std::size_t at = sql.find("{id}"); at != std::string::npos) sql.replace(at, 4, auto_id_column());
      execute(sql);
    }
  }
  execute("DELETE FROM schema_version");
  execute(fmt::format("INSERT INTO schema_version (version) VALUES ({})", kResultSchemaVersion));
}

void ResultStore::open_schema(StoreAccess access) {
  read_or_throw_input_error(location_, [&] { open_or_migrate_schema(access); });
}

void ResultStore::open_or_migrate_schema(StoreAccess access) {
  int found = 0;
  bool has_runs = false;
  read_transaction([&] {
    found = read_schema_version();
    has_runs = found == 0 && table_exists("runs");
  });
  auto check = [&](int version, bool runs_without_version) {
    if (version > kResultSchemaVersion)
      throw InputError(location_, 0, "schema_version",
                       fmt::format("the store has schema version {}, written by a newer hashpivot; this one reads "
                                   "versions up to {}",
                                   version, kResultSchemaVersion));
    if (runs_without_version)
      throw InputError(location_, 0, "",
                       "has a table named runs but no schema_version table: not a hashpivot result store");
    if (version == 0 && access == StoreAccess::kExisting)
      throw InputError(location_, 0, "", "not a hashpivot result store (no runs recorded here yet)");
  };
  check(found, has_runs);
  if (found == kResultSchemaVersion) return;
  // Create or migrate under the write lock, checking again: another process may have done it.
  write_transaction([&] {
    const int version = read_schema_version();
    check(version, version == 0 && table_exists("runs"));
    if (version < kResultSchemaVersion) migrate(version);
  });
}

int ResultStore::schema_version() {
  int version = 0;
  read_transaction([&] { version = read_schema_version(); });
  return version;
}

// --- Writing a record. ---

std::int64_t ResultStore::save(const RunRecord& record) { return save(record, {}); }

void ResultStore::remove(std::int64_t id) {
  // The other tables' rows go with it (ON DELETE CASCADE); deleted explicitly as well, so a store
  // whose connection does not enforce foreign keys is cleaned up the same.
  write_transaction([&] {
    const Row key = {Value{id}};
    for (const char* table : {"strategy_summaries", "monthly_quantiles", "monthly_accounts", "default_months", "run_warnings"})
      query(fmt::format("DELETE FROM {} WHERE run_id = $1", table), key, {});
    query("DELETE FROM runs WHERE id = $1", key, {});
  });
}

std::int64_t ResultStore::save(const RunRecord& record, const std::function<void(std::int64_t id)>& before_commit) {
  const RunInfo& info = record.run;
  std::int64_t id = 0;
  auto written = [&](std::string_view table) {
    if (after_table_written_for_testing) after_table_written_for_testing(table);
  };
  write_transaction([&] {
    const Row run_row = {text(info.scenario_name),
                         text(info.scenario_path),
                         text(record.scenario_text),
                         integer(static_cast<std::int64_t>(info.seed)),
                         integer(info.paths),
                         integer(info.threads),
                         text(info.version),
                         text(info.started_at),
                         text(info.finished_at),
                         text(info.start_date),
                         integer(info.horizon_days),
                         info.variance_reduction ? integer(*info.variance_reduction ? 1 : 0) : Value{},
                         text(join_lines(record.market_description))};
    assert(run_row.size() == kRunColumns.size());
    std::string placeholders;
    for (std::size_t i = 1; i <= run_row.size(); ++i) placeholders += fmt::format("{}${}", i > 1 ? ", " : "", i);
    const std::vector<Row> ids = query(
        fmt::format("INSERT INTO runs ({}) VALUES ({}) RETURNING id",
                    select_list(kRunColumns), placeholders),
        run_row, {Type::kInteger});
    if (ids.size() != 1) throw std::runtime_error("result store: inserting a run returned no id");
    id = integer_from(ids[0][0]);
    written("runs");

    std::vector<std::string_view> columns = {"run_id", "position", "strategy"};
    for (const sim::Metric& m : sim::kMetrics) columns.push_back(m.column);
    std::vector<Row> rows;
    rows.reserve(record.strategies.size());
    for (std::size_t k = 0; k < record.strategies.size(); ++k) {
      const StrategySummary& s = record.strategies[k];
      Row row = {integer(id), integer(static_cast<std::int64_t>(k)), text(s.strategy)};
      for (const double value : s.values) row.push_back(number(value));
      rows.push_back(std::move(row));
    }
    insert_rows("strategy_summaries", columns, rows);
    written("strategy_summaries");

    rows.clear();
    rows.reserve(record.monthly_quantiles.size());
    for (std::size_t i = 0; i < record.monthly_quantiles.size(); ++i) {
      const MonthlyQuantiles& q = record.monthly_quantiles[i];
      Row row = {integer(id), integer(static_cast<std::int64_t>(i)), q.strategy ? text(*q.strategy) : Value{},
                 text(q.month), text(q.series)};
      for (const auto member : kQuantileMembers) row.push_back(number(q.*member));
      rows.push_back(std::move(row));
    }
    insert_rows("monthly_quantiles",
                {"run_id", "seq", "strategy", "month", "series", "p5", "p25", "p50", "p75", "p95", "mean"}, rows);
    written("monthly_quantiles");

    rows.clear();
    rows.reserve(record.monthly_accounts.size());
    for (std::size_t i = 0; i < record.monthly_accounts.size(); ++i) {
      const MonthlyAccount& a = record.monthly_accounts[i];
      rows.push_back({integer(id), integer(static_cast<std::int64_t>(i)), text(a.strategy), text(a.month),
                      text(a.field), number(a.mean)});
    }
    insert_rows("monthly_accounts", {"run_id", "seq", "strategy", "month", "field", "mean"}, rows);
    written("monthly_accounts");

    rows.clear();
    rows.reserve(record.default_months.size());
    for (std::size_t i = 0; i < record.default_months.size(); ++i) {
      const DefaultMonth& d = record.default_months[i];
      rows.push_back({integer(id), integer(static_cast<std::int64_t>(i)), text(d.strategy), text(d.month),
                      integer(d.paths_defaulted)});
    }
    insert_rows("default_months", {"run_id", "seq", "strategy", "month", "paths_defaulted"}, rows);
    written("default_months");

    rows.clear();
    for (std::size_t i = 0; i < record.warnings.size(); ++i)
      rows.push_back({integer(id), integer(static_cast<std::int64_t>(i)), text(record.warnings[i])});
    insert_rows("run_warnings", {"run_id", "seq", "message"}, rows);
    written("run_warnings");
    if (before_commit) before_commit(id);
  });
  return id;
}

// --- Reading. ---

std::vector<ResultStore::Type> ResultStore::run_info_types() {
  using T = Type;
  return {T::kInteger, T::kText, T::kText, T::kInteger, T::kInteger, T::kInteger,
          T::kText,    T::kText, T::kText, T::kText,    T::kInteger, T::kInteger};
}

RunInfo ResultStore::run_info_from(const Row& row) {
  RunInfo info;
  info.id = integer_from(row[0]);
  info.scenario_name = text_from(row[1]);
  info.scenario_path = text_from(row[2]);
  info.seed = static_cast<std::uint64_t>(integer_from(row[3]));
  info.paths = integer_from(row[4]);
  info.threads = static_cast<unsigned>(integer_from(row[5]));
  info.version = text_from(row[6]);
  info.started_at = text_from(row[7]);
  info.finished_at = text_from(row[8]);
  info.start_date = text_from(row[9]);
  info.horizon_days = static_cast<int>(integer_from(row[10]));
  if (const std::int64_t* flag = std::get_if<std::int64_t>(&row[11])) info.variance_reduction = *flag != 0;
  return info;
}

std::vector<RunListing> ResultStore::list() {
  using T = Type;
  const std::vector<Type> info_types = run_info_types();
  std::vector<RunListing> listings;
  read_or_throw_input_error(location_, [&] { read_transaction([&] {
    listings.clear();
    const std::vector<Row> runs =
        query(fmt::format("SELECT {} FROM runs ORDER BY id", kRunInfoSelect), {}, info_types);
    std::map<std::int64_t, std::size_t> index;
    for (const Row& row : runs) {
      index[integer_from(row[0])] = listings.size();
      listings.push_back({run_info_from(row), {}});
    }
    const std::vector<Row> names =
        query("SELECT run_id, strategy FROM strategy_summaries ORDER BY run_id, position", {}, {T::kInteger, T::kText});
    for (const Row& row : names) {
      if (const auto it = index.find(integer_from(row[0])); it != index.end())
        listings[it->second].strategies.push_back(text_from(row[1]));
    }
  }); });
  return listings;
}

std::optional<RunRecord> ResultStore::load(std::int64_t id) {
  using T = Type;
  std::optional<RunRecord> found;
  read_or_throw_input_error(location_, [&] { read_transaction([&] {
    found.reset();
    const Row key = {Value{id}};
    std::vector<Type> run_types = run_info_types();
    const std::size_t info_columns = run_types.size();
    run_types.insert(run_types.end(), {T::kText, T::kText});
    const std::vector<Row> runs =
        query(fmt::format("SELECT {}, scenario_text, market_description FROM runs WHERE id = $1", kRunInfoSelect), key,
              run_types);
    if (runs.empty()) return;
    RunRecord record;
    record.run = run_info_from(runs[0]);
    record.scenario_text = text_from(runs[0][info_columns]);
    record.market_description = split_lines(text_from(runs[0][info_columns + 1]));

    std::vector<Type> types = {T::kText};
    types.insert(types.end(), sim::kMetricCount, T::kReal);
    for (const Row& row : query(fmt::format("SELECT strategy, {} FROM strategy_summaries WHERE run_id = $1 "
                                            "ORDER BY position",
                                            metric_columns()),
                                key, types)) {
      StrategySummary s;
      s.strategy = text_from(row[0]);
      for (std::size_t i = 0; i < sim::kMetricCount; ++i) s.values[i] = number_from(row[i + 1]);
      record.strategies.push_back(std::move(s));
    }

    for (const Row& row : query("SELECT strategy, month, series, p5, p25, p50, p75, p95, mean FROM monthly_quantiles "
                                "WHERE run_id = $1 ORDER BY seq",
                                key, {T::kText, T::kText, T::kText, T::kReal, T::kReal, T::kReal, T::kReal, T::kReal,
                                      T::kReal})) {
      MonthlyQuantiles q;
      if (!std::holds_alternative<std::monostate>(row[0])) q.strategy = text_from(row[0]);
      q.month = text_from(row[1]);
      q.series = text_from(row[2]);
      for (std::size_t i = 0; i < kQuantileMembers.size(); ++i) q.*kQuantileMembers[i] = number_from(row[i + 3]);
      record.monthly_quantiles.push_back(std::move(q));
    }

    for (const Row& row : query("SELECT strategy, month, field, mean FROM monthly_accounts WHERE run_id = $1 "
                                "ORDER BY seq",
                                key, {T::kText, T::kText, T::kText, T::kReal})) {
      record.monthly_accounts.push_back({text_from(row[0]), text_from(row[1]), text_from(row[2]), number_from(row[3])});
    }

    for (const Row& row : query("SELECT strategy, month, paths_defaulted FROM default_months WHERE run_id = $1 "
                                "ORDER BY seq",
                                key, {T::kText, T::kText, T::kInteger})) {
      record.default_months.push_back({text_from(row[0]), text_from(row[1]), integer_from(row[2])});
    }

    for (const Row& row : query("SELECT message FROM run_warnings WHERE run_id = $1 ORDER BY seq", key, {T::kText}))
      record.warnings.push_back(text_from(row[0]));
    found = std::move(record);
  }); });
  return found;
}

namespace {

/// The ids of `runs` as ranges: "1\u20133, 5, 8\u20139"; runs are listed oldest (smallest id) first.
std::string id_ranges(const std::vector<RunListing>& runs) {
  std::vector<std::string> parts;
  for (std::size_t i = 0; i < runs.size();) {
    std::size_t j = i;
    while (j + 1 < runs.size() && runs[j + 1].run.id == runs[j].run.id + 1) ++j;
    parts.push_back(i == j ? fmt::format("{}", runs[i].run.id)
                           : fmt::format("{}\u2013{}", runs[i].run.id, runs[j].run.id));
    i = j + 1;
  }
  return fmt::format("{}", fmt::join(parts, ", "));
}

}  // namespace

RunRecord ResultStore::load_or_throw(std::int64_t id) {
  std::optional<RunRecord> record = load(id);
  if (!record) {
    const std::vector<RunListing> runs = list();
    throw InputError(location_, 0, "ID",
                     runs.empty() ? fmt::format("no run {}: this store holds no runs yet", id)
                                  : fmt::format("no run {} in this store (it holds run{} {})", id,
                                                runs.size() == 1 ? "" : "s", id_ranges(runs)));
  }
  return std::move(*record);
}

}  // namespace hashpivot::io
