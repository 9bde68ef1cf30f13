#pragma once
// A scenario as an editable document: its TOML text, edited in place value by value, and read
// again by io::read_scenario_text after every change, so that an edit is checked exactly as the
// command line checks a file (the same messages, naming the file, line and key).
//
// Edits splice the text: a value is replaced where it stands (its line stays its line, comments
// stay), a new key goes on the line after its table's header (or inside its inline table), a
// removed key takes its line with it, and a new [[array]] element is appended at the end. What
// cannot be done as such a splice (replacing a whole [table], adding a key to a table that has no
// header of its own) throws std::invalid_argument: edit the text itself then.
//
// Pure C++ (no Python): the bindings convert Python values to TOML text and back.

#include <cstddef>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <toml++/toml.h>

#include "hashpivot/core/plausibility.hpp"
#include "hashpivot/firm/scenario.hpp"

namespace hashpivot::python {

/// A step of a path into the document: a key of a table, or a 0-based index of an array.
using PathStep = std::variant<std::string, std::size_t>;
using DocumentPath = std::vector<PathStep>;

/// "sites[0].power_price_usd_per_mwh" (0-based, as Python indexes).
[[nodiscard]] std::string describe_path(const DocumentPath& path);

class ScenarioDocument {
 public:
  /// Reads the file as the command line does (io::read_scenario); throws InputError as it does.
  [[nodiscard]] static ScenarioDocument from_file(const std::string& path);
  /// Reads `text` as if it were the file `source` (relative paths in it resolve against its directory).
  [[nodiscard]] static ScenarioDocument from_text(std::string text, std::string source);

  /// A copy parses the text again: toml++ copies no source positions, and edits need them.
  ScenarioDocument(const ScenarioDocument& other);
  ScenarioDocument& operator=(const ScenarioDocument&) = delete;
  ScenarioDocument(ScenarioDocument&&) = default;
  ScenarioDocument& operator=(ScenarioDocument&&) = default;
  ~ScenarioDocument() = default;

  [[nodiscard]] const std::string& text() const { return text_; }
  [[nodiscard]] const std::string& source() const { return source_; }
  /// The scenario as last validated (inside a batch: as it was before the batch).
  [[nodiscard]] const firm::Scenario& scenario() const { return scenario_; }
  /// The plausibility warnings of the scenario as last validated (core/plausibility.hpp: valid
  /// values far outside what the world has seen), each naming the source, line and key.
  [[nodiscard]] const std::vector<InputWarning>& warnings() const { return warnings_; }
  /// The node at `path`, or nullptr when there is none.
  [[nodiscard]] const toml::node* find(const DocumentPath& path) const;

  /// Replaces the whole text (validated like any edit).
  void set_text(std::string text);
  /// Sets the value at `path` to `value_toml`, one TOML value as it would be written after `key =`.
  /// The key is added when absent (its parent table must exist).
  void set(const DocumentPath& path, const std::string& value_toml);
  /// Removes the key at `path` (a key of a table, written on lines of its own or in an inline table).
  void remove(const DocumentPath& path);
  /// Appends an element to the top-level array of tables `name` ([[name]]), with `body`: lines of
  /// `key = value`.
  void append_table(const std::string& name, const std::string& body);

  /// Between begin_batch() and end_batch(), edits are only parsed, not validated (a change that
  /// needs several edits may pass through invalid states); end_batch() validates the result and,
  /// when it is invalid, restores the text of begin_batch() and rethrows. abort_batch() restores it.
  void begin_batch();
  void end_batch();
  void abort_batch();
  [[nodiscard]] bool in_batch() const { return batch_start_.has_value(); }

 private:
  ScenarioDocument(std::string text, std::string source, toml::table table, firm::Scenario scenario);
  /// Parses `text` (a syntax error is an InputError) and, outside a batch, validates it; commits it
  /// only when both succeed.
  void replace_text(std::string text);
  /// replace_text(text), then checks that `holds` is true of the new document; otherwise restores
  /// the previous text and throws std::invalid_argument(`problem`).
  template <class Check>
  void replace_text_checked(std::string text, const Check& holds, const std::string& problem);

  std::string text_;
  std::string source_;
  toml::table table_;
  firm::Scenario scenario_;
  std::vector<InputWarning> warnings_;
  std::optional<std::string> batch_start_;
};

}  // namespace hashpivot::python
