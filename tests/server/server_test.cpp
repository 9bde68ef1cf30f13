// `hashpivot serve`'s API (server/server.hpp) over real HTTP on 127.0.0.1: every endpoint's errors
// get their status and a message, runs go through the queue into the store exactly once each, 20
// concurrent clients are all served, and the server bound to loopback is not reachable through
// the machine's other addresses.

#include "hashpivot/server/server.hpp"

#include <gtest/gtest.h>
#include <httplib.h>
#include <ifaddrs.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <unistd.h>

#include <chrono>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "hashpivot/core/error.hpp"
#include "hashpivot/io/calibration_reader.hpp"
#include "hashpivot/io/result_store.hpp"
#include "hashpivot/market/fit.hpp"
#include "sensitivity_command.hpp"
#include "support/test_scenario.hpp"

namespace hashpivot::server {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// Test inputs, not a calibrated case: a small S21 miner over one year, two strategies, few paths.
std::string small_scenario(std::int64_t paths = 64) {
  return testing::s21_miner_toml(testing::scenario_toml("serve test miner", 1, paths, 7), 60) +
         testing::treasury_toml(100, 5e6, 1e6) + testing::hold_and_sell_all_toml();
}

/// A server on a free port of 127.0.0.1 over a fresh SQLite store, listening on its own thread;
/// scenarios resolve in the data folder (where the test market's calibration lies).
class ServedApi {
 public:
  explicit ServedApi(ServerOptions options = {}) {
    static int counter = 0;
    db_ = fs::temp_directory_path() / ("serve_test_" + std::to_string(::getpid()) + "_" + std::to_string(++counter) + ".sqlite");
    fs::remove(db_);
    options.port = 0;
    options.db = db_.string();
    if (options.scenarios_dir == ".") options.scenarios_dir = HASHPIVOT_TEST_DATA_DIR;
    options.version = "test";
    server_ = std::make_unique<Server>(options);
    port_ = server_->bind();
    listener_ = std::thread([this] { server_->listen(); });
  }
  ~ServedApi() {
    server_->stop();
    listener_.join();
    server_.reset();
    fs::remove(db_);
  }
  [[nodiscard]] int port() const { return port_; }
  [[nodiscard]] const fs::path& db() const { return db_; }
  [[nodiscard]] httplib::Client client() const {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(60, 0);
    return c;
  }

 private:
  fs::path db_;
  std::unique_ptr<Server> server_;
  int port_ = 0;
  std::thread listener_;
};

json body_of(const httplib::Result& r) { return json::parse(r->body); }

/// POSTs a run and returns its id ("job-N"), asserting 202.
std::string start_run(httplib::Client& c, const std::string& toml, std::int64_t paths, std::uint64_t seed) {
  const json request = {{"scenario_toml", toml}, {"paths", paths}, {"seed", seed}};
  const httplib::Result r = c.Post("/api/runs", request.dump(), "application/json");
  EXPECT_TRUE(r) << httplib::to_string(r.error());
  if (!r) return "";
  EXPECT_EQ(r->status, 202) << r->body;
  return body_of(r)["run_id"].get<std::string>();
}

/// The run's event stream read to its end: the events' names and data, in order.
std::vector<std::pair<std::string, json>> read_events(httplib::Client& c, const std::string& id) {
  std::string text;
  const httplib::Result r = c.Get(("/api/runs/" + id + "/events").c_str(), [&](const char* data, std::size_t n) {
    text.append(data, n);
    return true;
  });
  EXPECT_TRUE(r);
  std::vector<std::pair<std::string, json>> events;
  std::size_t at = 0;
  for (std::size_t end; (end = text.find("\n\n", at)) != std::string::npos; at = end + 2) {
    const std::string block = text.substr(at, end - at);
    if (block.starts_with(':')) continue;  // keep-alive comment
    const auto data = block.find("\ndata: ");
    events.emplace_back(block.substr(7, data - 7), json::parse(block.substr(data + 7)));
  }
  return events;
}

TEST(ServeHosts, loopback_names_and_the_given_host_pass_the_host_check_and_nothing_else) {
  ServerOptions o;
  for (const char* ok : {"127.0.0.1", "127.0.0.1:8765", "localhost:1", "[::1]:8765", "localhost"})
    EXPECT_TRUE(host_header_allowed(ok, o)) << ok;
  for (const char* bad : {"", "evil.example", "evil.example:8765", "127.0.0.1.evil.example", "[::2]:1", "10.0.0.5:8765"})
    EXPECT_FALSE(host_header_allowed(bad, o)) << bad;
  o.host = "10.0.0.5";
  EXPECT_TRUE(host_header_allowed("10.0.0.5:8765", o));
  EXPECT_FALSE(host_header_allowed("evil.example", o));
  // Listening on every address (a token is then required): any name the clients use.
  o.host = "0.0.0.0";
  EXPECT_TRUE(host_header_allowed("10.0.0.7:8765", o));
  EXPECT_FALSE(host_header_allowed("", o));
}

TEST(ServeOptions, another_host_than_loopback_needs_a_token_and_the_scenarios_folder_must_exist) {
  ServerOptions o;
  o.host = "0.0.0.0";
  try {
    Server s(o);
    FAIL() << "no token accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(e.field(), "--token");
  }
  o = {};
  o.scenarios_dir = "/nonexistent-folder";
  try {
    Server s(o);
    FAIL() << "missing folder accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(e.field(), "--scenarios");
  }
}

TEST(ServeApi, health_and_the_dashboard_page) {
  ServedApi api;
  httplib::Client c = api.client();
  const httplib::Result r = c.Get("/api/health");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(body_of(r), (json{{"ok", true}, {"version", "test"}}));
  const httplib::Result page = c.Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("hashpivot"), std::string::npos);
  // The dashboard, script and styles inlined: nothing for the browser to fetch from elsewhere.
  EXPECT_EQ(page->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(page->body.find("<div id=\"app\"></div><script>"), std::string::npos);
  EXPECT_EQ(page->body.find("src=\"http"), std::string::npos);
  EXPECT_EQ(page->body.find("<link"), std::string::npos);
  const httplib::Result icon = c.Get("/favicon.ico");
  ASSERT_TRUE(icon);
  EXPECT_EQ(icon->status, 204);
}

TEST(ServeApi, the_scenario_files_are_listed_and_read_only_inside_the_scenarios_folder) {
  const fs::path dir = fs::temp_directory_path() / ("serve_scenarios_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  for (const char* folder : {"sub/deep", ".hidden"}) fs::create_directories(dir / folder);
  for (const char* file : {"a.toml", "sub/b.toml", "sub/deep/c.toml", ".hidden/d.toml", "notes.txt"})
    std::ofstream(dir / file) << "# " << file << "\n";
  ServerOptions o;
  o.scenarios_dir = dir.string();
  {
    ServedApi api(o);
    httplib::Client c = api.client();
    const httplib::Result list = c.Get("/api/scenarios");
    ASSERT_TRUE(list);
    // Two levels deep (the repository's root holds scenarios/), hidden folders skipped, sorted.
    EXPECT_EQ(body_of(list)["scenarios"], (json{"a.toml", "sub/b.toml"}));
    const httplib::Result file = c.Get("/api/scenario?path=sub/b.toml");
    ASSERT_TRUE(file);
    EXPECT_EQ(file->status, 200);
    EXPECT_EQ(body_of(file)["scenario_toml"], "# sub/b.toml\n");
    for (const auto& [path, status] : std::vector<std::pair<std::string, int>>{
             {"../a.toml", 400}, {"/etc/hosts.toml", 400}, {"notes.txt", 400}, {"", 400}, {"missing.toml", 404}}) {
      const httplib::Result r = c.Get(("/api/scenario?path=" + path).c_str());
      ASSERT_TRUE(r) << path;
      EXPECT_EQ(r->status, status) << path << ": " << r->body;
      EXPECT_EQ(body_of(r)["field"], "path") << path;
      EXPECT_FALSE(body_of(r)["error"].get<std::string>().empty());
    }
  }
  fs::remove_all(dir);
}

// A browser accepts brotli; the JSON answers come uncompressed all the same (compressing a run's 1.6 MB
// of charts at brotli's default quality took 2.5 s of the What-if's 3.2 s rerun), typed as UTF-8 JSON.
TEST(ServeApi, json_goes_uncompressed_to_a_browser_that_accepts_brotli) {
  ServedApi api;
  httplib::Client c = api.client();
  c.set_decompress(false);
  const httplib::Headers browser{{"Accept-Encoding", "gzip, deflate, br"}};
  const httplib::Result listed = c.Get("/api/scenarios", browser);
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->status, 200);
  EXPECT_FALSE(listed->has_header("Content-Encoding")) << listed->get_header_value("Content-Encoding");
  EXPECT_EQ(listed->get_header_value("Content-Type"), "application/json; charset=utf-8");
  EXPECT_TRUE(json::parse(listed->body).contains("scenarios"));
  const httplib::Result validated =
      c.Post("/api/validate", browser, json{{"scenario_toml", small_scenario()}}.dump(), "application/json");
  ASSERT_TRUE(validated);
  EXPECT_FALSE(validated->has_header("Content-Encoding"));
  EXPECT_EQ(json::parse(validated->body)["ok"], true);
}

// The page too: compressing its 129 kB at brotli's slowest quality (cpp-httplib's default) took 0.17-0.20 s of every load.
TEST(ServeApi, the_page_goes_uncompressed_to_a_browser_that_accepts_brotli) {
  ServedApi api;
  httplib::Client c = api.client();
  c.set_decompress(false);
  const httplib::Result page = c.Get("/", {{"Accept-Encoding", "gzip, deflate, br"}});
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_FALSE(page->has_header("Content-Encoding")) << page->get_header_value("Content-Encoding");
  EXPECT_EQ(page->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(page->get_header_value("Cache-Control"), "no-cache");
  EXPECT_EQ(page->get_header_value("Content-Length"), std::to_string(page->body.size()));
  // The whole page, as a client that accepts no compression gets it.
  const httplib::Result plain = c.Get("/");
  ASSERT_TRUE(plain);
  EXPECT_EQ(page->body.size(), plain->body.size());
  EXPECT_TRUE(page->body == plain->body);  // not EXPECT_EQ: a mismatch would print 129 kB
  EXPECT_NE(page->body.find("<script"), std::string::npos);
  EXPECT_NE(page->body.find("</html>"), std::string::npos);
}

TEST(ServeApi, validate_reads_a_scenario_as_a_run_would_and_names_the_bad_field_and_line) {
  ServedApi api;
  httplib::Client c = api.client();
  const auto validate = [&](const std::string& toml) {
    const httplib::Result r = c.Post("/api/validate", json{{"scenario_toml", toml}}.dump(), "application/json");
    EXPECT_TRUE(r);
    EXPECT_EQ(r->status, 200) << r->body;
    return body_of(r);
  };
  const json ok = validate(small_scenario());
  EXPECT_EQ(ok["ok"], true) << ok.dump();
  EXPECT_EQ(ok["name"], "serve test miner");
  EXPECT_EQ(ok["paths"], 64);
  // The growth its market runs with: the calibration file's jump-diffusion drift (the default price
  // model) and an exogenous network's drift; a margin-driven network's supply share as the scenario states it.
  const market::Calibration calibration =
      io::read_calibration_toml(std::string(HASHPIVOT_TEST_DATA_DIR) + "/calibration/halving_2024_market.toml");
  EXPECT_EQ(ok["market_growth"]["btc_price_drift_annual"].get<double>(),
            market::report_parameter(calibration.report("btc_price", "jump_diffusion"), "mu_annual"));
  EXPECT_TRUE(ok["market_growth"]["hashrate_drift_annual"].is_number());
  EXPECT_TRUE(ok["market_growth"]["network_supply_share_annual"].is_null());
  const json margin = validate(testing::s21_miner_toml(testing::scenario_toml("serve test miner", 1, 64, 7), 60,
                                                       "hashrate_model = \"margin_driven\"\nnetwork_supply_share_annual = 0.5\n") +
                               testing::treasury_toml(100, 5e6, 1e6) + testing::hold_and_sell_all_toml());
  EXPECT_EQ(margin["market_growth"]["network_supply_share_annual"], 0.5) << margin.dump();
  EXPECT_TRUE(margin["market_growth"]["hashrate_drift_annual"].is_null());
  std::string bad = small_scenario();
  bad.replace(bad.find("horizon_years = 1"), 17, "horizon_years = 50");
  const json invalid = validate(bad);
  EXPECT_EQ(invalid["ok"], false);
  EXPECT_EQ(invalid["field"], "scenario.horizon_years");
  // The line of horizon_years, counted from 1 as the reader counts.
  const auto line = static_cast<int>(std::count(bad.begin(), bad.begin() + static_cast<std::ptrdiff_t>(bad.find("horizon_years")), '\n')) + 1;
  EXPECT_EQ(invalid["line"], line);
  EXPECT_NE(invalid["error"].get<std::string>().find("got 50"), std::string::npos);
  const json syntax = validate("[scenario]\nname = \"x\"\nhorizon_years = [1\n");
  EXPECT_EQ(syntax["ok"], false);
  EXPECT_GE(syntax["line"].get<int>(), 3);
  const httplib::Result not_json = c.Post("/api/validate", "{", "application/json");
  ASSERT_TRUE(not_json);
  EXPECT_EQ(not_json->status, 400);
}

TEST(ServeApi, a_sensitivity_study_runs_as_a_job_and_records_no_run) {
  ServerOptions o;
  o.sensitivity_json = cli::sensitivity_json;  // as `hashpivot serve` passes it: the study answers as the CLI does
  ServedApi api(o);
  httplib::Client c = api.client();
  const json request = {{"scenario_toml", small_scenario()}, {"paths", 40}, {"strategy", "hold"}};
  {
    ServedApi without;  // a server given no JSON builder has no sensitivity study
    httplib::Client w = without.client();
    const httplib::Result refused = w.Post("/api/studies/sensitivity", request.dump(), "application/json");
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 501);
  }
  const httplib::Result posted = c.Post("/api/studies/sensitivity", request.dump(), "application/json");
  ASSERT_TRUE(posted);
  ASSERT_EQ(posted->status, 202) << posted->body;
  const std::string id = body_of(posted)["study_id"].get<std::string>();
  const auto events = read_events(c, id);
  ASSERT_EQ(events.back().first, "done");
  EXPECT_FALSE(events.back().second.contains("store_id"));
  const httplib::Result got = c.Get(("/api/studies/" + id).c_str());
  ASSERT_TRUE(got);
  const json study = body_of(got)["sensitivity"];
  EXPECT_EQ(study["paths"], 40);
  ASSERT_EQ(study["strategies"].size(), 1U);
  EXPECT_EQ(study["strategies"][0]["name"], "hold");
  // The base and two runs for each input the scenario has (at least the price drift): the last
  // event counted them all.
  EXPECT_FALSE(study["strategies"][0]["tornado"].empty());
  EXPECT_GE(study["runs"].get<int>(), 3);
  EXPECT_EQ(events.back().second["done"], study["runs"]);
  EXPECT_EQ(events.back().second["total"], study["runs"]);
  EXPECT_TRUE(io::open_result_store(api.db().string())->list().empty());
  // Errors: an unknown strategy, an unknown study.
  const json bad = {{"scenario_toml", small_scenario()}, {"strategy", "nope"}};
  const httplib::Result refused = c.Post("/api/studies/sensitivity", bad.dump(), "application/json");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 400);
  EXPECT_EQ(body_of(refused)["field"], "strategy");
  EXPECT_EQ(c.Get("/api/studies/job-99")->status, 404);
}

TEST(ServeApi, the_optimizer_study_refuses_bad_requests_and_answers_501_without_its_json_builder) {
  {
    // A server started without the CLI's JSON builder (hashpivot serve passes optimization_json).
    ServedApi bare;
    httplib::Client c = bare.client();
    const httplib::Result r = c.Post("/api/studies/optimize", json{{"scenario_toml", small_scenario()}}.dump(), "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 501) << r->body;
    EXPECT_FALSE(body_of(r).value("error", "").empty());
  }
  ServerOptions options;
  options.optimization_json = [](const study::OptimizationResult&, const study::OptimizerSettings&) {
    return json{{"never", "called"}};
  };
  ServedApi api(options);
  httplib::Client c = api.client();
  const auto refused = [&](const std::string& body, const std::string& field) {
    const httplib::Result r = c.Post("/api/studies/optimize", body, "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << r->body;
    EXPECT_FALSE(body_of(r).value("error", "").empty()) << r->body;
    EXPECT_EQ(body_of(r).value("field", ""), field) << r->body;
  };
  refused("{not json", "");
  refused(json{{"strategy", "hold"}}.dump(), "scenario_toml");
  refused(json{{"scenario_toml", small_scenario()}}.dump(), "strategy");
  refused(json{{"scenario_toml", small_scenario()}, {"strategy", "no_such"}}.dump(), "strategy");
  // hold declares no [strategies.search] ranges: nothing to search.
  refused(json{{"scenario_toml", small_scenario()}, {"strategy", "hold"}}.dump(), "strategy");
  refused(json{{"scenario_toml", small_scenario()}, {"strategy", "hold"}, {"evaluations", 0}}.dump(), "evaluations");
  refused(json{{"scenario_toml", small_scenario()}, {"strategy", "hold"}, {"paths", -3}}.dump(), "paths");
  const httplib::Result unknown = c.Get("/api/studies/job-99");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
}

TEST(ServeApi, the_site_options_study_refuses_bad_requests_and_answers_501_without_its_json_builder) {
  {
    ServedApi bare;  // without the CLI's site_options_json
    httplib::Client c = bare.client();
    const httplib::Result r = c.Post("/api/studies/options", json{{"scenario_toml", small_scenario()}}.dump(), "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 501) << r->body;
  }
  ServerOptions options;
  // A stand-in for the CLI's builder: what the job passes it, so the test sees the request's defaults.
  options.site_options_json = [](const firm::Scenario&, const std::string& label, const std::string& site, std::size_t paths,
                                 std::size_t fit_paths, std::uint64_t seed) {
    return json{{"scenario", label}, {"site", site}, {"paths", paths}, {"fit_paths", fit_paths}, {"seed", seed}};
  };
  ServedApi api(options);
  httplib::Client c = api.client();
  const auto refused = [&](const std::string& body, const std::string& field) {
    const httplib::Result r = c.Post("/api/studies/options", body, "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << r->body;
    EXPECT_FALSE(body_of(r).value("error", "").empty()) << r->body;
    EXPECT_EQ(body_of(r).value("field", ""), field) << r->body;
  };
  refused("{not json", "");
  refused(json{{"site", "a"}}.dump(), "scenario_toml");
  refused(json{{"scenario_toml", small_scenario()}}.dump(), "site");
  refused(json{{"scenario_toml", small_scenario()}, {"site", "no_such_site"}}.dump(), "site");
  refused(json{{"scenario_toml", small_scenario()}, {"site", "site"}, {"fit_paths", 0}}.dump(), "fit_paths");
  // A valid request: queued, then the builder's JSON under "options", with the CLI's 4000 + 4000
  // paths and the scenario's seed (7) unless given.
  const httplib::Result r = c.Post("/api/studies/options", json{{"scenario_toml", small_scenario()}, {"site", "site"}, {"paths", 500}}.dump(),
                                   "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 202) << r->body;
  const std::string id = body_of(r)["study_id"].get<std::string>();
  EXPECT_EQ(read_events(c, id).back().first, "done");
  const json study = body_of(c.Get(("/api/studies/" + id).c_str()));
  EXPECT_EQ(study["options"], (json{{"scenario", "posted-scenario.toml"}, {"site", "site"}, {"paths", 500}, {"fit_paths", 4000}, {"seed", 7}}));
}

TEST(ServeApi, a_recorded_runs_chart_data_and_deleting_it) {
  ServedApi api;
  httplib::Client c = api.client();
  const std::string toml = small_scenario();
  const std::string id = start_run(c, toml, 40, 3);
  ASSERT_EQ(read_events(c, id).back().first, "done");
  const httplib::Result charts = c.Get(("/api/runs/" + id + "/charts").c_str());
  ASSERT_TRUE(charts);
  ASSERT_EQ(charts->status, 200) << charts->body;
  const json data = body_of(charts);
  const std::int64_t store_id = data["run"]["id"].get<std::int64_t>();
  EXPECT_EQ(data["run"]["paths"], 40);
  EXPECT_EQ(data["scenario_toml"], toml);
  // One year from the start date: 12 or 13 months, each with the market's BTC price.
  EXPECT_GE(data["months"].size(), 12U);
  EXPECT_LE(data["months"].size(), 13U);
  ASSERT_EQ(data["strategies"].size(), 2U);
  EXPECT_EQ(data["strategies"][0]["strategy"], "hold");
  EXPECT_FALSE(data["monthly_quantiles"].empty());
  EXPECT_FALSE(data["monthly_accounts"].empty());
  const io::RunRecord record = io::open_result_store(api.db().string())->load_or_throw(store_id);
  EXPECT_EQ(data["monthly_quantiles"].size(), record.monthly_quantiles.size());
  EXPECT_EQ(data["default_months"].size(), record.default_months.size());
  // The same under the store's id; then deleted, it is gone (404), and so is a second delete.
  const std::string path = "/api/runs/" + std::to_string(store_id);
  EXPECT_EQ(c.Get((path + "/charts").c_str())->body, charts->body);
  const httplib::Result deleted = c.Delete(path.c_str());
  ASSERT_TRUE(deleted);
  EXPECT_EQ(deleted->status, 200);
  EXPECT_EQ(body_of(deleted)["deleted"], store_id);
  EXPECT_EQ(c.Get(path.c_str())->status, 404);
  EXPECT_EQ(c.Get((path + "/charts").c_str())->status, 404);
  EXPECT_EQ(c.Delete(path.c_str())->status, 404);
  EXPECT_EQ(c.Delete("/api/runs/99999999999999999999")->status, 404);
  EXPECT_EQ(c.Get("/api/runs/job-999/charts")->status, 404);
  EXPECT_TRUE(io::open_result_store(api.db().string())->list().empty());
}

TEST(ServeApi, bad_requests_get_their_status_and_a_message) {
  ServerOptions o;
  o.max_body_bytes = 64 * 1024;
  ServedApi api(o);
  httplib::Client c = api.client();
  const auto expect_error = [](const httplib::Result& r, int status, const std::string& field = "") {
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, status) << r->body;
    const json body = json::parse(r->body);
    EXPECT_FALSE(body["error"].get<std::string>().empty());
    if (!field.empty()) {
      EXPECT_EQ(body.value("field", ""), field) << r->body;
    }
  };
  expect_error(c.Post("/api/runs", "{not json", "application/json"), 400);
  expect_error(c.Post("/api/runs", "[1, 2]", "application/json"), 400);
  expect_error(c.Post("/api/runs", R"({"paths": 10})", "application/json"), 400, "scenario_toml");
  expect_error(c.Post("/api/runs", json{{"scenario_toml", small_scenario()}, {"paths", 0}}.dump(), "application/json"), 400,
               "paths");
  expect_error(c.Post("/api/runs", json{{"scenario_toml", small_scenario()}, {"seed", -1}}.dump(), "application/json"), 400,
               "seed");
  // threads: 0 (every core) up to the machine's cores; more, a negative or a non-integer is refused.
  const unsigned cores = std::max(1U, std::thread::hardware_concurrency());
  for (const json& threads : {json(cores + 1), json(-1), json(1.5), json("all")})
    expect_error(c.Post("/api/runs", json{{"scenario_toml", small_scenario()}, {"threads", threads}}.dump(), "application/json"),
                 400, "threads");
  expect_error(c.Post("/api/runs", json{{"scenario_toml", small_scenario()}, {"variance_reduction", 1}}.dump(),
                      "application/json"),
               400, "variance_reduction");
  // An invalid scenario: the reader's message and the key it names.
  std::string bad = small_scenario();
  bad.replace(bad.find("horizon_years = 1"), 17, "horizon_years = 99");
  const httplib::Result invalid = c.Post("/api/runs", json{{"scenario_toml", bad}}.dump(), "application/json");
  expect_error(invalid, 400, "scenario.horizon_years");
  EXPECT_NE(body_of(invalid)["error"].get<std::string>().find("horizon_years"), std::string::npos);
  // A TOML syntax error names its line.
  const httplib::Result syntax = c.Post("/api/runs", json{{"scenario_toml", "[scenario\n"}}.dump(), "application/json");
  expect_error(syntax, 400);
  EXPECT_EQ(body_of(syntax)["line"], 1);
  // No file outside the scenarios folder is read.
  std::string outside = small_scenario();
  const auto calibration = outside.find("calibration = \"");
  outside.replace(calibration, outside.find('\n', calibration) - calibration, "calibration = \"../../../../../etc/passwd\"");
  expect_error(c.Post("/api/runs", json{{"scenario_toml", outside}}.dump(), "application/json"), 400, "market.calibration");
  expect_error(c.Post("/api/runs", json{{"scenario_toml", small_scenario()}, {"scenario_path", "../x.toml"}}.dump(),
                      "application/json"),
               400, "scenario_path");
  // A relative path inside the folder is read, beside the place the text is read as.
  std::string relative = small_scenario();
  relative.replace(calibration, relative.find('\n', calibration) - calibration,
                   "calibration = \"../calibration/halving_2024_market.toml\"");
  const httplib::Result accepted = c.Post(
      "/api/runs", json{{"scenario_toml", relative}, {"scenario_path", "history/posted.toml"}}.dump(), "application/json");
  ASSERT_TRUE(accepted);
  EXPECT_EQ(accepted->status, 202) << accepted->body;
  // Oversize bodies, unknown runs, unknown endpoints.
  expect_error(c.Post("/api/runs", std::string(100 * 1024, ' '), "application/json"), 413);
  expect_error(c.Get("/api/runs/job-999"), 404);
  expect_error(c.Get("/api/runs/999999"), 404);
  expect_error(c.Get("/api/runs/job-999/events"), 404);
  expect_error(c.Delete("/api/runs/job-999"), 404);
  expect_error(c.Get("/api/nothing"), 404);
}

TEST(ServeApi, a_foreign_host_header_is_refused) {
  ServedApi api;
  httplib::Client c = api.client();
  const httplib::Result r = c.Get("/api/health", {{"Host", "evil.example:" + std::to_string(api.port())}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  EXPECT_NE(body_of(r)["error"].get<std::string>().find("evil.example"), std::string::npos);
}

TEST(ServeApi, with_a_token_every_request_must_carry_it) {
  ServerOptions o;
  o.token = "s3cret";
  ServedApi api(o);
  httplib::Client c = api.client();
  for (const httplib::Headers& headers :
       {httplib::Headers{}, httplib::Headers{{"Authorization", "Bearer wrong"}}, httplib::Headers{{"Authorization", "s3cret"}}}) {
    const httplib::Result r = c.Get("/api/health", headers);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 401);
    EXPECT_FALSE(body_of(r)["error"].get<std::string>().empty());
  }
  const httplib::Result posted = c.Post("/api/runs", "{}", "application/json");
  ASSERT_TRUE(posted);
  EXPECT_EQ(posted->status, 401);
  const httplib::Result ok = c.Get("/api/health", {{"Authorization", "Bearer s3cret"}});
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
}

TEST(ServeApi, a_run_streams_its_progress_then_is_recorded_as_runs_show_shows_it) {
  ServedApi api;
  httplib::Client c = api.client();
  const std::string id = start_run(c, small_scenario(), 300, 11);
  const auto events = read_events(c, id);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().first, "done");
  std::int64_t last_done = -1;
  for (const auto& [name, data] : events) {
    EXPECT_EQ(data["total"], 300);
    EXPECT_GE(data["done"].get<std::int64_t>(), last_done);  // in order
    last_done = data["done"].get<std::int64_t>();
  }
  EXPECT_EQ(last_done, 300);
  const httplib::Result r = c.Get(("/api/runs/" + id).c_str());
  ASSERT_TRUE(r);
  const json run = body_of(r);
  EXPECT_EQ(run["status"], "done");
  EXPECT_EQ(run["paths"], 300);
  EXPECT_EQ(run["seed"], 11);
  ASSERT_EQ(run["strategies"].size(), 2U);
  EXPECT_EQ(run["strategies"][0]["name"], "hold");
  // The store's record, under its own id, is the same run.
  const std::int64_t store_id = run["id"].get<std::int64_t>();
  const httplib::Result stored = c.Get(("/api/runs/" + std::to_string(store_id)).c_str());
  ASSERT_TRUE(stored);
  EXPECT_EQ(body_of(stored)["strategies"], run["strategies"]);
  const io::RunRecord record = io::open_result_store(api.db().string())->load_or_throw(store_id);
  EXPECT_EQ(record.run.paths, 300);
}

TEST(ServeApi, a_run_on_every_core_gives_the_same_results_as_on_one_thread) {
  ServedApi api;
  httplib::Client c = api.client();
  const auto run_with = [&](int threads) {
    const json request = {{"scenario_toml", small_scenario()}, {"paths", 300}, {"seed", 5}, {"threads", threads}};
    const httplib::Result r = c.Post("/api/runs", request.dump(), "application/json");
    EXPECT_TRUE(r && r->status == 202);
    const std::string id = body_of(r)["run_id"].get<std::string>();
    EXPECT_EQ(read_events(c, id).back().first, "done");
    return body_of(c.Get(("/api/runs/" + id).c_str()))["strategies"];
  };
  const json one = run_with(1);
  ASSERT_FALSE(one.empty());
  EXPECT_EQ(run_with(0), one);  // 0: every core; the paths do not depend on the threads
}

// "variance_reduction": true runs as `run --variance-reduction`: the recorded strategies carry the
// reduced SE, below the plain one of the same paths.
TEST(ServeApi, a_variance_reduced_run_records_both_standard_errors) {
  ServedApi api;
  httplib::Client c = api.client();
  const json request = {{"scenario_toml", small_scenario()}, {"paths", 300}, {"seed", 5}, {"variance_reduction", true}};
  const httplib::Result r = c.Post("/api/runs", request.dump(), "application/json");
  ASSERT_TRUE(r && r->status == 202);
  const std::string id = body_of(r)["run_id"].get<std::string>();
  EXPECT_EQ(read_events(c, id).back().first, "done");
  const json run = body_of(c.Get(("/api/runs/" + id).c_str()));
  EXPECT_EQ(run["variance_reduction"], true);  // recorded with the run (the dashboard shows it)
  const json strategies = run["strategies"];
  ASSERT_FALSE(strategies.empty());
  for (const json& s : strategies) EXPECT_LT(s["npv_usd"]["se"].get<double>(), s["npv_usd"]["se_plain"].get<double>());
}

TEST(ServeApi, a_closed_event_stream_cancels_nothing_but_itself) {
  ServedApi api;
  httplib::Client c = api.client();
  const std::string id = start_run(c, small_scenario(), 2048, 5);
  std::string first;
  const httplib::Result closed = c.Get(("/api/runs/" + id + "/events").c_str(), [&](const char* data, std::size_t n) {
    first.append(data, n);
    return false;  // the client goes away after the first chunk
  });
  EXPECT_FALSE(closed);
  EXPECT_TRUE(first.starts_with("event: progress")) << first;
  const auto events = read_events(c, id);  // another stream of the same run
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().first, "done");
  EXPECT_EQ(events.back().second["done"], 2048);
}

TEST(ServeApi, a_queued_and_a_running_run_are_cancelled_and_not_recorded) {
  ServedApi api;  // one worker: the second run waits
  httplib::Client c = api.client();
  const std::string running = start_run(c, small_scenario(), 2'000'000, 1);
  const std::string queued = start_run(c, small_scenario(), 64, 2);
  const httplib::Result q = c.Delete(("/api/runs/" + queued).c_str());
  ASSERT_TRUE(q);
  EXPECT_EQ(q->status, 202);
  EXPECT_EQ(body_of(q)["status"], "cancelled");
  const httplib::Result r = c.Post(("/api/runs/" + running + "/cancel").c_str(), "", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 202);
  EXPECT_EQ(read_events(c, running).back().first, "cancelled");
  const httplib::Result again = c.Delete(("/api/runs/" + running).c_str());
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 409);
  const json list = body_of(c.Get("/api/runs"));
  EXPECT_TRUE(list["runs"].empty());
  ASSERT_EQ(list["jobs"].size(), 2U);
  for (const json& job : list["jobs"]) EXPECT_EQ(job["status"], "cancelled");
}

TEST(ServeApi, twenty_concurrent_clients_are_all_served_with_no_run_lost_or_recorded_twice) {
  ServerOptions o;
  o.workers = 2;
  ServedApi api(o);
  constexpr int kClients = 20;
  std::vector<std::string> ids(kClients);
  std::vector<std::vector<std::pair<std::string, json>>> streams(kClients);
  std::vector<std::thread> clients;
  for (int k = 0; k < kClients; ++k) {
    clients.emplace_back([&, k] {
      httplib::Client c = api.client();
      ids[static_cast<std::size_t>(k)] = start_run(c, small_scenario(), 32, static_cast<std::uint64_t>(100 + k));
      streams[static_cast<std::size_t>(k)] = read_events(c, ids[static_cast<std::size_t>(k)]);
    });
  }
  for (std::thread& t : clients) t.join();
  httplib::Client c = api.client();
  std::set<std::string> job_ids;
  std::set<std::int64_t> store_ids;
  std::set<std::uint64_t> seeds;
  for (int k = 0; k < kClients; ++k) {
    const auto& events = streams[static_cast<std::size_t>(k)];
    ASSERT_FALSE(events.empty()) << ids[static_cast<std::size_t>(k)];
    EXPECT_EQ(events.back().first, "done");
    for (std::size_t e = 1; e < events.size(); ++e)  // each state once, in order
      EXPECT_GT(events[e].second["version"].get<std::uint64_t>(), events[e - 1].second["version"].get<std::uint64_t>());
    job_ids.insert(ids[static_cast<std::size_t>(k)]);
    store_ids.insert(events.back().second["store_id"].get<std::int64_t>());
  }
  EXPECT_EQ(job_ids.size(), static_cast<std::size_t>(kClients));
  EXPECT_EQ(store_ids.size(), static_cast<std::size_t>(kClients));
  const std::vector<io::RunListing> stored = io::open_result_store(api.db().string())->list();
  ASSERT_EQ(stored.size(), static_cast<std::size_t>(kClients));
  for (const io::RunListing& run : stored) {
    EXPECT_TRUE(store_ids.contains(run.run.id));
    seeds.insert(run.run.seed);
  }
  EXPECT_EQ(seeds.size(), static_cast<std::size_t>(kClients));  // each client's own run, once
}

/// A non-loopback IPv4 address of this machine, or "".
std::string other_local_address() {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return "";
  std::string found;
  for (const ifaddrs* a = list; a != nullptr && found.empty(); a = a->ifa_next) {
    if (a->ifa_addr == nullptr || a->ifa_addr->sa_family != AF_INET) continue;
    char text[INET_ADDRSTRLEN] = {};
    const auto* in = reinterpret_cast<const sockaddr_in*>(a->ifa_addr);
    if (inet_ntop(AF_INET, &in->sin_addr, text, sizeof text) == nullptr) continue;
    if (!std::string(text).starts_with("127.")) found = text;
  }
  freeifaddrs(list);
  return found;
}

TEST(ServeApi, bound_to_loopback_it_refuses_connections_through_another_local_address) {
  const std::string address = other_local_address();
  if (address.empty()) GTEST_SKIP() << "this machine has no IPv4 address besides loopback";
  ServedApi api;
  httplib::Client loopback = api.client();
  ASSERT_TRUE(loopback.Get("/api/health"));  // it is listening
  httplib::Client other(address, api.port());
  other.set_connection_timeout(2, 0);
  const httplib::Result r = other.Get("/api/health");
  EXPECT_FALSE(r) << "reached through " << address;
}

}  // namespace
}  // namespace hashpivot::server
