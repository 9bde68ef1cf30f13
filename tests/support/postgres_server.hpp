#pragma once
// Test support: a throwaway PostgreSQL server on this machine, as the result-store tests need one.
// initdb in a temporary folder, pg_ctl start on a free loopback port (and a Unix socket in the same
// folder), databases created on demand; stopped and deleted by the destructor. initdb refuses to run
// as root, so as root every server command runs as the unprivileged `postgres` user (runuser).
// Binaries: initdb and pg_ctl on PATH, else the newest /usr/lib/postgresql/*/bin (Debian).

#include <filesystem>
#include <memory>
#include <string>

namespace hashpivot::testing {

class PostgresServer {
 public:
  /// Starts a server, or returns nullptr with `why_not` saying why it cannot be done here.
  static std::unique_ptr<PostgresServer> start(std::string& why_not);
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  /// Creates database `name` (owner: the superuser "postgres", trust authentication on loopback)
  /// and returns its URL: postgresql://postgres@127.0.0.1:PORT/name.
  std::string create_database(const std::string& name);
  [[nodiscard]] std::string url(const std::string& database) const;
  [[nodiscard]] int port() const { return port_; }

 private:
  PostgresServer() = default;
  std::filesystem::path dir_;
  std::filesystem::path bin_;
  int port_ = 0;
  bool running_ = false;
};

/// In a test: `auto server = start_postgres_or_skip(); if (!server) return;` — skips the test with
/// the reason when no server can be started here, unless HASHPIVOT_REQUIRE_POSTGRES=1, where it fails.
#define HASHPIVOT_START_POSTGRES_OR_SKIP(server)                                                        \
  std::string server##_why_not;                                                                         \
  auto server = ::hashpivot::testing::PostgresServer::start(server##_why_not);                          \
  if (!server) {                                                                                        \
    if (::hashpivot::testing::postgres_required()) FAIL() << "PostgreSQL required: " << server##_why_not; \
    GTEST_SKIP() << "PostgreSQL test skipped: " << server##_why_not;                                    \
  }

/// True when HASHPIVOT_REQUIRE_POSTGRES=1: a server that cannot start is a failure, not a skip.
bool postgres_required();

}  // namespace hashpivot::testing
