#pragma once
// `hashpivot serve`: an HTTP server (cpp-httplib) with the JSON API of docs/serve.md, on
// 127.0.0.1 by default. Runs posted to it are read by the same scenario reader as the CLI, queued
// on a fixed number of workers (JobQueue) and recorded in the result store like `hashpivot run`.
//
// Security (docs/serve.md): another host than loopback only with a token, which every request
// must then carry (Authorization: Bearer); the Host header must name the server (localhost,
// 127.0.0.1, [::1] or --host) against DNS rebinding; request bodies are limited in size (413);
// a posted scenario's files (calibration, history) must lie inside the scenarios folder.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>

namespace hashpivot::firm {
struct Scenario;
}  // namespace hashpivot::firm

namespace hashpivot::study {
struct OptimizationResult;
struct OptimizerSettings;
struct SensitivityResult;
}  // namespace hashpivot::study

namespace hashpivot::server {

/// A site's real options as JSON: `hashpivot serve` passes the CLI's site_options_json (the shape of
/// `hashpivot options SCENARIO --site NAME --json`): (scenario, its label, site, pricing paths, fitting
/// paths, seed).
using SiteOptionsJson = std::function<nlohmann::json(const firm::Scenario&, const std::string&, const std::string&,
                                                     std::size_t, std::size_t, std::uint64_t)>;

/// An optimizer result as JSON: `hashpivot serve` passes the CLI's optimization_json (the shape of
/// `hashpivot optimize --json`), which lives above this library.
using OptimizationJson =
    std::function<nlohmann::json(const study::OptimizationResult&, const study::OptimizerSettings&)>;

/// A sensitivity study as JSON: `hashpivot serve` passes the CLI's sensitivity_json (the shape of
/// `hashpivot sensitivity --json`): (result, the market's opening BTC price in USD, the scenario's
/// mean power price in USD/MWh).
using SensitivityJson = std::function<nlohmann::json(const study::SensitivityResult&, double, double)>;

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8765;                  // 0: any free port (port() says which)
  std::string token;                // required unless host is loopback
  std::string db;                   // the result store (a SQLite file or postgresql://…)
  std::string scenarios_dir = ".";  // a posted scenario's relative paths resolve here, and must stay inside
  unsigned workers = 1;             // runs at once; the others wait
  unsigned threads_per_run = 1;     // simulation threads of each run
  std::size_t max_body_bytes = 1 << 20;  // larger request bodies get 413
  std::size_t max_waiting_runs = 1000;   // more queued runs get 503
  std::string version;              // what /api/health reports
  OptimizationJson optimization_json;  // POST /api/studies/optimize answers 501 without it
  SiteOptionsJson site_options_json;   // POST /api/studies/options answers 501 without it
  SensitivityJson sensitivity_json;    // POST /api/studies/sensitivity answers 501 without it
};

/// True for 127.0.0.1, ::1 and localhost: the hosts that need no token.
[[nodiscard]] bool is_loopback_host(const std::string& host);

/// Whether a request's Host header ("name" or "name:port", "[::1]:port") names this server: a
/// loopback name, or `options.host`. Anything else is a DNS-rebinding page's request and refused.
[[nodiscard]] bool host_header_allowed(const std::string& host_header, const ServerOptions& options);

class Server {
 public:
  /// Checks the options (a non-loopback host without a token, a scenarios folder that is not one,
  /// workers 0: InputError naming the option) and opens the store.
  explicit Server(ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Binds host:port; throws InputError("--port") when it cannot. Returns the port bound.
  int bind();
  /// Serves until stop() (from another thread or a signal's poller). bind() first.
  void listen();
  /// Stops listening, cancels the runs and joins the workers. Idempotent.
  void stop();
  [[nodiscard]] int port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hashpivot::server
