#include "serve_command.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include "cli_support.hpp"
#include "sensitivity_command.hpp"
#include "hashpivot/core/cancellation.hpp"
#include "hashpivot/core/error.hpp"
#include "hashpivot/io/result_store.hpp"
#include "hashpivot/server/server.hpp"
#include "optimize_command.hpp"
#include "options_command.hpp"

namespace hashpivot::cli {
namespace {

/// How often the command looks for SIGINT/SIGTERM while the server runs.
constexpr auto kStopPoll = std::chrono::milliseconds(200);

struct ServeOptions {
  server::ServerOptions server;
  std::string db;  // "": io::default_result_store()
};

void run_serve(ServeOptions& o) {
  const cancellation::Listening listening;  // Ctrl-C stops the server cleanly, below
  o.server.db = o.db.empty() ? io::default_result_store() : o.db;
  o.server.version = HASHPIVOT_VERSION;
  o.server.optimization_json = optimization_json;  // the Study page's optimizer answers as `optimize --json`
  o.server.site_options_json = site_options_json;  // and its real options as `options --site --json`
  o.server.sensitivity_json = sensitivity_json;    // and its tornado as `sensitivity --json`
  server::Server srv(o.server);
  const int port = srv.bind();
  // The address on stdout (one line, flushed) so that a script can start the server with --port 0.
  fmt::print("http://{}:{}/\n", o.server.host.find(':') == std::string::npos ? o.server.host : "[" + o.server.host + "]", port);
  std::fflush(stdout);
  fmt::print(stderr, "hashpivot serve: store {}, scenarios {}, {} worker{}{}; Ctrl-C stops it\n",
             io::redact_store_location(o.server.db), o.server.scenarios_dir, o.server.workers,
             o.server.workers == 1 ? "" : "s", o.server.token.empty() ? "" : ", token required");
  std::thread listener([&srv] { srv.listen(); });
  while (cancellation::stop_signal().load() == 0) std::this_thread::sleep_for(kStopPoll);
  srv.stop();
  listener.join();
  fmt::print(stderr, "hashpivot serve: stopped\n");
}

}  // namespace

constexpr const char* kServeHelp =
    R"(Serve the JSON API (docs/serve.md): post a scenario's TOML to start a run, follow its progress as
server-sent events, cancel it, read the recorded runs. Runs wait in a queue for --workers workers and are
recorded in the store as `hashpivot run` records them. Listens on 127.0.0.1 only, unless --host is given:
any but a loopback host (127.0.0.1, ::1, localhost) then needs --token (sent by clients as "Authorization:
Bearer TOKEN"). Prints its address on stdout; SIGINT or SIGTERM stops it (running runs are cancelled,
nothing half-recorded) with exit code 0.)";

void add_serve_command(CLI::App& app, int& exit_code, const sim::ProcessGroup& /*group*/) {
  const auto [cmd, options] =
      add_command<ServeOptions>(app, exit_code, "serve", kServeHelp, [](ServeOptions& o) { run_serve(o); });
  server::ServerOptions& s = options->server;
  cmd->add_option("--port", s.port, fmt::format("TCP port (default {}; 0: any free one, printed)", s.port))
      ->transform(count_in_range("port", 0, 65535));
  cmd->add_option("--db", options->db, "Result store (default: $HASHPIVOT_DB, else hashpivot.sqlite here)");
  cmd->add_option("--scenarios", s.scenarios_dir,
                  "Folder a posted scenario's relative paths resolve in; no file outside it is read (default: .)");
  cmd->add_option("--host", s.host,
                  "Address to listen on (default 127.0.0.1); any but 127.0.0.1, ::1 or localhost needs --token");
  cmd->add_option("--token", s.token, "Token every request must carry (Authorization: Bearer TOKEN)");
  cmd->add_option("--workers", s.workers, "Runs at once; the others wait (default 1)")
      ->transform(count_in_range("workers", 1, 256));
  cmd->add_option("--threads", s.threads_per_run, "Simulation threads per run (default 1)")
      ->transform(count_in_range("threads", 1, 1024));
}

}  // namespace hashpivot::cli
