#include "forecast_check_command.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <thread>

#include "cli_support.hpp"
#include "hashpivot/core/atomic_file.hpp"
#include "hashpivot/core/error.hpp"
#include "hashpivot/market/history.hpp"
#include "hashpivot/network/chain_history.hpp"
#include "hashpivot/report/forecast_check_page.hpp"
#include "hashpivot/study/forecast_check.hpp"

namespace hashpivot::cli {
namespace {

using nlohmann::json;

// Paths per origin by default: 1000 put each origin's 5% and 95% sample quantiles within about ±0.7 percentage
// points of probability (binomial SE √(0.05·0.95/1000) ≈ 0.0069) and cost little next to the calibrations, which
// take most of the time (docs/forecast_check.md).
constexpr std::uint32_t kDefaultForecastPaths = 1000;

struct ForecastCheckCli {
  std::string history;
  std::string heights;
  std::string epochs;
  std::string from = "2016-01-01";
  std::string to = "2025-12-01";
  std::vector<int> horizons{1, 3, 6, 12};
  std::uint32_t paths = kDefaultForecastPaths;
  std::uint64_t seed = 1;
  unsigned threads = 0;
  int window_years = 4;
  int margin_window_years = 4;
  std::string price_model = "regime_switching";
  std::string hashrate_model = "exogenous";
  std::vector<std::string> asic_lists;
  bool json = false;
  bool strict = false;  // --strict: implausible input is an error
  std::string report;
};

json series_json(const study::SeriesScores& s) {
  const bool any = s.n > 0;
  auto value = [any](double v) { return any ? report::number_or_null(v) : json(nullptr); };
  json pit = json::array();
  for (double p : s.pit) pit.push_back(value(p));
  return {{"n", s.n},
          {"coverage_50", value(s.coverage_50)},
          {"coverage_90", value(s.coverage_90)},
          {"crps", value(s.crps)},
          {"pit", pit},
          {"pit_chi_square", value(s.pit_chi_square)},
          {"pit_p_value", value(s.pit_p_value)},
          {"median_log_error", value(s.median_log_error)},
          {"baselines",
           {{"random_walk",
             {{"crps", value(s.random_walk_crps)},
              {"coverage_50", value(s.random_walk_coverage_50)},
              {"coverage_90", value(s.random_walk_coverage_90)}}},
            {"last_value", {{"crps", value(s.last_value_crps)}}}}}};
}

json result_json(const study::ForecastCheckResult& r, const study::ForecastCheckOptions& o, const ForecastCheckCli& c) {
  json horizons = json::array();
  for (const study::HorizonScores& h : r.horizons) {
    json series = json::object();
    for (std::size_t s = 0; s < study::kForecastSeriesCount; ++s)
      series[std::string(study::forecast_series_name(static_cast<study::ForecastSeries>(s)))] = series_json(h.series[s]);
    horizons.push_back({{"months", h.months}, {"series", series}});
  }
  return {{"origins", r.origins},
          {"origins_skipped", r.origins_skipped},
          {"fee_starts_from_long_run", r.fee_starts_from_long_run},
          {"settings",
           {{"history", c.history}, {"from", format_date(o.from)}, {"to", format_date(o.to)}, {"paths", o.paths},
            {"seed", o.seed}, {"price_model", firm::keyword(o.price_model)}, {"hashrate_model", firm::keyword(o.hashrate_model)},
            {"window_years", o.window_years}, {"state_window_days", o.state_window_days}}},
          {"horizons", horizons}};
}

void print_text(const study::ForecastCheckResult& r, const study::ForecastCheckOptions& o, double seconds) {
  fmt::print("forecast check  {} origins (month starts {} .. {}), {} skipped, {} paths each, price {}, hashrate "
             "{}, {}-year calibration windows; {:.1f} s\n",
             r.origins, format_date(o.from), format_date(o.to), r.origins_skipped, o.paths, firm::keyword(o.price_model),
             firm::keyword(o.hashrate_model), o.window_years, seconds);
  fmt::print("CRPS of log values (lower is better); cover = share of realized values inside the central band;\n"
             "RW = random walk (zero drift, historical volatility), last = last value; PIT p = chi-square test of a\n"
             "uniform PIT over 10 bins (overlapping horizons make it optimistic); bias = mean of\n"
             "ln(realized / model median).\n\n");
  fmt::print("{:>7} {:<11} {:>4} {:>8} {:>8} {:>9} {:>9} {:>9} {:>9} {:>7} {:>7}\n", "horizon", "series", "n", "cover50",
             "cover90", "CRPS", "CRPS RW", "RW cov90", "CRPS last", "PIT p", "bias");
  for (const study::HorizonScores& h : r.horizons)
    for (std::size_t s = 0; s < study::kForecastSeriesCount; ++s) {
      const study::SeriesScores& x = h.series[s];
      const auto name = study::forecast_series_name(static_cast<study::ForecastSeries>(s));
      if (x.n == 0) {
        fmt::print("{:>5} mo {:<11} {:>4}  (no realized values)\n", h.months, name, 0);
        continue;
      }
      fmt::print("{:>5} mo {:<11} {:>4} {:>8.2f} {:>8.2f} {:>9.4f} {:>9.4f} {:>9.2f} {:>9.4f} {:>7.3f} {:>+7.3f}\n", h.months,
                 name, x.n, x.coverage_50, x.coverage_90, x.crps, x.random_walk_crps, x.random_walk_coverage_90,
                 x.last_value_crps, x.pit_p_value, x.median_log_error);
    }
  std::string skipped;
  for (const study::OriginRecord& rec : r.records)
    if (!rec.skipped.empty()) skipped += fmt::format("  {}: {}\n", format_date(rec.origin), rec.skipped);
  if (!skipped.empty()) fmt::print("\nskipped origins\n{}", skipped);
}

study::ForecastCheckOptions to_options(const ForecastCheckCli& c) {
  const std::optional<firm::HashrateModel> hashrate_model = firm::parse_keyword<firm::HashrateModel>(c.hashrate_model);
  if (!hashrate_model)
    throw InputError("command line", 0, "--hashrate-model",
                     fmt::format("unknown model \"{}\": expected exogenous or margin_driven", c.hashrate_model));
  study::ForecastCheckOptions o;
  o.from = *parse_date_flag(c.from, "--from");
  o.to = *parse_date_flag(c.to, "--to");
  o.horizons_months = c.horizons;
  o.paths = c.paths;
  o.seed = c.seed;
  o.threads = static_cast<int>(c.threads > 0 ? c.threads : std::max(1U, std::thread::hardware_concurrency()));
  o.window_years = c.window_years;
  o.margin_window_years = c.margin_window_years;
  const std::optional<firm::PriceModel> price_model = firm::parse_keyword<firm::PriceModel>(c.price_model);
  if (!price_model)
    throw InputError("command line", 0, "--price-model",
                     fmt::format("unknown model \"{}\": expected gbm, jump_diffusion, regime_switching or block_bootstrap",
                                 c.price_model));
  o.price_model = *price_model;
  o.hashrate_model = *hashrate_model;
  return o;
}

/// The flags that set the check's parameters (cli_support.hpp, ParameterFlag).
constexpr ParameterFlag kForecastCheckFlags[] = {
    {"horizons_months", "--horizons"}, {"paths", "--paths"}, {"threads", "--threads"},
    {"window_years", "--window-years"}, {"from", "--from"}, {"history", "HISTORY"},
};

void run_forecast_check_command(const ForecastCheckCli& c) {
  study::ForecastCheckOptions o = to_options(c);
  if (!c.report.empty()) check_output_path(c.report, "--report");  // before the (long) check, not after
  const std::filesystem::path history_dir = std::filesystem::path(c.history).parent_path();
  const std::filesystem::path heights = c.heights.empty() ? history_dir / "btc_daily_heights.csv" : std::filesystem::path(c.heights);
  const std::filesystem::path epochs =
      c.epochs.empty() ? history_dir / ".." / "chain" / "btc_difficulty_epochs.csv" : std::filesystem::path(c.epochs);
  if (o.hashrate_model == firm::HashrateModel::kMarginDriven) {
    std::vector<std::string> lists = c.asic_lists;
    if (lists.empty())
      for (const char* bundled : {"asic_miners_cbeci_2014_2020.csv", "asic_frontier_2022_2026.csv"})
        lists.push_back((history_dir / ".." / "network" / bundled).string());
    o.asic_models = network::read_asic_lists(lists);
  }
  const market::DailyHistory history = read_history_checked(c.history, c.strict);
  const network::ChainHistory chain = network::read_chain_history(heights, epochs);
  const auto start = std::chrono::steady_clock::now();
  const study::ForecastCheckResult result = study::run_forecast_check(history, chain, o);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const json out = result_json(result, o, c);
  if (!c.report.empty())
    write_file_atomically(c.report, report::forecast_check_html(out.dump(), "hashpivot forecast check"), "--report");
  if (c.json) {
    std::cout << out.dump() << '\n';
    return;
  }
  print_text(result, o, seconds);
  if (!c.report.empty()) fmt::print("\nwrote {}\n", c.report);
}

}  // namespace

constexpr const char* kForecastCheckHelp =
    "Score the market and network forecasts on history: from each month start, calibrate on the years before, "
    "simulate from the real state, and compare the realized BTC price, difficulty, hashrate and hashprice with the "
    "simulated distribution (coverage, PIT, CRPS) and with a random walk and the last value";

void add_forecast_check_command(CLI::App& app, int& exit_code, const sim::ProcessGroup& /*group*/) {
  const auto [cmd, c] = add_command<ForecastCheckCli>(app, exit_code, "forecast-check", kForecastCheckHelp,
      [](ForecastCheckCli& o) { run_with_flags(kForecastCheckFlags, [&] { run_forecast_check_command(o); }); });
  cmd->add_option("HISTORY", c->history, "Daily history CSV (Coin Metrics format)")->required();
  cmd->add_option("--from", c->from, "First origin: month starts on or after this day")->capture_default_str();
  cmd->add_option("--to", c->to, "Last origin: month starts on or before this day")->capture_default_str();
  cmd->add_option("--horizons", c->horizons, "Horizons in months, comma-separated")->delimiter(',')->capture_default_str();
  cmd->add_option("--paths", c->paths, "Simulated paths per origin")->capture_default_str();
  cmd->add_option("--seed", c->seed, "Seed of the counter-based random numbers")->capture_default_str();
  cmd->add_option("--threads", c->threads, "Threads (0: every core); results are identical for any count");
  cmd->add_option("--window-years", c->window_years, "Years of history before each origin used to calibrate")
      ->capture_default_str();
  cmd->add_option("--price-model", c->price_model, "gbm | jump_diffusion | regime_switching | block_bootstrap")
      ->capture_default_str();
  cmd->add_option("--hashrate-model", c->hashrate_model,
                  "Network hashrate model: exogenous | margin_driven")
      ->capture_default_str();
  cmd->add_option("--margin-window-years", c->margin_window_years,
                  "margin_driven: years of history before each origin its fit uses")
      ->capture_default_str();
  cmd->add_option("--asic-list", c->asic_lists,
                  "margin_driven: ASIC hardware lists for the efficiency frontier, repeatable (default: "
                  "../network/asic_miners_cbeci_2014_2020.csv and ../network/asic_frontier_2022_2026.csv from HISTORY)");
  cmd->add_option("--heights", c->heights, "Daily block heights (default: btc_daily_heights.csv beside HISTORY)");
  cmd->add_option("--epochs", c->epochs, "Difficulty epochs (default: ../chain/btc_difficulty_epochs.csv from HISTORY)");
  add_strict_flag(*cmd, c->strict);
  cmd->add_flag("--json", c->json, "Print one JSON object: {origins, horizons: [{months, series: {...}}]}");
  cmd->add_option("--report", c->report, "Also write a self-contained HTML page with the scores and charts");
}

}  // namespace hashpivot::cli
