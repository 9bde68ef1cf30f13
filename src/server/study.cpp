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

}  // namespace

json run_sensitivity_study(const SensitivityRequest& request, unsigned threads, JobContext& context,
                           const SensitivityJson& to_json) {
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
  return to_json(result, market.btc_price_usd, study::mean_power_price_usd_per_mwh(scenario));
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
