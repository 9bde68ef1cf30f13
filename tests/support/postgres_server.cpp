#include "support/postgres_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <system_error>
#include <vector>

namespace hashpivot::testing {
namespace {

namespace fs = std::filesystem;

std::string quoted(const std::string& s) {
  std::string out = "'";
  for (const char c : s) {
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  return out + "'";
}

std::string tail_of(const fs::path& file, std::size_t chars = 1500) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  const std::string all = text.str();
  return all.size() > chars ? all.substr(all.size() - chars) : all;
}

/// The folder holding initdb and pg_ctl: PATH first, then the newest /usr/lib/postgresql/*/bin.
fs::path find_bin_dir() {
  if (const char* path = std::getenv("PATH")) {
    std::string_view rest(path);
    while (!rest.empty()) {
      const std::size_t colon = rest.find(':');
      const fs::path dir(std::string(rest.substr(0, colon)));
      rest = colon == std::string_view::npos ? std::string_view{} : rest.substr(colon + 1);
      std::error_code error;
      if (fs::exists(dir / "initdb", error) && fs::exists(dir / "pg_ctl", error)) {
        const fs::path real = fs::canonical(dir / "initdb", error);
        if (!error && fs::exists(real.parent_path() / "pg_ctl")) return real.parent_path();
        return dir;
      }
    }
  }
  fs::path best;
  int best_version = -1;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", error)) {
    const fs::path bin = entry.path() / "bin";
    if (!fs::exists(bin / "initdb") || !fs::exists(bin / "pg_ctl")) continue;
    const int version = std::atoi(entry.path().filename().c_str());
    if (version > best_version) {
      best_version = version;
      best = bin;
    }
  }
  return best;
}

int free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  int port = 0;
  socklen_t size = sizeof address;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) == 0)
    port = ntohs(address.sin_port);
  ::close(fd);
  return port;
}

/// Runs a shell command, as the postgres user when this process is root; true on exit status 0.
bool run_server_command(const std::string& command) {
  const std::string line = ::geteuid() == 0 ? "runuser -u postgres -- " + command : command;
  const int status = std::system(line.c_str());
  return status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

}  // namespace

bool postgres_required() {
  const char* value = std::getenv("HASHPIVOT_REQUIRE_POSTGRES");
  return value != nullptr && std::string_view(value) == "1";
}

std::unique_ptr<PostgresServer> PostgresServer::start(std::string& why_not) {
  const fs::path bin = find_bin_dir();
  if (bin.empty()) {
    why_not = "initdb and pg_ctl are neither on PATH nor in /usr/lib/postgresql/*/bin (apt-get install postgresql)";
    return nullptr;
  }
  uid_t uid = 0;
  gid_t gid = 0;
  if (::geteuid() == 0) {
    // initdb refuses to run as root: run the server as the postgres user.
    const passwd* user = ::getpwnam("postgres");
    if (user == nullptr) {
      why_not = "running as root, and there is no `postgres` user to run initdb as (initdb refuses root)";
      return nullptr;
    }
    if (std::system("command -v runuser >/dev/null 2>&1") != 0) {
      why_not = "running as root, and runuser is missing to run initdb as the `postgres` user";
      return nullptr;
    }
    uid = user->pw_uid;
    gid = user->pw_gid;
  }

  std::string pattern = (fs::temp_directory_path() / "hashpivot_pg_XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    why_not = "cannot create a temporary folder for the server";
    return nullptr;
  }
  std::unique_ptr<PostgresServer> server(new PostgresServer());
  server->dir_ = pattern;
  server->bin_ = bin;
  if (::geteuid() == 0 && ::chown(pattern.c_str(), uid, gid) != 0) {
    why_not = "cannot hand the temporary folder to the `postgres` user";
    return nullptr;  // the destructor deletes the folder
  }

  const fs::path data = server->dir_ / "data";
  const fs::path initdb_log = server->dir_ / "initdb.log";
  if (!run_server_command(quoted((bin / "initdb").string()) + " -D " + quoted(data.string()) +
                          " -U postgres -A trust -E UTF8 --locale=C --no-sync >" + quoted(initdb_log.string()) +
                          " 2>&1")) {
    why_not = "initdb failed:\n" + tail_of(initdb_log);
    return nullptr;
  }
  // The port is free when chosen; another process may take it before the server binds it, so try again.
  const fs::path server_log = server->dir_ / "server.log";
  for (int attempt = 0; attempt < 3 && !server->running_; ++attempt) {
    server->port_ = free_loopback_port();
    if (server->port_ == 0) break;
    const std::string options = "-p " + std::to_string(server->port_) + " -k " + server->dir_.string() +
                                " -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off";
    server->running_ = run_server_command(quoted((bin / "pg_ctl").string()) + " -D " + quoted(data.string()) +
                                          " -l " + quoted(server_log.string()) + " -w -t 60 -o " + quoted(options) +
                                          " start >/dev/null 2>&1");
  }
  if (!server->running_) {
    why_not = "pg_ctl could not start the server:\n" + tail_of(server_log);
    return nullptr;
  }
  return server;
}

PostgresServer::~PostgresServer() {
  if (running_) {
    run_server_command(quoted((bin_ / "pg_ctl").string()) + " -D " + quoted((dir_ / "data").string()) +
                       " -m immediate -w stop >/dev/null 2>&1");
  }
  if (!dir_.empty()) {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
}

std::string PostgresServer::url(const std::string& database) const {
  return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/" + database;
}

std::string PostgresServer::create_database(const std::string& name) {
  const std::string command = quoted((bin_ / "createdb").string()) + " -h 127.0.0.1 -p " + std::to_string(port_) +
                              " -U postgres " + quoted(name) + " 2>&1";
  if (std::system(command.c_str()) != 0) throw std::runtime_error("createdb " + name + " failed");
  return url(name);
}

}  // namespace hashpivot::testing
