#include "hashpivot/core/csv.hpp"

#include <charconv>
#include <cmath>
#include <fmt/format.h>

#include "hashpivot/core/error.hpp"

namespace hashpivot::csv {

std::optional<std::vector<std::string>> split_line(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  std::vector<std::string> fields;
  std::string field;
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.push_back(std::move(field));
      field.clear();
    } else {
      field += c;
    }
  }
  if (quoted) return std::nullopt;
  fields.push_back(std::move(field));
  return fields;
}

std::string_view Row::text(std::size_t column) const {
  return column < fields_.size() ? std::string_view(fields_[column]) : std::string_view();
}

bool Row::empty(std::size_t column) const { return text(column).empty(); }

void Row::fail(std::size_t column, std::string_view problem) const {
  const std::string name = column < header_->size() ? (*header_)[column] : fmt::format("column {}", column + 1);
  throw InputError(*source_, line_, name, std::string(problem));
}

std::int64_t Row::as_int64(std::size_t column) const {
  const std::string_view s = text(column);
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size())
    fail(column, fmt::format("expected an integer, got '{}'", s));
  return value;
}

double Row::as_double(std::size_t column) const {
  const std::string_view s = text(column);
  double value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size() || !std::isfinite(value))
    fail(column, fmt::format("expected a number, got '{}'", s));
  return value;
}

std::optional<double> Row::as_optional_double(std::size_t column) const {
  if (empty(column)) return std::nullopt;
  return as_double(column);
}

std::uint32_t Row::as_hex_u32(std::size_t column) const {
  std::string_view s = text(column);
  const std::string_view original = s;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) s.remove_prefix(2);
  else fail(column, fmt::format("expected hex with a 0x prefix such as 0x1d00ffff, got '{}'", original));
  std::uint32_t value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value, 16);
  if (ec != std::errc() || end != s.data() + s.size())
    fail(column, fmt::format("expected a 32-bit hex value such as 0x1d00ffff, got '{}'", original));
  return value;
}

Reader::Reader(std::istream& in, std::string source) : in_(&in), source_(std::move(source)) { read_header(); }

Reader::Reader(std::unique_ptr<std::ifstream> owned, std::string source)
    : owned_(std::move(owned)), in_(owned_.get()), source_(std::move(source)) {
  read_header();
}

Reader Reader::open(const std::filesystem::path& path) {
  auto stream = std::make_unique<std::ifstream>(path);
  if (!*stream) throw InputError(path.string(), 0, "", "cannot open the file for reading");
  return Reader(std::move(stream), path.string());
}

void Reader::read_header() {
  if (!std::getline(*in_, buffer_)) throw InputError(source_, 1, "", "empty file: expected a header row");
  line_ = 1;
  auto fields = split_line(buffer_);
  if (!fields) throw InputError(source_, 1, "", "unterminated quote in the header row");
  header_ = std::move(*fields);
  // A UTF-8 byte order mark is invisible in editors; accept it rather than fail on the first name.
  if (!header_.empty() && header_[0].starts_with("\xEF\xBB\xBF")) header_[0].erase(0, 3);
}

std::optional<std::size_t> Reader::find_column(std::string_view name) const {
  for (std::size_t i = 0; i < header_.size(); ++i)
    if (header_[i] == name) return i;
  return std::nullopt;
}

std::size_t Reader::column(std::string_view name) const {
  if (auto index = find_column(name)) return *index;
  throw InputError(source_, 1, std::string(name), "missing column in the header row");
}

bool Reader::next(Row& row) {
  while (std::getline(*in_, buffer_)) {
    ++line_;
    if (buffer_.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto fields = split_line(buffer_);
    if (!fields) throw InputError(source_, line_, "", "unterminated quote");
    if (fields->size() < header_.size())
      throw InputError(source_, line_, "",
                       fmt::format("expected {} fields as in the header, got {}", header_.size(), fields->size()));
    row.source_ = &source_;
    row.header_ = &header_;
    row.line_ = line_;
    row.fields_ = std::move(*fields);
    return true;
  }
  return false;
}

}  // namespace hashpivot::csv
