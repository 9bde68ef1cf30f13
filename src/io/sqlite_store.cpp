// The embedded result store: one SQLite file (rollback journal, so a write that is interrupted is
// rolled back the next time the file is opened).

#include <fmt/format.h>
#include <sqlite3.h>

#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

#include "hashpivot/core/error.hpp"
#include "hashpivot/io/result_store.hpp"

namespace hashpivot::io {
namespace {

constexpr int kBusyTimeoutMs = 10'000;  // wait this long for another process's write to finish

struct StatementDeleter {
  void operator()(sqlite3_stmt* statement) const { sqlite3_finalize(statement); }
};
using Statement = std::unique_ptr<sqlite3_stmt, StatementDeleter>;
struct ConnectionDeleter {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};

/// $1, $2, … (the shared SQL's placeholders) as SQLite's numbered ?1, ?2, …
std::string numbered_placeholders(const std::string& sql) {
  std::string out = sql;
  for (std::size_t i = 0; i + 1 < out.size(); ++i) {
    if (out[i] == '$' && out[i + 1] >= '0' && out[i + 1] <= '9') out[i] = '?';
  }
  return out;
}

/// Failures that say the file cannot be used (bad input: exit 2), as opposed to a failed statement.
bool is_unusable_file(int code) {
  switch (code & 0xff) {
    case SQLITE_CANTOPEN:
    case SQLITE_NOTADB:
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_CORRUPT:
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_AUTH:
      return true;
    default:
      return false;
  }
}

class SqliteStore final : public ResultStore {
 public:
  SqliteStore(const std::string& path, StoreAccess access) : ResultStore(path), path_(path) {
    if (access == StoreAccess::kExisting && !std::filesystem::exists(path))
      throw InputError(path, 0, "", "no result store here (`hashpivot run SCENARIO --db PATH` records runs)");
    const int flags = SQLITE_OPEN_READWRITE | (access == StoreAccess::kCreate ? SQLITE_OPEN_CREATE : 0);
    const int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
    connection_.reset(db_);  // closed by the destructor, or here when the constructor throws
    if (rc != SQLITE_OK) fail(rc, "opening");
    sqlite3_extended_result_codes(db_, 1);
    sqlite3_busy_timeout(db_, kBusyTimeoutMs);
    execute("PRAGMA foreign_keys = ON");
    open_schema(access);
  }

  [[nodiscard]] std::string_view engine_name() const override { return "sqlite"; }

 protected:
  void write_transaction(const std::function<void()>& body) override { transaction("BEGIN IMMEDIATE", body); }
  void read_transaction(const std::function<void()>& body) override { transaction("BEGIN", body); }

  void execute(const std::string& sql) override {
    char* message = nullptr;
    const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message);
    if (rc != SQLITE_OK) {
      const std::string text = message != nullptr ? message : sqlite3_errstr(rc);
      sqlite3_free(message);
      fail(rc, fmt::format("running `{}`", sql), text);
    }
  }

  std::vector<Row> query(const std::string& sql, const Row& parameters, const std::vector<Type>& types) override {
    Statement statement = prepare(sql);
    bind(statement.get(), parameters);
    std::vector<Row> rows;
    for (;;) {
      const int rc = sqlite3_step(statement.get());
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) fail(rc, fmt::format("running `{}`", sql));
      Row row;
      row.reserve(types.size());
      for (std::size_t c = 0; c < types.size(); ++c) row.push_back(column(statement.get(), static_cast<int>(c), types[c]));
      rows.push_back(std::move(row));
    }
    return rows;
  }

  void insert_rows(std::string_view table, const std::vector<std::string_view>& columns,
                   const std::vector<Row>& rows) override {
    if (rows.empty()) return;
    std::string names, placeholders;
    for (std::size_t i = 0; i < columns.size(); ++i) {
      names += fmt::format("{}{}", i > 0 ? ", " : "", columns[i]);
      placeholders += fmt::format("{}?{}", i > 0 ? ", " : "", i + 1);
    }
    const std::string sql = fmt::format("INSERT INTO {} ({}) VALUES ({})", table, names, placeholders);
    Statement statement = prepare(sql);
    for (const Row& row : rows) {
      bind(statement.get(), row);
      const int rc = sqlite3_step(statement.get());
      if (rc != SQLITE_DONE) fail(rc, fmt::format("inserting into {}", table));
      sqlite3_reset(statement.get());
      sqlite3_clear_bindings(statement.get());
    }
  }

  bool table_exists(std::string_view table) override {
    const std::vector<Row> rows = query("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = $1",
                                        {Value{std::string(table)}}, {Type::kInteger});
    return !rows.empty() && std::get<std::int64_t>(rows[0][0]) > 0;
  }

  [[nodiscard]] std::string_view auto_id_column() const override { return "INTEGER PRIMARY KEY AUTOINCREMENT"; }

 private:
  void transaction(const char* begin, const std::function<void()>& body) {
    execute(begin);
    try {
      body();
      execute("COMMIT");
    } catch (...) {
      if (sqlite3_get_autocommit(db_) == 0) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
  }

  Statement prepare(const std::string& sql) {
    const std::string text = numbered_placeholders(sql);
    sqlite3_stmt* raw = nullptr;
    const int rc = sqlite3_prepare_v2(db_, text.c_str(), static_cast<int>(text.size()), &raw, nullptr);
    Statement statement(raw);
    if (rc != SQLITE_OK) fail(rc, fmt::format("preparing `{}`", sql));
    return statement;
  }

  void bind(sqlite3_stmt* statement, const Row& values) {
    for (std::size_t i = 0; i < values.size(); ++i) {
      const int at = static_cast<int>(i) + 1;
      const Value& v = values[i];
      int rc = SQLITE_OK;
      if (std::holds_alternative<std::monostate>(v)) {
        rc = sqlite3_bind_null(statement, at);
      } else if (const auto* integer = std::get_if<std::int64_t>(&v)) {
        rc = sqlite3_bind_int64(statement, at, *integer);
      } else if (const auto* real = std::get_if<double>(&v)) {
        rc = sqlite3_bind_double(statement, at, *real);
      } else {
        const std::string& s = std::get<std::string>(v);
        // A null destructor (SQLITE_STATIC): the row outlives the statement's step.
        rc = sqlite3_bind_text64(statement, at, s.data(), s.size(), nullptr, SQLITE_UTF8);
      }
      if (rc != SQLITE_OK) fail(rc, "binding a value");
    }
  }

  static Value column(sqlite3_stmt* statement, int c, Type type) {
    if (sqlite3_column_type(statement, c) == SQLITE_NULL) return {};
    switch (type) {
      case Type::kInteger: return Value{static_cast<std::int64_t>(sqlite3_column_int64(statement, c))};
      case Type::kReal: return Value{sqlite3_column_double(statement, c)};
      case Type::kText: {
        const unsigned char* bytes = sqlite3_column_text(statement, c);
        const int size = sqlite3_column_bytes(statement, c);
        return Value{std::string(reinterpret_cast<const char*>(bytes), static_cast<std::size_t>(size))};
      }
    }
    return {};
  }

  [[noreturn]] void fail(int rc, const std::string& doing, const std::string& message = {}) const {
    const std::string what = !message.empty() ? message : (db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc));
    if (is_unusable_file(rc)) throw InputError(path_, 0, "", fmt::format("SQLite: {} ({})", what, doing));
    throw std::runtime_error(fmt::format("{}: SQLite: {} ({})", path_, what, doing));
  }

  std::string path_;
  sqlite3* db_ = nullptr;
  std::unique_ptr<sqlite3, ConnectionDeleter> connection_;  // owns db_
};

}  // namespace

std::unique_ptr<ResultStore> open_sqlite_store(const std::string& path, StoreAccess access) {
  return std::make_unique<SqliteStore>(path, access);
}

}  // namespace hashpivot::io
