// Stores the result_store fuzz target (fuzz/result_store_fuzz.cpp, HASHPIVOT_FUZZ_STRICT_STORE=1)
// found that `hashpivot runs list/show` report as "internal error" (exit 3), although the fault is
// in the file the user named: SQLite, but wrong as a result store. The SQL that builds each (or the
// file itself) is in tests/fuzz_regressions/result_store/ (scripts/fuzz.sh replays them in the
// default mode, where the store's std::runtime_error is still accepted). src/io/result_store.cpp
// now reports each as an InputError naming the store (docs/fuzzing.md, "What was found").

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <string>

#include "hashpivot/core/error.hpp"
#include "hashpivot/io/result_store.hpp"

namespace hashpivot::io {
namespace {

std::string temporary_store(const std::string& name) {
  return (std::filesystem::temp_directory_path() /
          ("hashpivot-store-regression-" + std::to_string(::getpid()) + "-" + name + ".sqlite"))
      .string();
}

// The store that tests/fuzz_regressions/result_store/NAME.sql builds, in a fresh temporary file.
std::string store_from_sql(const std::string& name) {
  std::ifstream in(std::string(HASHPIVOT_FUZZ_REGRESSIONS_DIR) + "/result_store/" + name + ".sql");
  EXPECT_TRUE(in) << name;
  const std::string sql{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  const std::string path = temporary_store(name);
  std::filesystem::remove(path);
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  sqlite3_close(db);
  return path;
}

// A copy of the saved store file tests/fuzz_regressions/result_store/NAME.sqlite.
std::string store_from_file(const std::string& name) {
  const std::string path = temporary_store(name);
  std::filesystem::copy_file(std::string(HASHPIVOT_FUZZ_REGRESSIONS_DIR) + "/result_store/" + name + ".sqlite", path,
                             std::filesystem::copy_options::overwrite_existing);
  return path;
}

// Opening the store as `hashpivot runs` does, then `read`, throws an InputError that names it.
void expect_input_error_naming(const std::string& path, const std::function<void(ResultStore&)>& read) {
  try {
    const std::unique_ptr<ResultStore> store = open_result_store(path, StoreAccess::kExisting);
    read(*store);
    ADD_FAILURE() << "read without an error";
  } catch (const InputError& e) {
    EXPECT_EQ(e.source(), path);
  } catch (const std::exception& e) {
    ADD_FAILURE() << "not an InputError: " << e.what();
  }
  std::filesystem::remove(path);
}

TEST(ResultStoreFuzzRegression, a_missing_column_is_an_input_error_naming_the_store) {
  expect_input_error_naming(store_from_sql("missing-column"), [](ResultStore& store) { (void)store.load(1); });
}

TEST(ResultStoreFuzzRegression, a_null_in_an_integer_column_is_an_input_error_naming_the_store) {
  expect_input_error_naming(store_from_sql("null-integer"), [](ResultStore& store) { (void)store.list(); });
}

TEST(ResultStoreFuzzRegression, a_migration_that_fails_is_an_input_error_naming_the_store) {
  expect_input_error_naming(store_from_sql("migration-duplicate-column"), [](ResultStore&) {});
}

// A 1 KB SQLite file whose header's schema format number (bytes 44-47) is 5; SQLite knows 1 to 4.
TEST(ResultStoreFuzzRegression, an_unsupported_file_format_is_an_input_error_naming_the_store) {
  expect_input_error_naming(store_from_file("unsupported-file-format"), [](ResultStore&) {});
}

}  // namespace
}  // namespace hashpivot::io
