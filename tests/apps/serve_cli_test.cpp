// `hashpivot serve` as a user starts it: it prints its address, answers there, and stops cleanly
// (exit 0) on SIGINT or SIGTERM; options that would expose it or cannot work exit 2 before it listens.

#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "apps/cli_runner.hpp"

namespace hashpivot::testing {
namespace {

namespace fs = std::filesystem;

struct Started {
  pid_t pid = -1;
  FILE* out = nullptr;  // the server's stdout, whose first line is its address
};

/// Starts `hashpivot serve ARGS` with its stdout on a pipe and its stderr on `log`.
Started start_serve(const std::vector<std::string>& args, const fs::path& log) {
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) return {};
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(pipe_fds[1], STDOUT_FILENO);
    if (FILE* err = std::freopen(log.c_str(), "w", stderr); err == nullptr) std::_Exit(126);
    ::close(pipe_fds[0]);
    std::vector<std::string> all = {HASHPIVOT_BINARY, "serve"};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    std::_Exit(127);
  }
  ::close(pipe_fds[1]);
  return {pid, ::fdopen(pipe_fds[0], "r")};
}

int exit_code_of(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

TEST(ServeCli, prints_its_address_answers_there_and_stops_cleanly_on_sigint_and_sigterm) {
  for (const int signal_number : {SIGINT, SIGTERM}) {
    const fs::path db = temp_path("serve_cli.sqlite");
    const fs::path log = temp_path("serve_cli.log");
    const Started s = start_serve({"--port", "0", "--db", db.string(), "--scenarios", HASHPIVOT_SCENARIOS_DIR}, log);
    ASSERT_GT(s.pid, 0);
    char line[256] = {};
    ASSERT_NE(std::fgets(line, sizeof line, s.out), nullptr) << slurp(log);
    const std::string address(line);
    ASSERT_TRUE(address.starts_with("http://127.0.0.1:")) << address;
    const int port = std::stoi(address.substr(std::string("http://127.0.0.1:").size()));
    httplib::Client client("127.0.0.1", port);
    const httplib::Result health = client.Get("/api/health");
    ASSERT_TRUE(health);
    EXPECT_EQ(health->status, 200);
    EXPECT_NE(health->body.find("\"ok\":true"), std::string::npos) << health->body;
    ::kill(s.pid, signal_number);
    EXPECT_EQ(exit_code_of(s.pid), 0) << slurp(log);
    EXPECT_NE(slurp(log).find("stopped"), std::string::npos) << slurp(log);
    std::fclose(s.out);
    fs::remove(db);
    fs::remove(log);
  }
}

TEST(ServeCli, another_host_without_a_token_or_a_missing_scenarios_folder_exits_2_with_the_option_named) {
  const CliResult open = run_cli("serve --host 0.0.0.0 --port 0");
  EXPECT_EQ(open.exit_code, 2);
  EXPECT_NE(open.err.find("--token"), std::string::npos) << open.err;
  const CliResult missing = run_cli("serve --port 0 --scenarios /nonexistent-folder");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("--scenarios"), std::string::npos) << missing.err;
}

}  // namespace
}  // namespace hashpivot::testing
