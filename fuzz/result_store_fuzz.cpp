// libFuzzer target: the result store's reader (io/result_store.hpp) on a SQLite file made from the
// input, opened as `hashpivot runs …` opens a store (StoreAccess::kExisting), then list(), load() of
// every run listed, of an id past them and load_or_throw() of an id that cannot exist.
//
// Input, either of:
// - a SQLite database file (it starts with "SQLite format 3\0"), written as it is: mutations of a
//   valid store's bytes (seeds: a store `make_store_seeds` writes and one `hashpivot run --paths 1`
//   records, when scripts/fuzz.sh finds a hashpivot binary);
// - otherwise SQL text, run on a new empty database until its first failing statement: stores that
//   are valid SQLite but wrong as result stores (a NULL in an integer column, a missing table or
//   column, an older or newer schema version). Seeds: the SQL dumps make_store_seeds writes. The
//   SQL runs without ATTACH (so it writes no other file), a few pragmas only, and bounded work.
//
// Expected: the records, or the store's documented errors: an InputError (a file that is not a
// result store, a newer schema) or a std::runtime_error (anything else that fails while reading).
// With HASHPIVOT_FUZZ_STRICT_STORE=1 in the environment a std::runtime_error is a finding too: the
// CLI reports it as exit 3 ("internal error") although its cause is the file the user named.

#include <sqlite3.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <limits>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <typeinfo>
#include <vector>

#include "fuzz_support.hpp"
#include "hashpivot/io/result_store.hpp"

namespace {

constexpr const char* kTarget = "result_store";
constexpr std::string_view kSqliteHeader{"SQLite format 3\0", 16};
constexpr int kMaxSqlValueBytes = 1 << 20;       // no value above 1 MiB (zeroblob(1e9))
constexpr int kProgressEveryOps = 1000;          // the progress handler's period, in VM operations
constexpr int kMaxProgressCalls = 1000;          // then the SQL is interrupted: 10^6 operations
constexpr std::size_t kMaxRunsLoaded = 8;

bool strict() {
  static const bool value = [] {
    const char* env = std::getenv("HASHPIVOT_FUZZ_STRICT_STORE");
    return env != nullptr && std::string_view(env) == "1";
  }();
  return value;
}

void remove_store(const std::string& path) {
  std::error_code ignored;
  for (const char* suffix : {"", "-journal", "-wal", "-shm"}) std::filesystem::remove(path + suffix, ignored);
}

// What the input's SQL may do: build tables and rows, nothing that reaches another file.
int authorize(void*, int action, const char* name, const char*, const char*, const char*) {
  switch (action) {
    case SQLITE_ATTACH:
    case SQLITE_DETACH:
    case SQLITE_CREATE_VTABLE:
    case SQLITE_DROP_VTABLE:
      return SQLITE_DENY;
    case SQLITE_PRAGMA:
      for (const char* allowed : {"writable_schema", "user_version", "application_id", "page_size", "auto_vacuum",
                                  "encoding", "foreign_keys", "journal_mode"})
        if (name != nullptr && sqlite3_stricmp(name, allowed) == 0) return SQLITE_OK;
      return SQLITE_DENY;
    default:
      return SQLITE_OK;
  }
}

int stop_after_budget(void* calls) {
  int& count = *static_cast<int*>(calls);
  return ++count > kMaxProgressCalls ? 1 : 0;
}

void build_from_sql(const std::string& path, const std::uint8_t* data, std::size_t size) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
    sqlite3_close_v2(db);
    hashpivot::fuzz::finding(kTarget, "cannot create a database in the temporary directory");
  }
  // No fsync and no journal file: a throwaway database, built thousands of times a second.
  sqlite3_exec(db, "PRAGMA synchronous = OFF; PRAGMA journal_mode = MEMORY", nullptr, nullptr, nullptr);
  sqlite3_limit(db, SQLITE_LIMIT_ATTACHED, 0);  // also stops VACUUM INTO, which attaches
  sqlite3_limit(db, SQLITE_LIMIT_LENGTH, kMaxSqlValueBytes);
  sqlite3_set_authorizer(db, authorize, nullptr);
  int progress_calls = 0;
  sqlite3_progress_handler(db, kProgressEveryOps, stop_after_budget, &progress_calls);
  const std::string sql(reinterpret_cast<const char*>(data), size);
  sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);  // stops at the first failing statement
  sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);     // an open transaction keeps what it wrote
  sqlite3_close_v2(db);
}

void read_store(const std::string& path) {
  using namespace hashpivot::io;
  const std::unique_ptr<ResultStore> store = open_result_store(path, StoreAccess::kExisting);
  if (store->schema_version() != kResultSchemaVersion)
    hashpivot::fuzz::finding(kTarget, "an opened store is not at the current schema version");
  const std::vector<RunListing> runs = store->list();
  std::int64_t largest = 0;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    largest = std::max(largest, runs[i].run.id);
    if (i < kMaxRunsLoaded) (void)store->load(runs[i].run.id);
  }
  if (largest < std::numeric_limits<std::int64_t>::max()) (void)store->load(largest + 1);
  try {
    (void)store->load_or_throw(-1);
    // A store may hold a run -1 (ids come from the file); nothing to check then.
  } catch (const hashpivot::InputError&) {
    // The documented answer to an unknown id.
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace hashpivot;
  static fuzz::TempInput file("store.sqlite");
  const std::string& path = file.path();
  remove_store(path);
  const bool raw = size >= kSqliteHeader.size() && std::memcmp(data, kSqliteHeader.data(), kSqliteHeader.size()) == 0;
  if (raw) file.write(data, size);
  else build_from_sql(path, data, size);
  fuzz::expect_only_input_errors(
      kTarget, [&] { read_store(path); },
      [](const std::exception& e) { return !strict() && typeid(e) == typeid(std::runtime_error); });
  return 0;
}
