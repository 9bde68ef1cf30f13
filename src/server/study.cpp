#include "study.hpp"

#include <algorithm>
#include <exception>
#include <optional>
#include <string>

#include "hashpivot/core/cancellation.hpp"
#include "hashpivot/io/market_inputs.hpp"
#include "hashpivot/model/market_model.hpp"
#include "hashpivot/report/format.hpp"
#include "hashpivot/study/optimizer.hpp"
#include "hashpivot/study/sensitivity.hpp"

namespace hashpivot::server {
namespace {

using nlohmann::json;
using report::number_or_null;

constexpr std::uint64_t kOutOfSampleSeedOffset = 1;  // as `hashpivot optimize`'s default --oos-seed

json outcome_json(const study::SensitivityOutcome& o) {
  return {{"npv_usd", {{"mean", o.npv_mean_usd}, {"se", o.npv_se_usd}}},
          {"p_default", {{"value", o.p_default}, {"se", o.p_default_se}}},
          {"ebitda_usd_per_year", {{"mean", o.ebitda_usd_per_year}, {"se", o.ebitda_se_usd_per_year}}}};
}

json break_even_json(const std::optional<study::BreakEven>& b) {
  if (!b) return nullptr;
  return {{"found", b->found}, {"value", number_or_null(b->value)}, {"se", number_or_null(b->se)},
          {"factor", number_or_null(b->factor)}, {"bracket", {b->bracket_low, b->bracket_high}}, {"runs", b->evaluations}};
}

json strategy_json(const study::StrategySensitivity& st) {
  json bars = json::array();
  for (const study::TornadoBar& b : st.bars)
    bars.push_back({{"input", std::string(study::sensitivity_input_name(b.bump.input))},
                    {"unit", std::string(study::sensitivity_input_unit(b.bump.input))},
                    {"base", number_or_null(b.bump.base)},
                    {"low", number_or_null(b.bump.low)},
                    {"high", number_or_null(b.bump.high)},
                    {"at_low", outcome_json(b.low)},
                    {"at_high", outcome_json(b.high)},
                    {"npv_swing_usd", number_or_null(b.npv_swing_usd())}});
  return {{"name", st.strategy},
          {"base", outcome_json(st.base)},
          {"tornado", bars},
          {"break_even_btc_price_usd", break_even_json(st.btc_price_usd)},
          {"break_even_power_price_usd_per_mwh", break_even_json(st.power_price_usd_per_mwh)}};
}

}  // namespace

json run_sensitivity_study(const SensitivityRequest& request, unsigned threads, JobContext& context) {
  const firm::Scenario& scenario = request.scenario;
  const model::MarketInputs inputs = io::read_market_inputs(scenario);
  const model::MarketModel market = model::build_market_model(scenario, inputs);
  const study::CalibrationErrors errors = study::calibration_errors(scenario, inputs.calibration);
  study::SensitivityOptions options;
  options.paths = scenario.run.paths;
  options.seed = scenario.run.seed;
  options.threads = threads;
  options.strategies = request.strategies;
  options.break_evens = request.break_evens;
  // Called before each run: the place to stop a cancelled study (the tornado's runs are its total).
  options.progress = [&context](const std::string&, int done, int tornado_runs) {
    if (const int stop = context.stop_flag().load(); stop != 0) throw Cancelled(stop);
    context.progress(done, std::max(done, tornado_runs));
  };
  const study::SensitivityResult result = study::run_sensitivity(scenario, market, errors, options);
  context.progress(result.runs, result.runs);
  json strategies = json::array();
  for (const study::StrategySensitivity& st : result.strategies) strategies.push_back(strategy_json(st));
  return {{"scenario", result.scenario_name},
          {"paths", result.paths},
          {"seed", result.seed},
          {"relative_bump", result.relative_bump},
          {"price_model", result.price_model},
          {"opening_btc_price_usd", market.btc_price_usd},
          {"mean_power_price_usd_per_mwh", study::mean_power_price_usd_per_mwh(scenario)},
          {"runs", result.runs},
          {"seconds", result.seconds},
          {"strategies", strategies}};
}

json run_optimize_study(const OptimizeRequest& request, unsigned threads, JobContext& context,
                        const OptimizationJson& to_json) {
  const firm::Scenario& scenario = request.scenario;
  const model::MarketModel market = io::load_market_model(scenario);
  study::OptimizerSettings settings;
  settings.ranges = scenario.strategies.at(request.strategy).search;
  settings.paths = scenario.run.paths;
  settings.seed = scenario.run.seed;
  settings.out_of_sample_seed = settings.seed + kOutOfSampleSeedOffset;
  settings.threads = threads;
  settings.max_evaluations = request.max_evaluations;
  // The two out-of-sample runs count as evaluations of the job's progress.
  const int total = request.max_evaluations + 2;
  settings.progress = [&context, total](int done, int, double) {
    if (const int stop = context.stop_flag().load(); stop != 0) throw Cancelled(stop);
    context.progress(done, total);
  };
  // NLopt turns an exception of the objective into its own ("nlopt failure"): whatever comes out of a
  // cancelled search, the job ends as cancelled.
  const auto stopped = [&context] { return context.stop_flag().load(); };
  std::optional<study::OptimizationResult> result;
  try {
    result = study::optimize_strategy(scenario, market, request.strategy, settings);
  } catch (const std::exception&) {
    if (const int stop = stopped(); stop != 0) throw Cancelled(stop);
    throw;
  }
  if (const int stop = stopped(); stop != 0) throw Cancelled(stop);
  context.progress(total, total);
  return to_json(*result, settings);
}

}  // namespace hashpivot::server
