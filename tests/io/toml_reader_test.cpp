#include "hashpivot/io/toml_reader.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "hashpivot/core/error.hpp"

namespace hashpivot::io {
namespace {

using namespace std::string_view_literals;

toml::table parse(std::string_view text) { return toml::parse(text, "scenario.toml"sv); }

// Runs `read` on the document and returns the error message it throws ("" if none).
template <typename Read>
std::string error_of(std::string_view text, Read read) {
  const toml::table doc = parse(text);
  try {
    TableReader root(doc, "scenario.toml", "");
    read(root);
    return "";
  } catch (const InputError& e) {
    return e.what();
  }
}

TEST(TableReader, reads_typed_fields_from_nested_tables_and_arrays_of_tables) {
  const toml::table doc = parse(R"(
[scenario]
start_date = 2026-02-01
paths = 1000
[[sites]]
name = "Ohio"
capacity_mw = 50
pue = 1.05
[[sites]]
name = "Paraguay"
capacity_mw = 20.5
)");
  TableReader root(doc, "scenario.toml", "");
  TableReader scenario = root.require_table("scenario");
  EXPECT_EQ(format_date(scenario.require_date("start_date")), "2026-02-01");
  EXPECT_EQ(scenario.require_integer("paths", Range::positive()), 1000);
  scenario.finish();
  auto sites = root.tables("sites");
  ASSERT_EQ(sites.size(), 2u);
  EXPECT_EQ(sites[0].require_string("name"), "Ohio");
  EXPECT_DOUBLE_EQ(sites[0].require_number("capacity_mw", Range::non_negative()), 50.0);  // integer accepted
  EXPECT_DOUBLE_EQ(sites[1].number_or("pue", 1.1, Range{1.0, 3.0}), 1.1);
  root.finish();
}

TEST(TableReader, errors_name_file_line_and_full_key) {
  EXPECT_EQ(error_of("[[sites]]\nname = \"A\"\ncapacity_mw = -5\n",
                     [](TableReader& r) { (void)r.tables("sites")[0].require_number("capacity_mw", Range::non_negative()); }),
            "scenario.toml:3: sites[1].capacity_mw: expected a number >= 0, got -5");
  EXPECT_EQ(error_of("[pool]\nfee = \"2%\"\n", [](TableReader& r) { (void)r.require_table("pool").require_number("fee", Range::fraction()); }),
            "scenario.toml:2: pool.fee: expected a number in [0, 1], got a string");
  EXPECT_EQ(error_of("[pool]\n", [](TableReader& r) { (void)r.require_table("pool").require_number("fee", Range::fraction()); }),
            "scenario.toml:1: pool.fee: missing field (expected a number in [0, 1])");
}

TEST(TableReader, an_unread_key_is_reported_as_unknown) {
  EXPECT_EQ(error_of("[pool]\nfee = 0.02\nfees = 0.03\n",
                     [](TableReader& r) {
                       TableReader pool = r.require_table("pool");
                       (void)pool.require_number("fee", Range::fraction());
                       pool.finish();
                     }),
            "scenario.toml:3: pool.fees: unknown key (misspelt, or not valid here)");
}

TEST(TableReader, choices_and_dates_are_checked) {
  EXPECT_EQ(error_of("model = \"gmb\"\n", [](TableReader& r) { (void)r.require_choice("model", {"gbm", "jump_diffusion"}); }),
            "scenario.toml:1: model: expected one of \"gbm\", \"jump_diffusion\", got \"gmb\"");
  EXPECT_EQ(error_of("d = \"2026-02-30\"\n", [](TableReader& r) { (void)r.require_date("d"); }),
            "scenario.toml:1: d: expected a date YYYY-MM-DD, got \"2026-02-30\"");
}

TEST(ParseTomlFile, a_syntax_error_names_the_file_and_line) {
  const auto path = std::filesystem::temp_directory_path() / "hashpivot_toml_syntax_test.toml";
  std::ofstream(path) << "[pool]\nfee = 0.02\nname = \"unterminated\n";
  try {
    (void)parse_toml_file(path.string());
    ADD_FAILURE() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(e.source(), path.string());
    EXPECT_EQ(e.line(), 3u) << e.what();
  }
  std::filesystem::remove(path);
  EXPECT_THROW((void)parse_toml_file("/nonexistent/scenario.toml"), InputError);
}

std::string parse_error(const std::string& path) {
  try {
    (void)parse_toml_file(path);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(ParseTomlFile, a_directory_a_missing_file_and_an_empty_file_are_named_as_such) {
  // toml++ reads a directory as an empty document: the reader must not go on to report a missing table.
  const auto dir = std::filesystem::temp_directory_path() / "hashpivot_toml_a_directory";
  std::filesystem::create_directories(dir);
  EXPECT_EQ(parse_error(dir.string()), dir.string() + ": is a directory, not a TOML file");
  std::filesystem::remove(dir);
  EXPECT_EQ(parse_error("/nonexistent/scenario.toml"), "/nonexistent/scenario.toml: no such file");
  const auto empty = std::filesystem::temp_directory_path() / "hashpivot_toml_empty.toml";
  std::ofstream(empty).close();
  EXPECT_EQ(parse_error(empty.string()), empty.string() + ": the file is empty (expected TOML)");
  std::filesystem::remove(empty);
}

TEST(LineOfKey, finds_a_nested_key_and_gives_0_for_an_absent_key_or_file) {
  const auto path = std::filesystem::temp_directory_path() / "hashpivot_toml_line_of_key.toml";
  std::ofstream(path) << "# comment\n[run]\npaths = 3\n\n[market]\nmodel = \"gbm\"\ncalibration = \"x.toml\"\n";
  EXPECT_EQ(line_of_key(path.string(), "market.calibration"), 7u);
  EXPECT_EQ(line_of_key(path.string(), "run.paths"), 3u);
  EXPECT_EQ(line_of_key(path.string(), "market.history"), 0u);
  std::filesystem::remove(path);
  EXPECT_EQ(line_of_key(path.string(), "market.calibration"), 0u);
}

}  // namespace
}  // namespace hashpivot::io
