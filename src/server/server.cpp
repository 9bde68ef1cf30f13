#include "hashpivot/server/server.hpp"

#include <fmt/format.h>
#include <httplib.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "hashpivot/core/error.hpp"
#include "hashpivot/firm/scenario.hpp"
#include "hashpivot/io/market_inputs.hpp"
#include "hashpivot/io/result_store.hpp"
#include "hashpivot/io/run_record.hpp"
#include "hashpivot/io/scenario_reader.hpp"
#include "hashpivot/io/toml_reader.hpp"
#include "hashpivot/model/market_model.hpp"
#include "hashpivot/report/format.hpp"
#include "hashpivot/report/run_json.hpp"
#include "hashpivot/server/job_queue.hpp"
#include "hashpivot/sim/simulation.hpp"
#include "dashboard_assets.hpp"
#include "run_charts.hpp"
#include "study.hpp"

namespace hashpivot::server {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

/// HTTP connections served at once: each event stream holds one for as long as it is open, so
/// there are enough for many streams beside the API's short requests.
constexpr std::size_t kConnectionThreads = 64;
/// The listening socket's queue of connections not yet accepted. Debian's cpp-httplib listens with
/// a backlog of 5, which drops connections when many clients connect at once (20 clients starting
/// runs and their streams); the socket is put back into listen() with this one after binding.
constexpr int kListenBacklog = 256;
/// How long an event stream waits for a change before it sends a comment (keeps proxies and
/// clients from timing out, and notices a closed client).
constexpr auto kEventKeepAlive = std::chrono::milliseconds(1000);
/// The most paths a posted run may ask for (the CLI's --paths bound).
constexpr std::int64_t kMaxPaths = 1'000'000'000;
/// The name a posted scenario's text is read under: its relative paths resolve in --scenarios.
// The Study page's optimizer: a small search by default (seconds, not the CLI's minutes).
constexpr std::int64_t kOptimizePaths = 300;
constexpr int kOptimizeEvaluations = 10;
constexpr std::int64_t kMaxOptimizeEvaluations = 200;
// The Study page's real options: `hashpivot options --site`'s default paths (fitting and pricing).
constexpr std::int64_t kSiteOptionPaths = 4000;
constexpr std::int64_t kMaxSiteOptionPaths = 1'000'000;  // each of fitting and pricing (the CLI: 2M together)
constexpr std::string_view kPostedScenarioName = "posted-scenario.toml";

/// The folder levels GET /api/scenarios lists .toml files of: --scenarios itself and its subfolders
/// (the repository's root holds scenarios/ one level down); and the most files it lists.
constexpr int kScenarioListLevels = 2;
constexpr std::size_t kMaxScenarioFiles = 500;

/// JSON, UTF-8 (RFC 8259), sent uncompressed: cpp-httplib 0.11 compresses a response typed exactly
/// "application/json" with brotli at its slowest quality whenever the browser accepts it, which took
/// 2.5 s of a 3.2 s What-if rerun (its 1.6 MB of charts); the charset parameter, which JSON's
/// recipients ignore, keeps the type off that list. On a loopback server compression saves nothing.
void send_json(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(), "application/json; charset=utf-8");
}

/// The dashboard's page, sent uncompressed: cpp-httplib 0.11 compresses a body set as a whole and typed
/// text/* with brotli at its slowest quality whenever the browser accepts it, 0.17-0.20 s for the
/// page's 129 kB on every load (as for JSON above); a body from a provider of known length goes as it is.
void send_page(httplib::Response& res, std::string page) {
  res.set_header("Cache-Control", "no-cache");
  const auto body = std::make_shared<const std::string>(std::move(page));
  res.set_content_provider(body->size(), "text/html; charset=utf-8",
                           [body](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
                             return sink.write(body->data() + offset, length);
                           });
}

void send_error(httplib::Response& res, int status, const std::string& message, const std::string& field = "") {
  json body = {{"error", message}};
  if (!field.empty()) body["field"] = field;
  send_json(res, status, body);
}

/// `read(body)` of a request's JSON body, or nullptr after answering 400: a body that is not JSON,
/// or an InputError, answered with its field (and its line, for a problem in the scenario's text).
template <class Request, class Read>
std::shared_ptr<Request> read_body_or_answer(const httplib::Request& req, httplib::Response& res, const Read& read) {
  try {
    return std::make_shared<Request>(read(json::parse(req.body)));
  } catch (const json::parse_error& e) {
    send_error(res, 400, fmt::format("the body is not JSON: {}", e.what()));
  } catch (const InputError& e) {
    json out = {{"error", e.what()}, {"field", e.field()}};
    if (e.line() > 0) out["line"] = e.line();
    send_json(res, 400, out);
  }
  return nullptr;
}

/// The host part of a Host header: "name:port" → "name", "[::1]:port" → "::1".
std::string host_name(const std::string& header) {
  if (header.starts_with('[')) {
    const auto end = header.find(']');
    return end == std::string::npos ? header : header.substr(1, end - 1);
  }
  const auto colon = header.find(':');
  return colon == std::string::npos ? header : header.substr(0, colon);
}

/// Whether `path` (resolved against `base` when relative) lies inside `root` (both made canonical,
/// so ".." and symbolic links cannot step out).
bool inside(const fs::path& root_dir, const fs::path& base, const std::string& path) {
  const fs::path root = fs::weakly_canonical(root_dir);
  const fs::path resolved = fs::weakly_canonical(fs::path(path).is_absolute() ? fs::path(path) : base / path);
  const auto [end, at] = std::mismatch(root.begin(), root.end(), resolved.begin(), resolved.end());
  return end == root.end();
}

/// A posted run: its scenario as read (with the paths and seed asked for), its text, and its
/// plausibility warnings (recorded with the run, as `hashpivot run` records them).
struct RunRequest {
  firm::Scenario scenario;
  std::string text;
  std::vector<std::string> warnings;
  unsigned threads = 0;  // simulation threads asked for (the What-if page's "all cores"); 0: --threads
  bool variance_reduction = false;  // as run --variance-reduction
};

/// The .toml files in `root` and its folders kScenarioListLevels deep (hidden and build folders and
/// node_modules skipped), as sorted paths relative to it.
std::vector<std::string> scenario_files(const fs::path& root) {
  std::vector<std::string> files;
  std::error_code error;
  fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, error);
  for (; !error && it != fs::recursive_directory_iterator() && files.size() < kMaxScenarioFiles; it.increment(error)) {
    const std::string name = it->path().filename().string();
    if (it->is_directory(error)) {
      if (it.depth() >= kScenarioListLevels - 1 || name.starts_with('.') || name.starts_with("build") || name == "node_modules")
        it.disable_recursion_pending();
      continue;
    }
    if (it->path().extension() == ".toml" && it->is_regular_file(error))
      files.push_back(fs::relative(it->path(), root, error).generic_string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string read_file_text(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

/// A store id from a URL's digits; std::nullopt when it does not fit.
std::optional<std::int64_t> parse_store_id(const std::string& digits) {
  try {
    return std::stoll(digits);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace

bool is_loopback_host(const std::string& host) { return host == "127.0.0.1" || host == "::1" || host == "localhost"; }

bool host_header_allowed(const std::string& host_header, const ServerOptions& options) {
  // Listening on every address (which needs a token, that a rebinding page cannot know): clients
  // name the server by any of them.
  if (options.host == "0.0.0.0" || options.host == "::") return !host_header.empty();
  const std::string name = host_name(host_header);
  return is_loopback_host(name) || name == options.host;
}

struct Server::Impl {
  ServerOptions options;
  fs::path scenarios_dir;
  std::mutex store_mutex;  // the store's connection is used by one thread at a time
  std::unique_ptr<io::ResultStore> store;
  JobQueue queue;
  httplib::Server http;
  std::mutex studies_mutex;
  std::map<std::string, std::shared_ptr<json>> studies;  // a study job's id -> its result once done
  int listening_socket = -1;  // captured when httplib creates it, to widen its backlog
  int bound_port = 0;

  explicit Impl(ServerOptions o)
      : options(std::move(o)), queue(options.workers, options.max_waiting_runs) {}

  // --- Checks every request passes first. ---

  httplib::Server::HandlerResponse screen(const httplib::Request& req, httplib::Response& res) const {
    if (!host_header_allowed(req.get_header_value("Host"), options)) {
      send_error(res, 403, fmt::format("Host \"{}\" is not this server's (DNS rebinding?)", req.get_header_value("Host")));
      return httplib::Server::HandlerResponse::Handled;
    }
    if (!options.token.empty() && req.get_header_value("Authorization") != "Bearer " + options.token) {
      res.set_header("WWW-Authenticate", "Bearer");
      send_error(res, 401, "missing or wrong token (Authorization: Bearer TOKEN, as given to --token)");
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  }

  // --- POST /api/runs. ---

  /// The scenario's files must lie in the scenarios folder: checked on the TOML before the reader
  /// opens any of them.
  void check_scenario_files(const std::string& text, const fs::path& source) const {
    const toml::table document = io::parse_toml_text(text, source.string());
    for (const char* key : {"calibration", "history"}) {
      const std::optional<std::string> path = document["market"][key].value<std::string>();
      if (path && !inside(scenarios_dir, source.parent_path(), *path))
        throw InputError(source.string(), 0, std::string("market.") + key,
                         fmt::format("\"{}\" is outside the server's scenarios folder", *path));
    }
  }

  RunRequest read_request(const json& body) const {
    if (!body.is_object()) throw InputError("request", 0, "", "the body must be a JSON object");
    if (!body.contains("scenario_toml") || !body["scenario_toml"].is_string())
      throw InputError("request", 0, "scenario_toml", "a string with the scenario's TOML is required");
    RunRequest request;
    request.text = body["scenario_toml"].get<std::string>();
    // Where the text is read as if it were a file: its relative paths resolve beside it.
    std::string name(kPostedScenarioName);
    if (body.contains("scenario_path")) {
      if (!body["scenario_path"].is_string())
        throw InputError("request", 0, "scenario_path", "a path inside the server's scenarios folder is required");
      name = body["scenario_path"].get<std::string>();
      if (!inside(scenarios_dir, scenarios_dir, name))
        throw InputError("request", 0, "scenario_path", fmt::format("\"{}\" is outside the server's scenarios folder", name));
    }
    const fs::path source = fs::weakly_canonical(scenarios_dir / name);
    check_scenario_files(request.text, source);
    std::vector<InputWarning> warnings;
    request.scenario = io::read_scenario_text(request.text, source.string(), warnings);
    for (const InputWarning& w : warnings) request.warnings.push_back(w.message());
    if (body.contains("paths")) {
      const json& p = body["paths"];
      if (!p.is_number_integer() || p.get<std::int64_t>() < 1 || p.get<std::int64_t>() > kMaxPaths)
        throw InputError("request", 0, "paths", fmt::format("an integer from 1 to {} is required", kMaxPaths));
      request.scenario.run.paths = p.get<std::int64_t>();
    }
    if (body.contains("seed")) {
      const json& s = body["seed"];
      if (!s.is_number_integer() || (!s.is_number_unsigned() && s.get<std::int64_t>() < 0))
        throw InputError("request", 0, "seed", "a non-negative integer is required");
      request.scenario.run.seed = s.get<std::uint64_t>();
    }
    if (body.contains("threads")) {
      // Results do not depend on the thread count (sim/simulation.hpp), only the time does.
      const unsigned cores = std::max(1U, std::thread::hardware_concurrency());
      const json& t = body["threads"];
      if (!t.is_number_integer() || t.get<std::int64_t>() < 0 || t.get<std::int64_t>() > static_cast<std::int64_t>(cores))
        throw InputError("request", 0, "threads", fmt::format("an integer from 0 (every core) to {} is required", cores));
      request.threads = t.get<std::int64_t>() == 0 ? cores : static_cast<unsigned>(t.get<std::int64_t>());
    }
    if (body.contains("variance_reduction")) {
      if (!body["variance_reduction"].is_boolean())
        throw InputError("request", 0, "variance_reduction", "true or false is required");
      request.variance_reduction = body["variance_reduction"].get<bool>();
    }
    return request;
  }

  /// The work of a run: the same steps as `hashpivot run`, its record saved in the store.
  std::int64_t run(const RunRequest& request, JobContext& context) {
    const auto started_at = std::chrono::system_clock::now();
    const model::MarketModel market = io::load_market_model(request.scenario);
    sim::RunOptions run_options;
    run_options.paths = request.scenario.run.paths;
    run_options.seed = request.scenario.run.seed;
    run_options.threads = request.threads != 0 ? request.threads : options.threads_per_run;
    run_options.stop_signal = &context.stop_flag();
    run_options.variance_reduction = request.variance_reduction;
    run_options.progress = [&](std::int64_t done, std::int64_t total) { context.progress(done, total); };
    const sim::RunResult result = sim::run_simulation(request.scenario, market, run_options);
    io::RunRecord record = io::make_run_record(request.scenario, request.text, result, started_at,
                                               std::chrono::system_clock::now(), options.version);
    record.warnings = request.warnings;
    const std::lock_guard lock(store_mutex);
    return store->save(record);
  }

  void post_run(const httplib::Request& req, httplib::Response& res) {
    const auto request =
        read_body_or_answer<RunRequest>(req, res, [this](const json& body) { return read_request(body); });
    if (!request) return;
    const std::optional<JobSnapshot> job =
        queue.submit(request->scenario.run.name, request->scenario.run.paths,
                     [this, request](JobContext& context) { return run(*request, context); });
    if (!job) {
      send_error(res, 503, "too many runs are waiting; try again later");
      return;
    }
    json out = snapshot_json(*job);
    out["run_id"] = job->id;
    send_json(res, 202, out);
  }

  // --- GET /api/runs, /api/runs/ID. ---

  json recorded_run(std::int64_t id) {
    const std::lock_guard lock(store_mutex);
    std::optional<io::RunRecord> record = store->load(id);
    if (!record) return nullptr;
    json out = report::run_show_json(*record);
    out["status"] = "done";
    return out;
  }

  void get_runs(httplib::Response& res) {
    json runs = json::array();
    {
      const std::lock_guard lock(store_mutex);
      for (const io::RunListing& listing : store->list()) {
        json item = report::run_listing_json(listing);
        item["status"] = "done";
        runs.push_back(std::move(item));
      }
    }
    json jobs = json::array();
    for (const JobSnapshot& job : queue.jobs()) jobs.push_back(snapshot_json(job));
    send_json(res, 200, {{"runs", runs}, {"jobs", jobs}});
  }

  void get_job(const std::string& id, httplib::Response& res) {
    const std::optional<JobSnapshot> job = queue.find(id);
    if (!job) return send_error(res, 404, fmt::format("no run {} (this server's runs are job-1, job-2, …)", id));
    json out = job->store_id ? recorded_run(*job->store_id) : json(nullptr);
    if (out.is_null()) out = json::object();
    out["run_id"] = job->id;
    out["job"] = snapshot_json(*job);
    out["status"] = job_status_name(job->status);
    if (job->status == JobStatus::kFailed) {
      out["error"] = job->error;
      out["field"] = job->error_field;
    }
    send_json(res, 200, out);
  }

  void get_recorded(const std::string& id_text, httplib::Response& res) {
    std::int64_t id = 0;
    try {
      id = std::stoll(id_text);
    } catch (const std::exception&) {
      return send_error(res, 404, fmt::format("no run {}", id_text));
    }
    json out = recorded_run(id);
    if (out.is_null()) return send_error(res, 404, fmt::format("no run {} in the store", id));
    out["run_id"] = id;
    send_json(res, 200, out);
  }

  void cancel(const std::string& id, httplib::Response& res) {
    const std::optional<JobSnapshot> before = queue.find(id);
    if (!before) return send_error(res, 404, fmt::format("no run {}", id));
    if (is_finished(before->status))
      return send_error(res, 409, fmt::format("run {} is already {}", id, job_status_name(before->status)));
    const std::optional<JobSnapshot> after = queue.cancel(id);
    send_json(res, 202, snapshot_json(*after));
  }

  // --- The dashboard's helpers: scenario files, validation, chart data, deleting a record. ---

  void get_scenarios(httplib::Response& res) const {
    send_json(res, 200, {{"scenarios", scenario_files(scenarios_dir)}});
  }

  void get_scenario_file(const httplib::Request& req, httplib::Response& res) const {
    const std::string path = req.get_param_value("path");
    if (path.empty() || !path.ends_with(".toml") || !inside(scenarios_dir, scenarios_dir, path))
      return send_error(res, 400, fmt::format("\"{}\" is not a .toml file inside the server's scenarios folder", path), "path");
    std::error_code error;
    const fs::path file = fs::weakly_canonical(scenarios_dir / path, error);
    if (error || !fs::is_regular_file(file, error)) return send_error(res, 404, fmt::format("no scenario {}", path), "path");
    send_json(res, 200, {{"path", path}, {"scenario_toml", read_file_text(file)}});
  }

  /// POST /api/validate: the posted scenario read as POST /api/runs reads it (nothing is run).
  void validate(const httplib::Request& req, httplib::Response& res) const {
    json body;
    try {
      body = json::parse(req.body);
    } catch (const json::parse_error& e) {
      return send_error(res, 400, fmt::format("the body is not JSON: {}", e.what()));
    }
    try {
      const RunRequest request = read_request(body);
      // The growth its market runs with (the calibration's, or the scenario's keys): what the
      // What-if page's growth sliders start from.
      const model::MarketGrowth growth = model::market_growth(io::load_market_model(request.scenario));
      send_json(res, 200, {{"ok", true}, {"name", request.scenario.run.name}, {"paths", request.scenario.run.paths},
                           {"seed", request.scenario.run.seed}, {"warnings", request.warnings},
                           {"market_growth",
                            {{"btc_price_drift_annual", growth.btc_price_drift_annual},
                             {"hashrate_drift_annual", report::number_or_null(growth.hashrate_drift_annual)},
                             {"network_supply_share_annual", report::number_or_null(growth.network_supply_share_annual)}}}});
    } catch (const InputError& e) {
      json out = {{"ok", false}, {"error", e.what()}, {"field", e.field()}};
      if (e.line() > 0) out["line"] = e.line();
      send_json(res, 200, out);
    }
  }

  void get_charts(const std::string& id_text, httplib::Response& res) {
    std::optional<std::int64_t> id;
    if (id_text.starts_with("job-")) {
      const std::optional<JobSnapshot> job = queue.find(id_text);
      if (job) id = job->store_id;
    } else {
      id = parse_store_id(id_text);
    }
    std::optional<io::RunRecord> record;
    if (id) {
      const std::lock_guard lock(store_mutex);
      record = store->load(*id);
    }
    if (!record) return send_error(res, 404, fmt::format("no recorded run {}", id_text));
    send_json(res, 200, run_charts_json(*record));
  }

  void delete_recorded(const std::string& id_text, httplib::Response& res) {
    const std::optional<std::int64_t> id = parse_store_id(id_text);
    const std::lock_guard lock(store_mutex);
    if (!id || !store->load(*id)) return send_error(res, 404, fmt::format("no run {} in the store", id_text));
    store->remove(*id);
    send_json(res, 200, {{"deleted", *id}});
  }

  // --- The Study page: sensitivity as a job of the queue. ---

  SensitivityRequest read_sensitivity_request(const json& body) const {
    SensitivityRequest request{read_request(body).scenario, {}, false};
    if (body.contains("strategy")) {
      if (!body["strategy"].is_string()) throw InputError("request", 0, "strategy", "a strategy's name is required");
      const std::string name = body["strategy"].get<std::string>();
      for (std::size_t k = 0; k < request.scenario.strategies.size(); ++k)
        if (request.scenario.strategies[k].name == name) request.strategies.push_back(k);
      if (request.strategies.empty())
        throw InputError("request", 0, "strategy", fmt::format("no strategy \"{}\" in the scenario", name));
    }
    if (body.contains("break_evens")) {
      if (!body["break_evens"].is_boolean()) throw InputError("request", 0, "break_evens", "true or false is required");
      request.break_evens = body["break_evens"].get<bool>();
    }
    return request;
  }

  OptimizeRequest read_optimize_request(const json& body) const {
    json defaulted = body;
    if (defaulted.is_object() && !defaulted.contains("paths")) defaulted["paths"] = kOptimizePaths;
    OptimizeRequest request{read_request(defaulted).scenario, 0, kOptimizeEvaluations};
    if (body.contains("evaluations")) {
      const json& e = body["evaluations"];
      if (!e.is_number_integer() || e.get<std::int64_t>() < 1 || e.get<std::int64_t>() > kMaxOptimizeEvaluations)
        throw InputError("request", 0, "evaluations", fmt::format("an integer from 1 to {} is required", kMaxOptimizeEvaluations));
      request.max_evaluations = static_cast<int>(e.get<std::int64_t>());
    }
    if (!body.contains("strategy") || !body["strategy"].is_string())
      throw InputError("request", 0, "strategy", "the name of a strategy with [strategies.search] ranges is required");
    const std::string name = body["strategy"].get<std::string>();
    const auto& strategies = request.scenario.strategies;
    const auto it = std::find_if(strategies.begin(), strategies.end(), [&](const auto& st) { return st.name == name; });
    if (it == strategies.end()) throw InputError("request", 0, "strategy", fmt::format("no strategy \"{}\" in the scenario", name));
    if (it->search.empty())
      throw InputError("request", 0, "strategy", fmt::format("strategy \"{}\" declares no [strategies.search] ranges", name));
    request.strategy = static_cast<std::size_t>(it - strategies.begin());
    return request;
  }

  void post_optimize(const httplib::Request& req, httplib::Response& res) {
    if (!options.optimization_json) return send_error(res, 501, "this server was started without the optimizer");
    const auto request =
        read_body_or_answer<OptimizeRequest>(req, res, [this](const json& body) { return read_optimize_request(body); });
    if (!request) return;
    auto result = std::make_shared<json>();
    // Every core: the search is a short interactive study (results do not depend on threads).
    const unsigned threads = std::max(1U, std::thread::hardware_concurrency());
    const std::optional<JobSnapshot> job = queue.submit(
        "optimize: " + request->scenario.run.name, 0, [this, request, result, threads](JobContext& context) -> std::optional<std::int64_t> {
          json out = run_optimize_study(*request, threads, context, options.optimization_json);
          const std::lock_guard lock(studies_mutex);
          *result = {{"optimization", std::move(out)}};
          return std::nullopt;
        });
    answer_study(job, result, res);
  }

  struct SiteOptionsRequest {
    firm::Scenario scenario;
    std::string label;  // the "scenario" of the answer: the posted path
    std::string site;
    std::size_t paths = 0;
    std::size_t fit_paths = 0;
  };

  SiteOptionsRequest read_site_options_request(const json& body) const {
    json plain = body;
    if (plain.is_object()) {
      plain.erase("paths");  // the options' own path counts, not the scenario's run.paths
      plain.erase("fit_paths");
    }
    SiteOptionsRequest request{read_request(plain).scenario, body.value("scenario_path", std::string(kPostedScenarioName)), "",
                               0, 0};
    if (!body.contains("site") || !body["site"].is_string())
      throw InputError("request", 0, "site", "the name of one of the scenario's sites is required");
    request.site = body["site"].get<std::string>();
    const auto& sites = request.scenario.sites;
    if (std::none_of(sites.begin(), sites.end(), [&](const firm::Site& s) { return s.name == request.site; }))
      throw InputError("request", 0, "site", fmt::format("no site \"{}\" in the scenario", request.site));
    const auto count = [&body](const char* key) {
      if (!body.contains(key)) return static_cast<std::size_t>(kSiteOptionPaths);
      const json& p = body[key];
      if (!p.is_number_integer() || p.get<std::int64_t>() < 1 || p.get<std::int64_t>() > kMaxSiteOptionPaths)
        throw InputError("request", 0, key, fmt::format("an integer from 1 to {} is required", kMaxSiteOptionPaths));
      return static_cast<std::size_t>(p.get<std::int64_t>());
    };
    request.paths = count("paths");
    request.fit_paths = count("fit_paths");
    return request;
  }

  void post_site_options(const httplib::Request& req, httplib::Response& res) {
    if (!options.site_options_json) return send_error(res, 501, "this server was started without the real options");
    const auto request =
        read_body_or_answer<SiteOptionsRequest>(req, res, [this](const json& body) { return read_site_options_request(body); });
    if (!request) return;
    auto result = std::make_shared<json>();
    const std::optional<JobSnapshot> job = queue.submit(
        "options: " + request->site, 0, [this, request, result](JobContext& context) -> std::optional<std::int64_t> {
          // One step: the valuation cannot stop midway (a cancelled job stops before it starts).
          context.progress(0, 1);
          json out = options.site_options_json(request->scenario, request->label, request->site, request->paths,
                                               request->fit_paths, request->scenario.run.seed);
          context.progress(1, 1);
          const std::lock_guard lock(studies_mutex);
          *result = {{"options", std::move(out)}};
          return std::nullopt;
        });
    answer_study(job, result, res);
  }

  void post_sensitivity(const httplib::Request& req, httplib::Response& res) {
    if (!options.sensitivity_json) return send_error(res, 501, "this server was started without the sensitivity study");
    const auto request =
        read_body_or_answer<SensitivityRequest>(req, res, [this](const json& body) { return read_sensitivity_request(body); });
    if (!request) return;
    auto result = std::make_shared<json>();
    const std::optional<JobSnapshot> job = queue.submit(
        "sensitivity: " + request->scenario.run.name, 0, [this, request, result](JobContext& context) -> std::optional<std::int64_t> {
          json out = run_sensitivity_study(*request, options.threads_per_run, context, options.sensitivity_json);
          const std::lock_guard lock(studies_mutex);
          *result = {{"sensitivity", std::move(out)}};
          return std::nullopt;
        });
    answer_study(job, result, res);
  }

  /// 202 with the study's job, its result kept for GET /api/studies/ID; 503 when the queue is full.
  void answer_study(const std::optional<JobSnapshot>& job, const std::shared_ptr<json>& result, httplib::Response& res) {
    if (!job) return send_error(res, 503, "too many runs are waiting; try again later");
    {
      // Kept as long as the queue keeps the job (its newest finished ones), then dropped.
      const std::lock_guard lock(studies_mutex);
      std::erase_if(studies, [this](const auto& entry) { return !queue.find(entry.first); });
      studies[job->id] = result;
    }
    json out = snapshot_json(*job);
    out["study_id"] = job->id;
    send_json(res, 202, out);
  }

  void get_study(const std::string& id, httplib::Response& res) {
    const std::optional<JobSnapshot> job = queue.find(id);
    std::shared_ptr<json> result;
    {
      const std::lock_guard lock(studies_mutex);
      if (const auto it = studies.find(id); it != studies.end()) result = it->second;
    }
    if (!job || !result) return send_error(res, 404, fmt::format("no study {}", id));
    json out = {{"study_id", id}, {"job", snapshot_json(*job)}, {"status", job_status_name(job->status)}};
    if (job->status == JobStatus::kDone) {
      const std::lock_guard lock(studies_mutex);
      for (const auto& [key, value] : result->items()) out[key] = value;
    }
    if (job->status == JobStatus::kFailed) {
      out["error"] = job->error;
      out["field"] = job->error_field;
    }
    send_json(res, 200, out);
  }

  // --- GET /api/runs/ID/events: server-sent events. ---

  static std::string event_text(const JobSnapshot& job) {
    const char* name = job.status == JobStatus::kDone        ? "done"
                       : job.status == JobStatus::kFailed    ? "failed"
                       : job.status == JobStatus::kCancelled ? "cancelled"
                                                             : "progress";
    return fmt::format("event: {}\ndata: {}\n\n", name, snapshot_json(job).dump());
  }

  void events(const std::string& id, httplib::Response& res) {
    if (!queue.find(id)) return send_error(res, 404, fmt::format("no run {}", id));
    res.set_header("Cache-Control", "no-cache");
    auto seen = std::make_shared<std::optional<std::uint64_t>>();
    res.set_chunked_content_provider("text/event-stream", [this, id, seen](std::size_t, httplib::DataSink& sink) {
      // One step per call: send the state once it changed (the first call sends it at once); a
      // comment when nothing changed, which fails once the client has gone.
      const std::optional<JobSnapshot> job =
          *seen ? queue.wait_for_change(id, **seen, kEventKeepAlive) : queue.find(id);
      if (!job) return false;
      if (*seen && job->version == **seen) {
        if (queue.shutting_down()) return false;
        const std::string comment = ": waiting\n\n";
        return sink.write(comment.data(), comment.size());
      }
      *seen = job->version;
      const std::string text = event_text(*job);
      if (!sink.write(text.data(), text.size())) return false;
      if (is_finished(job->status)) sink.done();
      return true;
    });
  }

  void routes() {
    http.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) { return screen(req, res); });
    http.set_error_handler([](const httplib::Request&, httplib::Response& res) {
      if (!res.body.empty()) return;
      if (res.status == 413) return send_error(res, 413, "the request body is too large");
      send_error(res, res.status, res.status == 404 ? "no such endpoint" : "request refused");
    });
    http.Get("/", [](const httplib::Request&, httplib::Response& res) { send_page(res, assets::dashboard_html()); });
    // The browser asks for an icon on its own; there is none (204, not a 404 in its console).
    http.Get("/favicon.ico", [](const httplib::Request&, httplib::Response& res) { res.status = 204; });
    http.Post("/api/studies/sensitivity", [this](const httplib::Request& req, httplib::Response& res) { post_sensitivity(req, res); });
    http.Post("/api/studies/optimize", [this](const httplib::Request& req, httplib::Response& res) { post_optimize(req, res); });
    http.Post("/api/studies/options", [this](const httplib::Request& req, httplib::Response& res) { post_site_options(req, res); });
    http.Get(R"(/api/studies/(job-\d+))", [this](const httplib::Request& req, httplib::Response& res) { get_study(req.matches[1], res); });
    http.Get("/api/scenarios", [this](const httplib::Request&, httplib::Response& res) { get_scenarios(res); });
    http.Get("/api/scenario", [this](const httplib::Request& req, httplib::Response& res) { get_scenario_file(req, res); });
    http.Post("/api/validate", [this](const httplib::Request& req, httplib::Response& res) { validate(req, res); });
    http.Get(R"(/api/runs/(job-\d+|\d+)/charts)", [this](const httplib::Request& req, httplib::Response& res) { get_charts(req.matches[1], res); });
    http.Delete(R"(/api/runs/(\d+))", [this](const httplib::Request& req, httplib::Response& res) { delete_recorded(req.matches[1], res); });
    http.Get("/api/health", [this](const httplib::Request&, httplib::Response& res) {
      send_json(res, 200, {{"ok", true}, {"version", options.version}});
    });
    http.Post("/api/runs", [this](const httplib::Request& req, httplib::Response& res) { post_run(req, res); });
    http.Get("/api/runs", [this](const httplib::Request&, httplib::Response& res) { get_runs(res); });
    http.Get(R"(/api/runs/(job-\d+))", [this](const httplib::Request& req, httplib::Response& res) { get_job(req.matches[1], res); });
    http.Get(R"(/api/runs/(\d+))", [this](const httplib::Request& req, httplib::Response& res) { get_recorded(req.matches[1], res); });
    http.Get(R"(/api/runs/(job-\d+)/events)", [this](const httplib::Request& req, httplib::Response& res) { events(req.matches[1], res); });
    http.Delete(R"(/api/runs/(job-\d+))", [this](const httplib::Request& req, httplib::Response& res) { cancel(req.matches[1], res); });
    http.Post(R"(/api/runs/(job-\d+)/cancel)", [this](const httplib::Request& req, httplib::Response& res) { cancel(req.matches[1], res); });
  }
};

Server::Server(ServerOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {
  const ServerOptions& o = impl_->options;
  if (!is_loopback_host(o.host) && o.token.empty())
    throw InputError("--host", 0, "--token", fmt::format("serving on {} (not loopback) needs --token", o.host));
  std::error_code error;
  if (!fs::is_directory(o.scenarios_dir, error))
    throw InputError(o.scenarios_dir, 0, "--scenarios", "not a folder");
  impl_->scenarios_dir = fs::canonical(o.scenarios_dir);
  impl_->store = io::open_result_store(o.db);
  impl_->http.set_payload_max_length(o.max_body_bytes);
  impl_->http.new_task_queue = [] { return new httplib::ThreadPool(kConnectionThreads); };
  impl_->http.set_socket_options([impl = impl_.get()](int socket) {
    httplib::default_socket_options(socket);
    impl->listening_socket = socket;
  });
  impl_->routes();
}

Server::~Server() { stop(); }

int Server::bind() {
  const ServerOptions& o = impl_->options;
  const int port = o.port == 0 ? impl_->http.bind_to_any_port(o.host) : (impl_->http.bind_to_port(o.host, o.port) ? o.port : -1);
  if (port <= 0) throw InputError(o.host, 0, "--port", fmt::format("cannot listen on {}:{}", o.host, o.port));
  // listen() again on a listening socket only changes its backlog (see kListenBacklog).
  if (impl_->listening_socket >= 0) static_cast<void>(::listen(impl_->listening_socket, kListenBacklog));
  impl_->bound_port = port;
  return port;
}

void Server::listen() { impl_->http.listen_after_bind(); }

void Server::stop() {
  impl_->queue.shutdown();  // first: the event streams end, and their connections with them
  impl_->http.stop();
}

int Server::port() const { return impl_->bound_port; }

}  // namespace hashpivot::server
