#pragma once
// Strategy optimization (`hashpivot optimize`): search named strategy parameters
// (firm/strategy_parameters.hpp) within ranges for the value that maximizes a Monte Carlo objective,
// subject to a ceiling on the probability of default, on common random numbers.
//
// Objectives, all in USD of NPV to equity (simulation.hpp defines NPV), maximized:
//   npv          mean NPV,                                   SE = sd(NPV)/√n
//   mean-cvar:λ  (1−λ)·mean NPV + λ·CVaR_α,  λ ∈ [0, 1],     CVaR_α = mean of the worst K = ⌈αn⌉ NPVs
//                (α = sim::kCvarAlpha = 5%). With VaR the K-th worst value, Y = (VaR − X)^+ and a = K/n,
//                CVaR = VaR − E[Y]/a, whose influence function is −(Y − E Y)/a, so
//                Var(objective) ≈ [(1−λ)² Var X + (λ/a)² Var Y − 2(1−λ)(λ/a) Cov(X, Y)] / n,
//                the covariance included (computed from the tail's kept values: Y = 0 outside it).
//   crra:γ       the certainty-equivalent NPV under CRRA utility of W = wealth_offset_usd + NPV
//                (sim::CrraUtility): CE = u⁻¹(mean u(W)) − offset; SE by the delta method,
//                SE(mean u) / u′(CE).
// Constraint: P(default) ≤ p_max, estimated as the share p̂ of paths that default, SE √(p̂(1−p̂)/n).
// On common random numbers p̂ is a step function of the parameters (it moves in steps of 1/n), so
// it enters as an exact penalty rather than as a smooth constraint:
//   penalized = objective − scale · (1 + n · (p̂ − p_max))   when p̂ > p_max, else objective,
// where scale = max(|objective|, sd(NPV), 1 USD) at the declared (starting) point: any violation
// costs at least the objective's own magnitude, and each further defaulting path as much again.
// The search (NLopt, derivative free: Nelder–Mead by default, COBYLA or Subplex on request) runs on
// the parameters scaled to [0, 1] within their ranges, restarts from its best point while that
// improves, and reports the best FEASIBLE point it evaluated (or, if none was feasible, the one with
// the fewest defaults). Integer parameters (days) are rounded inside each evaluation
// (firm::set_strategy_parameter), and reported rounded.
//
// Each evaluation runs only the strategy being optimized (a copy of the scenario without the others)
// with the same seed: every point sees the same market paths, so differences between points are not
// sampling noise. The best point and the declared point are then re-run on fresh paths (another
// seed) so that overfitting to one sample shows. As the markets do not depend on the firm, the
// search's runs replay the markets the first one simulated (sim/market_replay.hpp) when they fit in
// OptimizerSettings::market_replay_budget_bytes: the same bits, about half the time.
//
// Processes: with `group` set, run_simulation splits the paths over the ranks and every rank gets the
// same statistics, so every rank takes the same optimizer steps and returns the same result.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hashpivot/model/market_model.hpp"
#include "hashpivot/sim/market_replay.hpp"
#include "hashpivot/sim/process_group.hpp"
#include "hashpivot/sim/simulation.hpp"
#include "hashpivot/firm/scenario.hpp"

namespace hashpivot::study {

enum class ObjectiveKind { kMeanNpv, kMeanCvar, kCrra };

struct Objective {
  ObjectiveKind kind = ObjectiveKind::kMeanNpv;
  double lambda = 0;              // mean-cvar: weight of CVaR, [0, 1]
  double gamma = 0;               // crra: relative risk aversion, ≥ 0
  double wealth_offset_usd = 0;   // crra: the holder's wealth outside the firm, USD (> 0 when γ > 0)
};

/// Parses "npv", "mean-cvar:LAMBDA" (0 ≤ λ ≤ 1) or "crra:GAMMA" (0 ≤ γ ≤ 50); the wealth offset is
/// left 0 for the caller to set. Throws ParameterError "objective" describing what was expected.
[[nodiscard]] Objective parse_objective(std::string_view text);

/// "npv", "mean-cvar:0.5", "crra:2".
[[nodiscard]] std::string objective_name(const Objective& objective);

/// The default CRRA wealth offset: the firm's opening equity marked at the start price, USD:
/// cash + (free + pledged BTC) × btc_price_usd + fleet book value − debt principal.
[[nodiscard]] double opening_equity_usd(const firm::Scenario& scenario);

struct Estimate {
  double value = std::numeric_limits<double>::quiet_NaN();
  double standard_error = std::numeric_limits<double>::quiet_NaN();
};

/// CVaR at sim::kCvarAlpha (the mean of the worst ⌈αn⌉ NPVs) and its asymptotic SE √(Var Y / (a² n)).
[[nodiscard]] Estimate cvar_estimate(const sim::StrategyStatistics& statistics);

/// The objective and its SE from one strategy's statistics (for crra, the run's utility must be the
/// objective's: sim::RunOptions::utility = {gamma, wealth_offset_usd}).
[[nodiscard]] Estimate objective_estimate(const Objective& objective, const sim::StrategyStatistics& statistics);

enum class SearchAlgorithm { kNelderMead, kCobyla, kSubplex };

struct OptimizerSettings {
  std::vector<firm::SearchRange> ranges;  // the parameters searched, low < high
  Objective objective;
  std::optional<double> max_default_prob;  // p_max in [0, 1]; none = unconstrained
  std::int64_t paths = 4000;               // per evaluation
  std::uint64_t seed = 0;                  // every evaluation's seed (common random numbers)
  std::int64_t out_of_sample_paths = 0;    // 0 = paths
  std::uint64_t out_of_sample_seed = 1;    // must differ from seed
  unsigned threads = 1;
  bool variance_reduction = false;         // every evaluation's, sim::RunOptions::variance_reduction
  int max_evaluations = 80;                // of the search; the out-of-sample runs come on top
  double x_tolerance = 1e-3;               // stop when steps are below this share of each range
  SearchAlgorithm algorithm = SearchAlgorithm::kNelderMead;
  const sim::ProcessGroup* group = nullptr;
  /// The most memory the search's market replay may take; 0: no replay (each evaluation simulates
  /// the markets). The results are the same to the bit either way.
  std::uint64_t market_replay_budget_bytes = sim::kDefaultMarketReplayBudgetBytes;
  /// Called after each evaluation with (evaluations done, max_evaluations, best penalized so far).
  std::function<void(int, int, double)> progress;
};

/// One point evaluated on `paths` paths.
struct PointEvaluation {
  std::vector<double> parameters;  // in the order of OptimizerSettings::ranges, integers rounded
  Estimate objective;
  Estimate mean_npv_usd;
  Estimate cvar_usd;
  Estimate p_default;
  double penalized = 0;            // objective less the constraint's penalty (see the file comment)
  bool feasible = true;            // p̂ ≤ p_max (always true without a constraint)
};

struct OptimizationResult {
  std::string strategy;
  std::vector<firm::SearchRange> ranges;
  PointEvaluation declared;                 // the strategy as the scenario declares it, same paths
  PointEvaluation best;                     // the best point of the search (see the file comment)
  PointEvaluation declared_out_of_sample;   // both re-run on out_of_sample_paths, out_of_sample_seed
  PointEvaluation best_out_of_sample;
  int evaluations = 0;                      // of the search, the declared point included
  std::vector<bool> at_bound;               // per range: the best value lies within x_tolerance of an end
  double penalty_scale_usd = 0;
};

/// Optimizes strategy `strategy` of `scenario` on `market`. Throws ParameterError naming the setting:
/// "ranges" for empty or invalid ranges (a parameter the strategy does not use, low ≥ high, ends
/// outside the valid range), "paths" < 1, "out_of_sample_paths" < 0, "max_evaluations" < 1,
/// "max_default_prob" outside [0, 1].
[[nodiscard]] OptimizationResult optimize_strategy(const firm::Scenario& scenario, const model::MarketModel& market,
                                                   std::size_t strategy, const OptimizerSettings& settings);

/// Evaluates `strategy` of `scenario` with `parameters` (one per range) on `paths` paths from `seed`,
/// alone; `penalty_scale_usd` as in the file comment; `replay`: sim::RunOptions::market_replay.
/// Exposed for tests and the command.
[[nodiscard]] PointEvaluation evaluate_point(const firm::Scenario& scenario, const model::MarketModel& market,
                                             std::size_t strategy, const OptimizerSettings& settings,
                                             const std::vector<double>& parameters, std::int64_t paths,
                                             std::uint64_t seed, double penalty_scale_usd,
                                             sim::MarketReplay* replay = nullptr);

}  // namespace hashpivot::study
