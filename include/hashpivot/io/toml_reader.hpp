#pragma once
// Reading TOML input (scenario files) with validation that names the file, line and full key of
// every problem: a missing field, a wrong type, a value out of range, or a key nobody reads
// (a misspelling must not be silently ignored).
//
// Usage: wrap a table, read each field with require/optional, then call finish(): it throws for
// the first key that was never read.

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <toml++/toml.h>

#include "hashpivot/core/date.hpp"

namespace hashpivot::io {

/// A bound on a number: inclusive or exclusive lower and upper limits, described in errors.
struct Range {
  std::optional<double> min;
  std::optional<double> max;
  bool min_exclusive = false;
  bool max_exclusive = false;

  static Range positive() { return {0.0, std::nullopt, true, false}; }
  static Range non_negative() { return {0.0, std::nullopt, false, false}; }
  static Range fraction() { return {0.0, 1.0, false, false}; }  // [0, 1]
  static Range any() { return {}; }
  [[nodiscard]] bool contains(double value) const;
  [[nodiscard]] std::string describe() const;
};

class TableReader {
 public:
  /// `source` names the file in messages; `path` is the dotted key of this table ("" at the root).
  TableReader(const toml::table& table, std::string source, std::string path);

  [[nodiscard]] double require_number(const std::string& key, Range range);
  [[nodiscard]] std::optional<double> optional_number(const std::string& key, Range range);
  [[nodiscard]] double number_or(const std::string& key, double fallback, Range range);
  [[nodiscard]] std::int64_t require_integer(const std::string& key, Range range);
  [[nodiscard]] std::int64_t integer_or(const std::string& key, std::int64_t fallback, Range range);
  [[nodiscard]] std::string require_string(const std::string& key);
  [[nodiscard]] std::string string_or(const std::string& key, const std::string& fallback);
  /// One of `allowed`; the error lists them.
  [[nodiscard]] std::string require_choice(const std::string& key, const std::vector<std::string>& allowed);
  [[nodiscard]] std::string choice_or(const std::string& key, const std::string& fallback,
                                      const std::vector<std::string>& allowed);
  [[nodiscard]] bool bool_or(const std::string& key, bool fallback);
  /// A TOML date (2026-02-01) or a string in that form.
  [[nodiscard]] DayNumber require_date(const std::string& key);
  [[nodiscard]] std::optional<DayNumber> optional_date(const std::string& key);

  [[nodiscard]] bool has(const std::string& key) const;
  /// A sub-table; throws if absent or not a table.
  [[nodiscard]] TableReader require_table(const std::string& key);
  [[nodiscard]] std::optional<TableReader> optional_table(const std::string& key);
  /// An array of tables ([[key]]); empty if absent.
  [[nodiscard]] std::vector<TableReader> tables(const std::string& key);

  /// Throws InputError for the first key of this table that no read asked for.
  void finish() const;

  /// Throws an InputError at `key` (its line, or the table's line if the key is absent).
  [[noreturn]] void fail(const std::string& key, const std::string& problem) const;

  [[nodiscard]] const std::string& source() const { return source_; }
  [[nodiscard]] std::string full_key(const std::string& key) const;

 private:
  const toml::node* node(const std::string& key);
  [[nodiscard]] std::size_t line_of(const std::string& key) const;

  const toml::table* table_;
  std::string source_;
  std::string path_;
  std::set<std::string> read_;
};

/// Parses a TOML file; a syntax error becomes an InputError with the line.
[[nodiscard]] toml::table parse_toml_file(const std::string& path);
/// Parses TOML text as if read from a file named `source` (named in errors, as parse_toml_file does).
[[nodiscard]] toml::table parse_toml_text(const std::string& text, const std::string& source);

/// The 1-based line of `dotted_key` ("market.calibration") in the TOML file at `path`, or 0 when the
/// file cannot be parsed or lacks the key: for a message about a value read earlier, whose reader
/// kept the value and not its line.
[[nodiscard]] std::size_t line_of_key(const std::string& path, const std::string& dotted_key);

}  // namespace hashpivot::io
