#include "hashpivot/io/toml_reader.hpp"

#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <system_error>

#include "hashpivot/core/error.hpp"

namespace hashpivot::io {
namespace {

const char* type_name(toml::node_type type) {
  switch (type) {
    case toml::node_type::table: return "table";
    case toml::node_type::array: return "array";
    case toml::node_type::string: return "string";
    case toml::node_type::integer: return "integer";
    case toml::node_type::floating_point: return "number";
    case toml::node_type::boolean: return "boolean";
    case toml::node_type::date: return "date";
    case toml::node_type::time: return "time";
    case toml::node_type::date_time: return "date-time";
    default: return "value";
  }
}

}  // namespace

bool Range::contains(double value) const {
  if (!std::isfinite(value)) return false;
  if (min && (min_exclusive ? value <= *min : value < *min)) return false;
  if (max && (max_exclusive ? value >= *max : value > *max)) return false;
  return true;
}

std::string Range::describe() const {
  if (min && max) return fmt::format("a number in {}{}, {}{}", min_exclusive ? "(" : "[", *min, *max, max_exclusive ? ")" : "]");
  if (min) return fmt::format("a number {} {}", min_exclusive ? ">" : ">=", *min);
  if (max) return fmt::format("a number {} {}", max_exclusive ? "<" : "<=", *max);
  return "a number";
}

TableReader::TableReader(const toml::table& table, std::string source, std::string path)
    : table_(&table), source_(std::move(source)), path_(std::move(path)) {}

std::string TableReader::full_key(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }

std::size_t TableReader::line_of(const std::string& key) const {
  if (const toml::node* n = table_->get(key)) return static_cast<std::size_t>(n->source().begin.line);
  return static_cast<std::size_t>(table_->source().begin.line);
}

void TableReader::fail(const std::string& key, const std::string& problem) const {
  throw InputError(source_, line_of(key), full_key(key), problem);
}

const toml::node* TableReader::node(const std::string& key) {
  read_.insert(key);
  return table_->get(key);
}

bool TableReader::has(const std::string& key) const { return table_->contains(key); }

std::optional<double> TableReader::optional_number(const std::string& key, Range range) {
  const toml::node* n = node(key);
  if (!n) return std::nullopt;
  double value = 0;
  if (const auto f = n->value_exact<double>()) value = *f;
  else if (const auto i = n->value_exact<std::int64_t>()) value = static_cast<double>(*i);
  else fail(key, fmt::format("expected {}, got a {}", range.describe(), type_name(n->type())));
  if (!range.contains(value)) fail(key, fmt::format("expected {}, got {}", range.describe(), value));
  return value;
}

double TableReader::require_number(const std::string& key, Range range) {
  if (!has(key)) fail(key, fmt::format("missing field (expected {})", range.describe()));
  return *optional_number(key, range);
}

double TableReader::number_or(const std::string& key, double fallback, Range range) {
  return optional_number(key, range).value_or(fallback);
}

std::int64_t TableReader::integer_or(const std::string& key, std::int64_t fallback, Range range) {
  const toml::node* n = node(key);
  if (!n) return fallback;
  const auto value = n->value_exact<std::int64_t>();
  if (!value) fail(key, fmt::format("expected an integer ({})", range.describe()));
  if (!range.contains(static_cast<double>(*value))) fail(key, fmt::format("expected {}, got {}", range.describe(), *value));
  return *value;
}

std::int64_t TableReader::require_integer(const std::string& key, Range range) {
  if (!has(key)) fail(key, fmt::format("missing field (expected an integer, {})", range.describe()));
  return integer_or(key, 0, range);
}

std::string TableReader::string_or(const std::string& key, const std::string& fallback) {
  const toml::node* n = node(key);
  if (!n) return fallback;
  const auto value = n->value_exact<std::string>();
  if (!value) fail(key, "expected a string in quotes");
  return *value;
}

std::string TableReader::require_string(const std::string& key) {
  if (!has(key)) fail(key, "missing field (expected a string)");
  return string_or(key, "");
}

std::string TableReader::choice_or(const std::string& key, const std::string& fallback,
                                   const std::vector<std::string>& allowed) {
  const std::string value = string_or(key, fallback);
  for (const auto& a : allowed)
    if (a == value) return value;
  fail(key, fmt::format("expected one of \"{}\", got \"{}\"", fmt::join(allowed, "\", \""), value));
}

std::string TableReader::require_choice(const std::string& key, const std::vector<std::string>& allowed) {
  if (!has(key)) fail(key, fmt::format("missing field (expected one of \"{}\")", fmt::join(allowed, "\", \"")));
  return choice_or(key, "", allowed);
}

bool TableReader::bool_or(const std::string& key, bool fallback) {
  const toml::node* n = node(key);
  if (!n) return fallback;
  const auto value = n->value_exact<bool>();
  if (!value) fail(key, "expected true or false");
  return *value;
}

std::optional<DayNumber> TableReader::optional_date(const std::string& key) {
  const toml::node* n = node(key);
  if (!n) return std::nullopt;
  if (const auto d = n->value_exact<toml::date>()) {
    const auto day = parse_date(fmt::format("{:04}-{:02}-{:02}", d->year, d->month, d->day));
    if (!day) fail(key, "not a calendar date");
    return day;
  }
  if (const auto s = n->value_exact<std::string>()) {
    const auto day = parse_date(*s);
    if (!day) fail(key, fmt::format("expected a date YYYY-MM-DD, got \"{}\"", *s));
    return day;
  }
  fail(key, "expected a date such as 2026-02-01");
}

DayNumber TableReader::require_date(const std::string& key) {
  if (!has(key)) fail(key, "missing field (expected a date such as 2026-02-01)");
  return *optional_date(key);
}

std::optional<TableReader> TableReader::optional_table(const std::string& key) {
  const toml::node* n = node(key);
  if (!n) return std::nullopt;
  const toml::table* t = n->as_table();
  if (!t) fail(key, "expected a table");
  return TableReader(*t, source_, full_key(key));
}

TableReader TableReader::require_table(const std::string& key) {
  if (!has(key)) fail(key, "missing table");
  return *optional_table(key);
}

std::vector<TableReader> TableReader::tables(const std::string& key) {
  std::vector<TableReader> out;
  const toml::node* n = node(key);
  if (!n) return out;
  const toml::array* array = n->as_array();
  if (!array) fail(key, fmt::format("expected an array of tables ([[{}]])", full_key(key)));
  std::size_t index = 0;
  for (const toml::node& element : *array) {
    const toml::table* t = element.as_table();
    if (!t) fail(key, fmt::format("element {} is not a table", index + 1));
    out.emplace_back(*t, source_, fmt::format("{}[{}]", full_key(key), index + 1));
    ++index;
  }
  return out;
}

void TableReader::finish() const {
  for (const auto& [key, value] : *table_) {
    const std::string name(key.str());
    if (!read_.contains(name))
      throw InputError(source_, static_cast<std::size_t>(value.source().begin.line), full_key(name),
                       "unknown key (misspelt, or not valid here)");
  }
}

namespace {

/// Why `path` cannot be read as a TOML file (a directory, missing, unreadable, empty), or "" when it
/// can: toml++ reads a directory as an empty document, which the caller would report as a missing table.
std::string unreadable_file_problem(const std::string& path) {
  std::error_code error;
  const auto status = std::filesystem::status(path, error);
  if (!std::filesystem::exists(status)) return "no such file";
  if (std::filesystem::is_directory(status)) return "is a directory, not a TOML file";
  std::ifstream in(path);
  if (!in) return "the file exists but cannot be opened for reading (check its permissions)";
  if (in.peek() == std::ifstream::traits_type::eof()) return "the file is empty (expected TOML)";
  return "";
}

}  // namespace

toml::table parse_toml_file(const std::string& path) {
  if (const std::string problem = unreadable_file_problem(path); !problem.empty())
    throw InputError(path, 0, "", problem);
  try {
    return toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    throw InputError(path, static_cast<std::size_t>(e.source().begin.line), "", std::string(e.description()));
  }
}

std::size_t line_of_key(const std::string& path, const std::string& dotted_key) {
  if (!unreadable_file_problem(path).empty()) return 0;
  try {
    const toml::table parsed = toml::parse_file(path);
    const toml::node_view<const toml::node> node = parsed.at_path(dotted_key);
    return node ? static_cast<std::size_t>(node.node()->source().begin.line) : 0;
  } catch (const toml::parse_error&) {
    return 0;  // the scenario read before; if it no longer parses, the message goes without a line
  }
}

toml::table parse_toml_text(const std::string& text, const std::string& source) {
  try {
    return toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    throw InputError(source, static_cast<std::size_t>(e.source().begin.line), "", std::string(e.description()));
  }
}

}  // namespace hashpivot::io
