#include "scenario_document.hpp"

#include <fmt/format.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "hashpivot/core/error.hpp"
#include "hashpivot/io/scenario_reader.hpp"
#include "hashpivot/io/toml_reader.hpp"

namespace hashpivot::python {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

/// The byte offset of a toml++ source position (1-based line, 1-based column counted in code points).
std::size_t offset_of(const std::string& text, const toml::source_position& position) {
  std::size_t offset = 0;
  for (toml::source_index line = 1; line < position.line; ++line) {
    offset = text.find('\n', offset);
    if (offset == std::string::npos) return text.size();
    ++offset;
  }
  for (toml::source_index column = 1; column < position.column && offset < text.size(); ++column) {
    ++offset;  // past the lead byte, then past the continuation bytes (10xxxxxx) of the code point
    while (offset < text.size() && (static_cast<unsigned char>(text[offset]) & 0xC0U) == 0x80U) ++offset;
  }
  return offset;
}

std::size_t line_start(const std::string& text, std::size_t offset) {
  const std::size_t newline = offset == 0 ? std::string::npos : text.rfind('\n', offset - 1);
  return newline == std::string::npos ? 0 : newline + 1;
}

/// One past the line's '\n' (or the end of the text).
std::size_t next_line_start(const std::string& text, std::size_t offset) {
  const std::size_t newline = text.find('\n', offset);
  return newline == std::string::npos ? text.size() : newline + 1;
}

bool only_blank(std::string_view text) { return text.find_first_not_of(" \t\r") == std::string_view::npos; }

/// Blank, or blank then a comment, up to the end of the line.
bool only_blank_or_comment(std::string_view rest_of_line) {
  const std::size_t first = rest_of_line.find_first_not_of(" \t\r");
  return first == std::string_view::npos || rest_of_line[first] == '#';
}

/// A table written with a header of its own ([name] or [[name]]): its source begins at the '['
/// that starts its line.
bool has_own_header(const std::string& text, const toml::table& table) {
  if (table.is_inline()) return false;
  const std::size_t at = offset_of(text, table.source().begin);
  return at < text.size() && text[at] == '[' && only_blank(std::string_view(text).substr(line_start(text, at), at - line_start(text, at)));
}

bool is_header_array(const toml::array& array) {
  return !array.empty() && array.is_array_of_tables() && !array.front().as_table()->is_inline();
}

bool is_bare_key(std::string_view key) {
  if (key.empty()) return false;
  for (const char c : key)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return false;
  return true;
}

std::string key_text(const std::string& key) {
  if (is_bare_key(key)) return key;
  std::ostringstream quoted;
  quoted << toml::value<std::string>(key);  // toml++ writes a string with TOML's escapes
  return quoted.str();
}

const toml::node* step(const toml::node* node, const PathStep& s) {
  if (node == nullptr) return nullptr;
  if (const auto* key = std::get_if<std::string>(&s)) {
    const toml::table* table = node->as_table();
    return table != nullptr ? table->get(*key) : nullptr;
  }
  const toml::array* array = node->as_array();
  const std::size_t index = std::get<std::size_t>(s);
  return array != nullptr && index < array->size() ? array->get(index) : nullptr;
}

/// The key of `node` in `table` (nodes compare by address).
const toml::key* key_of(const toml::table& table, const toml::node* node) {
  for (const auto& [key, value] : table)
    if (&value == node) return &key;
  return nullptr;
}

/// `value_toml` must be exactly one TOML value.
void check_one_value(const std::string& value_toml) {
  toml::table probe;
  try {
    probe = toml::parse("value = " + value_toml + "\n");
  } catch (const toml::parse_error& e) {
    throw std::invalid_argument(fmt::format("not one TOML value: {} ({})", value_toml, e.description()));
  }
  if (probe.size() != 1) throw std::invalid_argument(fmt::format("not one TOML value: {}", value_toml));
}

}  // namespace

std::string describe_path(const DocumentPath& path) {
  std::string out;
  for (const PathStep& s : path) {
    if (const auto* key = std::get_if<std::string>(&s)) out += (out.empty() ? "" : ".") + *key;
    else out += fmt::format("[{}]", std::get<std::size_t>(s));
  }
  return out;
}

ScenarioDocument::ScenarioDocument(std::string text, std::string source, toml::table table, firm::Scenario scenario)
    : text_(std::move(text)), source_(std::move(source)), table_(std::move(table)), scenario_(std::move(scenario)) {}

ScenarioDocument::ScenarioDocument(const ScenarioDocument& other)
    : text_(other.text_),
      source_(other.source_),
      table_(io::parse_toml_text(text_, source_)),
      scenario_(other.scenario_),
      warnings_(other.warnings_),
      batch_start_(other.batch_start_) {}

ScenarioDocument ScenarioDocument::from_file(const std::string& path) {
  // The file reader first, for its messages about the file itself (one that cannot be opened);
  // then the text kept is read again, so the scenario is the text's even if the file changed between.
  static_cast<void>(io::read_scenario(path));
  return from_text(read_file(path), path);
}

ScenarioDocument ScenarioDocument::from_text(std::string text, std::string source) {
  std::vector<InputWarning> warnings;
  firm::Scenario scenario = io::read_scenario_text(text, source, warnings);
  toml::table table = io::parse_toml_text(text, source);
  ScenarioDocument document(std::move(text), std::move(source), std::move(table), std::move(scenario));
  document.warnings_ = std::move(warnings);
  return document;
}

const toml::node* ScenarioDocument::find(const DocumentPath& path) const {
  const toml::node* node = &table_;
  for (const PathStep& s : path) node = step(node, s);
  return node;
}

void ScenarioDocument::replace_text(std::string text) {
  toml::table table = io::parse_toml_text(text, source_);
  if (!in_batch()) {
    std::vector<InputWarning> warnings;
    scenario_ = io::read_scenario_text(text, source_, warnings);
    warnings_ = std::move(warnings);
  }
  table_ = std::move(table);
  text_ = std::move(text);
}

template <class Check>
void ScenarioDocument::replace_text_checked(std::string text, const Check& holds, const std::string& problem) {
  std::string before = text_;
  replace_text(std::move(text));
  if (holds()) return;
  replace_text(std::move(before));
  throw std::invalid_argument(problem);
}

void ScenarioDocument::set_text(std::string text) { replace_text(std::move(text)); }

void ScenarioDocument::set(const DocumentPath& path, const std::string& value_toml) {
  if (path.empty()) throw std::invalid_argument("the document itself is not a value: set its keys, or its text");
  check_one_value(value_toml);
  const std::string where = describe_path(path);
  if (const toml::node* node = find(path)) {
    const toml::table* table = node->as_table();
    const toml::array* array = node->as_array();
    if ((table != nullptr && !table->is_inline()) || (array != nullptr && is_header_array(*array)))
      throw std::invalid_argument(fmt::format("{} is a [table] or [[array of tables]] of its own: set its keys one by "
                                              "one, or edit the text",
                                              where));
    const std::size_t begin = offset_of(text_, node->source().begin);
    const std::size_t end = offset_of(text_, node->source().end);
    std::string text = text_;
    text.replace(begin, end - begin, value_toml);
    replace_text(std::move(text));
    return;
  }
  // A new key: its parent must be a table, written with a header of its own or inline.
  const DocumentPath parent_path(path.begin(), path.end() - 1);
  const auto* key = std::get_if<std::string>(&path.back());
  const toml::node* parent = find(parent_path);
  if (key == nullptr || parent == nullptr || !parent->is_table())
    throw std::invalid_argument(fmt::format("{}: no such place in the scenario (its parent is not a table)", where));
  const toml::table& table = *parent->as_table();
  std::string text = text_;
  const std::string assignment = key_text(*key) + " = " + value_toml;
  if (table.is_inline()) {
    const std::size_t close = offset_of(text, table.source().end) - 1;  // the '}'
    std::size_t last = text.find_last_not_of(" \t", close - 1);
    if (text[last] == '{') text.replace(last + 1, close - last - 1, " " + assignment + " ");
    else text.insert(last + 1, ", " + assignment);
  } else if (parent_path.empty()) {
    text.insert(0, assignment + "\n");  // keys of the root come before every header
  } else if (has_own_header(text, table)) {
    const std::size_t after_header = next_line_start(text, offset_of(text, table.source().begin));
    text.insert(after_header, (after_header == text.size() && !text.ends_with('\n') ? "\n" : "") + assignment + "\n");
  } else {
    throw std::invalid_argument(fmt::format("cannot add {}: its table has no [header] of its own in the text; edit the "
                                            "text",
                                            where));
  }
  replace_text_checked(
      std::move(text), [&] { return find(path) != nullptr; },
      fmt::format("cannot add {} there without changing other keys; edit the text", where));
}

void ScenarioDocument::remove(const DocumentPath& path) {
  const std::string where = describe_path(path);
  const toml::node* node = find(path);
  const auto* key_name = path.empty() ? nullptr : std::get_if<std::string>(&path.back());
  if (node == nullptr || key_name == nullptr) throw std::invalid_argument(fmt::format("{}: no such key", where));
  const toml::table& table = *find(DocumentPath(path.begin(), path.end() - 1))->as_table();
  const toml::key* key = key_of(table, node);
  if (key == nullptr || node->source().begin.line == 0) throw std::invalid_argument(fmt::format("{}: no such key", where));
  if (const toml::table* t = node->as_table(); t != nullptr && !t->is_inline())
    throw std::invalid_argument(fmt::format("{} is a [table] of its own: edit the text to remove it", where));
  if (const toml::array* a = node->as_array(); a != nullptr && is_header_array(*a))
    throw std::invalid_argument(fmt::format("{} is an [[array of tables]]: edit the text to remove it", where));
  std::string text = text_;
  const std::size_t begin = offset_of(text, key->source().begin);
  const std::size_t end = offset_of(text, node->source().end);
  if (table.is_inline()) {
    // The assignment and the comma after it (or, for the last one, the comma before it).
    std::size_t from = begin, to = end;
    const std::size_t after = text.find_first_not_of(" \t", end);
    const std::size_t before = text.find_last_not_of(" \t", begin - 1);
    if (after != std::string::npos && text[after] == ',') to = text.find_first_not_of(" \t", after + 1);
    else if (text[before] == ',') from = before;
    text.erase(from, to - from);
  } else {
    const std::size_t first = line_start(text, begin);
    const std::size_t last = next_line_start(text, end);
    if (!only_blank(std::string_view(text).substr(first, begin - first)) ||
        !only_blank_or_comment(std::string_view(text).substr(end, last - end)))
      throw std::invalid_argument(fmt::format("{} shares its line with other text: edit the text to remove it", where));
    text.erase(first, last - first);
  }
  replace_text_checked(
      std::move(text), [&] { return find(path) == nullptr; }, fmt::format("cannot remove {}; edit the text", where));
}

void ScenarioDocument::append_table(const std::string& name, const std::string& body) {
  const toml::node* existing = table_.get(name);
  const toml::array* array = existing != nullptr ? existing->as_array() : nullptr;
  if (existing != nullptr && (array == nullptr || (!array->empty() && !is_header_array(*array))))
    throw std::invalid_argument(fmt::format("{} is not an array of tables ([[{}]])", name, name));
  const std::size_t before = array != nullptr ? array->size() : 0;
  std::string text = text_;
  if (!text.empty() && !text.ends_with('\n')) text += '\n';
  text += "\n[[" + key_text(name) + "]]\n" + body;
  if (!text.ends_with('\n')) text += '\n';
  replace_text_checked(
      std::move(text),
      [&] {
        const toml::node* now = table_.get(name);
        return now != nullptr && now->is_array() && now->as_array()->size() == before + 1;
      },
      fmt::format("cannot append to {}; edit the text", name));
}

void ScenarioDocument::begin_batch() {
  if (in_batch()) throw std::logic_error("the scenario is already being edited in a batch (edit() blocks do not nest)");
  batch_start_ = text_;
}

void ScenarioDocument::end_batch() {
  std::string start = std::move(*batch_start_);
  batch_start_.reset();
  try {
    replace_text(text_);
  } catch (...) {
    replace_text(std::move(start));
    throw;
  }
}

void ScenarioDocument::abort_batch() {
  std::string start = std::move(*batch_start_);
  batch_start_.reset();
  replace_text(std::move(start));
}

}  // namespace hashpivot::python
