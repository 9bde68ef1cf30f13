// The shared result store: PostgreSQL through libpqxx, with the same schema as the SQLite file.
// Every write runs in one transaction under a transaction-scoped advisory lock (one writer at a
// time, as in SQLite), so a failed or interrupted write (an exception, a dropped connection, a
// killed client) is rolled back by the server.

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <limits>
#include <memory>
#include <pqxx/pqxx>
#include <stdexcept>
#include <string>
#include <system_error>

#include "hashpivot/core/error.hpp"
#include "hashpivot/io/result_store.hpp"

namespace hashpivot::io {
namespace {

// The advisory lock that serialises hashpivot's writers to one database ("hashpivot" in ASCII, truncated).
constexpr std::int64_t kWriteLock = 0x6861736870697674;
// Rows per INSERT statement; also kept under PostgreSQL's 65,535 parameters per statement.
constexpr std::size_t kRowsPerInsert = 500;
constexpr std::size_t kMaxParameters = 60'000;

/// libpq's messages end with a newline.
std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

/// A double as PostgreSQL reads it back exactly (shortest round-trip digits).
std::string float8_text(double x) {
  if (std::isnan(x)) return "NaN";
  if (std::isinf(x)) return x > 0 ? "Infinity" : "-Infinity";
  return fmt::format("{}", x);
}

double parse_float8(const char* text, std::size_t size) {
  const std::string_view s(text, size);
  if (s == "NaN") return std::numeric_limits<double>::quiet_NaN();
  if (s == "Infinity") return std::numeric_limits<double>::infinity();
  if (s == "-Infinity") return -std::numeric_limits<double>::infinity();
  double value = 0;
  const auto [end, error] = std::from_chars(text, text + size, value);
  if (error != std::errc{} || end != text + size)
    throw std::runtime_error(fmt::format("result store: PostgreSQL returned `{}` for a number", s));
  return value;
}

std::int64_t parse_int8(const char* text, std::size_t size) {
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text, text + size, value);
  if (error != std::errc{} || end != text + size)
    throw std::runtime_error(fmt::format("result store: PostgreSQL returned `{}` for an integer", std::string_view(text, size)));
  return value;
}

class PostgresStore final : public ResultStore {
 public:
  PostgresStore(const std::string& url, StoreAccess access) : ResultStore(redact_store_location(url)) {
    try {
      connection_ = std::make_unique<pqxx::connection>(url);
    } catch (const pqxx::broken_connection& e) {
      throw InputError(location(), 0, "", fmt::format("PostgreSQL: cannot connect: {}", trimmed(e.what())));
    } catch (const pqxx::failure& e) {
      throw InputError(location(), 0, "", fmt::format("PostgreSQL: {}", trimmed(e.what())));
    }
    open_schema(access);
  }

  [[nodiscard]] std::string_view engine_name() const override { return "postgresql"; }

 protected:
  void write_transaction(const std::function<void()>& body) override {
    guarded([&] {
      pqxx::work work(*connection_);
      Current current(work_, work);
      work.exec(fmt::format("SELECT pg_advisory_xact_lock({})", kWriteLock));
      body();
      work.commit();
    });
  }

  void read_transaction(const std::function<void()>& body) override {
    guarded([&] {
      // Repeatable read: every query of the body sees the same snapshot.
      pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> read(*connection_);
      Current current(work_, read);
      body();
      read.commit();
    });
  }

  void execute(const std::string& sql) override { transaction().exec(sql); }

  std::vector<Row> query(const std::string& sql, const Row& parameters, const std::vector<Type>& types) override {
    const pqxx::result result = run(sql, parameters);
    std::vector<Row> rows;
    rows.reserve(result.size());
    for (const pqxx::row& r : result) {
      Row row;
      row.reserve(types.size());
      for (std::size_t c = 0; c < types.size(); ++c) {
        const pqxx::field f = r[static_cast<pqxx::row::size_type>(c)];
        if (f.is_null()) {
          row.emplace_back();
          continue;
        }
        switch (types[c]) {
          case Type::kInteger: row.emplace_back(parse_int8(f.c_str(), f.size())); break;
          case Type::kReal: row.emplace_back(parse_float8(f.c_str(), f.size())); break;
          case Type::kText: row.emplace_back(std::string(f.c_str(), f.size())); break;
        }
      }
      rows.push_back(std::move(row));
    }
    return rows;
  }

  void insert_rows(std::string_view table, const std::vector<std::string_view>& columns,
                   const std::vector<Row>& rows) override {
    std::string names;
    for (std::size_t i = 0; i < columns.size(); ++i) names += fmt::format("{}{}", i > 0 ? ", " : "", columns[i]);
    const std::size_t per_statement = std::max<std::size_t>(1, std::min(kRowsPerInsert, kMaxParameters / columns.size()));
    for (std::size_t first = 0; first < rows.size(); first += per_statement) {
      const std::size_t last = std::min(rows.size(), first + per_statement);
      std::string sql = fmt::format("INSERT INTO {} ({}) VALUES ", table, names);
      Row parameters;
      parameters.reserve((last - first) * columns.size());
      for (std::size_t r = first; r < last; ++r) {
        sql += r > first ? ", (" : "(";
        for (std::size_t c = 0; c < columns.size(); ++c) {
          parameters.push_back(rows[r][c]);
          sql += fmt::format("{}${}", c > 0 ? ", " : "", parameters.size());
        }
        sql += ')';
      }
      run(sql, parameters);
    }
  }

  bool table_exists(std::string_view table) override {
    const std::vector<Row> rows = query(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = $1",
        {Value{std::string(table)}}, {Type::kInteger});
    return !rows.empty() && std::get<std::int64_t>(rows[0][0]) > 0;
  }

  [[nodiscard]] std::string_view auto_id_column() const override {
    return "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY";
  }

 private:
  /// Points work_ at the open transaction for the lifetime of a transaction's body.
  class Current {
   public:
    Current(pqxx::transaction_base*& slot, pqxx::transaction_base& transaction) : slot_(slot) { slot_ = &transaction; }
    ~Current() { slot_ = nullptr; }
    Current(const Current&) = delete;
    Current& operator=(const Current&) = delete;

   private:
    pqxx::transaction_base*& slot_;
  };

  pqxx::transaction_base& transaction() {
    if (work_ == nullptr) throw std::logic_error("result store: a PostgreSQL statement outside a transaction");
    return *work_;
  }

  pqxx::result run(const std::string& sql, const Row& parameters) {
    std::vector<std::string> texts;
    texts.reserve(parameters.size());
    for (const Value& v : parameters) {
      if (const auto* integer = std::get_if<std::int64_t>(&v)) {
        texts.push_back(fmt::format("{}", *integer));
      } else if (const auto* real = std::get_if<double>(&v)) {
        texts.push_back(float8_text(*real));
      } else if (const auto* s = std::get_if<std::string>(&v)) {
        texts.push_back(*s);
      } else {
        texts.emplace_back();
      }
    }
    std::vector<const char*> pointers;
    pointers.reserve(parameters.size());
    for (std::size_t i = 0; i < parameters.size(); ++i)
      pointers.push_back(std::holds_alternative<std::monostate>(parameters[i]) ? nullptr : texts[i].c_str());
    return transaction().exec_params(sql, pqxx::prepare::make_dynamic_params(pointers));
  }

  /// Runs a transaction, turning libpqxx's errors into the store's: a lost connection is an
  /// InputError (the store cannot be used), a failed statement a runtime_error.
  void guarded(const std::function<void()>& transaction_body) {
    try {
      transaction_body();
    } catch (const pqxx::broken_connection& e) {
      throw InputError(location(), 0, "", fmt::format("PostgreSQL: connection lost: {}", trimmed(e.what())));
    } catch (const pqxx::sql_error& e) {
      throw std::runtime_error(
          fmt::format("{}: PostgreSQL: {} (SQLSTATE {})", location(), trimmed(e.what()), e.sqlstate()));
    } catch (const pqxx::in_doubt_error& e) {
      throw std::runtime_error(
          fmt::format("{}: PostgreSQL: the connection broke while committing; the run may or may not be recorded: {}",
                      location(), trimmed(e.what())));
    }
  }

  std::unique_ptr<pqxx::connection> connection_;
  pqxx::transaction_base* work_ = nullptr;  // the open transaction, if any
};

}  // namespace

std::unique_ptr<ResultStore> open_postgres_store(const std::string& url, StoreAccess access) {
  return std::make_unique<PostgresStore>(url, access);
}

}  // namespace hashpivot::io
