// Seeds for the result_store fuzz target (scripts/fuzz.sh runs this at fuzz time; nothing generated
// is committed).
//
// Usage: make_store_seeds OUT_DIR [STORE.sqlite ...]
// Writes OUT_DIR/synthetic.sqlite, a store holding two runs whose records fill every table (NaN
// and infinite values, a market series without a strategy), and its SQL dump OUT_DIR/synthetic.sql
// that rebuilds it on an empty database. For each STORE given (e.g. one `hashpivot run --paths 1`
// recorded), OUT_DIR/NAME.sql and OUT_DIR/NAME.sqlite: the store cut to its first rows of each table,
// so that seeds stay small (a real run's monthly rows take most of a megabyte).

#include <fmt/format.h>
#include <sqlite3.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "hashpivot/io/result_store.hpp"
#include "hashpivot/sim/metrics.hpp"

namespace {

using namespace hashpivot::io;

RunRecord synthetic_record(int variant) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  RunRecord r;
  r.run.scenario_name = "fuzz seed";
  r.run.scenario_path = "scenarios/seed.toml";
  r.run.seed = 42u + static_cast<unsigned>(variant);
  r.run.paths = 3;
  r.run.threads = 2;
  r.run.version = "0.1.0";
  r.run.started_at = "2026-02-01T09:30:00.125Z";
  r.run.finished_at = "2026-02-01T09:30:01.500Z";
  r.run.start_date = "2026-02-01";
  r.run.horizon_days = 730;
  r.scenario_text = "[scenario]\nname = \"fuzz seed\"\n";
  r.market_description = {"BTC price: GBM", "Fees: log-OU"};
  StrategySummary hold;
  hold.strategy = "hold";
  hold[hashpivot::sim::metric_index("p_default")] = 0.25;
  hold[hashpivot::sim::metric_index("npv_mean_usd")] = 1.5e7;
  hold[hashpivot::sim::metric_index("npv_se_usd")] = nan;
  hold[hashpivot::sim::metric_index("npv_vs_first_ci95_high_usd")] = inf;
  StrategySummary sell = hold;
  sell.strategy = "sell";
  sell[hashpivot::sim::metric_index("npv_vs_first_ci95_low_usd")] = -inf;
  r.strategies = {hold, sell};
  r.monthly_quantiles = {{std::nullopt, "2026-02", "btc_price_usd", 1, 2, 3, 4, 5, 3},
                         {"hold", "2026-02", "cash_usd", nan, 0, 1, 2, 3, 1}};
  r.monthly_accounts = {{"hold", "2026-02", "mining_revenue_usd", 1e6}, {"sell", "2026-02", "btc_mined", nan}};
  r.default_months = {{"hold", "2026-03", 1}};
  return r;
}

std::string quoted_value(sqlite3_stmt* statement, int column) {
  switch (sqlite3_column_type(statement, column)) {
    case SQLITE_NULL: return "NULL";
    case SQLITE_INTEGER: return std::to_string(sqlite3_column_int64(statement, column));
    case SQLITE_FLOAT: {
      const double x = sqlite3_column_double(statement, column);
      if (x == std::numeric_limits<double>::infinity()) return "9e999";
      if (x == -std::numeric_limits<double>::infinity()) return "-9e999";
      return fmt::format("{:.17g}", x);
    }
    case SQLITE_BLOB: {
      const auto* bytes = static_cast<const unsigned char*>(sqlite3_column_blob(statement, column));
      std::string hex = "X'";
      for (int i = 0; i < sqlite3_column_bytes(statement, column); ++i) hex += fmt::format("{:02x}", bytes[i]);
      return hex + "'";
    }
    default: {
      const std::string text(reinterpret_cast<const char*>(sqlite3_column_text(statement, column)),
                             static_cast<std::size_t>(sqlite3_column_bytes(statement, column)));
      std::string out = "'";
      for (const char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
      return out + "'";
    }
  }
}

sqlite3_stmt* prepare(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) != SQLITE_OK)
    throw std::runtime_error(fmt::format("preparing {}: {}", sql, sqlite3_errmsg(db)));
  return statement;
}

constexpr int kRowsPerTableOfARealStore = 40;

// The schema (tables first, then indexes and triggers) and up to `max_rows` rows of each table, in
// one transaction.
std::string dump(const std::string& path, int max_rows) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK)
    throw std::runtime_error("cannot open " + path);
  std::string out = "BEGIN;\n";
  std::vector<std::string> tables;
  sqlite3_stmt* schema = prepare(db,
                                 "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE "
                                 "'sqlite_%' ORDER BY type = 'table' DESC, rowid");
  while (sqlite3_step(schema) == SQLITE_ROW) {
    const std::string type = reinterpret_cast<const char*>(sqlite3_column_text(schema, 0));
    out += fmt::format("{};\n", reinterpret_cast<const char*>(sqlite3_column_text(schema, 2)));
    if (type == "table") tables.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(schema, 1)));
  }
  sqlite3_finalize(schema);
  for (const std::string& table : tables) {
    sqlite3_stmt* rows = prepare(db, fmt::format("SELECT * FROM \"{}\" LIMIT {}", table, max_rows));
    while (sqlite3_step(rows) == SQLITE_ROW) {
      std::string values;
      for (int c = 0; c < sqlite3_column_count(rows); ++c) values += (c > 0 ? "," : "") + quoted_value(rows, c);
      out += fmt::format("INSERT INTO \"{}\" VALUES({});\n", table, values);
    }
    sqlite3_finalize(rows);
  }
  sqlite3_close_v2(db);
  return out + "COMMIT;\n";
}

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

void build_from_sql(const std::filesystem::path& path, const std::string& sql) {
  std::filesystem::remove(path);
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.string().c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  char* message = nullptr;
  if (rc != SQLITE_OK || sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    const std::string what = message != nullptr ? message : sqlite3_errmsg(db);
    sqlite3_free(message);
    sqlite3_close_v2(db);
    throw std::runtime_error(fmt::format("rebuilding {}: {}", path.string(), what));
  }
  sqlite3_close_v2(db);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: make_store_seeds OUT_DIR [STORE.sqlite ...]\n");
    return 2;
  }
  try {
    const std::filesystem::path out_dir = argv[1];
    std::filesystem::create_directories(out_dir);
    const std::string synthetic = (out_dir / "synthetic.sqlite").string();
    std::filesystem::remove(synthetic);
    {
      const auto store = open_result_store(synthetic, StoreAccess::kCreate);
      (void)store->save(synthetic_record(0));
      (void)store->save(synthetic_record(1));
    }
    write_file(out_dir / "synthetic.sql", dump(synthetic, std::numeric_limits<int>::max()));
    for (int i = 2; i < argc; ++i) {
      const std::string name = std::filesystem::path(argv[i]).stem().string();
      const std::string sql = dump(argv[i], kRowsPerTableOfARealStore);
      write_file(out_dir / (name + ".sql"), sql);
      build_from_sql(out_dir / (name + ".sqlite"), sql);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "make_store_seeds: %s\n", e.what());
    return 1;
  }
  return 0;
}
