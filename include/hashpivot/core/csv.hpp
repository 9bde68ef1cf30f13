#pragma once
// A small reader for the comma-separated files hashpivot consumes (histories, header lists):
// one header row, fields looked up by column name, and every parse error reported as an
// InputError naming the file, the 1-based line and the column.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <istream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hashpivot::csv {

/// Splits one CSV line into fields. Fields may be double-quoted ("a,b", with "" for a quote);
/// a trailing carriage return is dropped. Returns std::nullopt on an unterminated quote.
[[nodiscard]] std::optional<std::vector<std::string>> split_line(std::string_view line);

/// One data row; fields stay as text until asked for with a type. Valid while its Reader lives.
class Row {
 public:
  [[nodiscard]] std::size_t line() const noexcept { return line_; }
  [[nodiscard]] std::string_view text(std::size_t column) const;
  [[nodiscard]] bool empty(std::size_t column) const;

  /// Signed decimal integer; throws InputError otherwise.
  [[nodiscard]] std::int64_t as_int64(std::size_t column) const;
  /// Finite decimal or scientific number; throws InputError otherwise.
  [[nodiscard]] double as_double(std::size_t column) const;
  /// As as_double, but an empty cell is std::nullopt (unknown), never zero.
  [[nodiscard]] std::optional<double> as_optional_double(std::size_t column) const;
  /// A 32-bit value in hex with a 0x prefix ("0x1d00ffff"); throws InputError otherwise.
  [[nodiscard]] std::uint32_t as_hex_u32(std::size_t column) const;

  /// Throws an InputError pointing at this row and column.
  [[noreturn]] void fail(std::size_t column, std::string_view problem) const;

 private:
  friend class Reader;
  const std::string* source_ = nullptr;
  const std::vector<std::string>* header_ = nullptr;
  std::size_t line_ = 0;
  std::vector<std::string> fields_;
};

/// Reads a CSV table row by row. The first line must be the header.
class Reader {
 public:
  /// Reads from `in`; `source` is the name used in error messages (usually the path).
  Reader(std::istream& in, std::string source);
  /// Opens `path`; throws InputError if it cannot be read or has no header.
  static Reader open(const std::filesystem::path& path);

  [[nodiscard]] const std::string& source() const noexcept { return source_; }
  [[nodiscard]] const std::vector<std::string>& header() const noexcept { return header_; }
  /// Position of a column; throws InputError("missing column") if the header lacks it.
  [[nodiscard]] std::size_t column(std::string_view name) const;
  [[nodiscard]] std::optional<std::size_t> find_column(std::string_view name) const;

  /// Reads the next non-blank line into `row`; false at the end. Throws InputError if the row
  /// has fewer fields than the header or a broken quote.
  bool next(Row& row);

 private:
  Reader(std::unique_ptr<std::ifstream> owned, std::string source);
  void read_header();

  std::unique_ptr<std::ifstream> owned_;
  std::istream* in_;
  std::string source_;
  std::vector<std::string> header_;
  std::size_t line_ = 0;
  std::string buffer_;
};

}  // namespace hashpivot::csv
