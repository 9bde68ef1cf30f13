#pragma once
// The Monte Carlo engine: every strategy of a scenario run on the same simulated markets (common
// random numbers), in parallel over paths, with statistics accumulated as the paths run.
//
// Per path and strategy (docs/model.md §6):
// - NPV to equity, USD: the firm retains all cash until the horizon T, when equity holders own
//       V_T = max(0, cash_T + BTC_T · S_T − debt_T + TV_T),   TV_T = multiple × max(0, EBITDA of the last 365 days)
//   (multiple 0 = run-off), discounted at the scenario's rate: NPV = V_T / (1 + r)^(days/365). A
//   path on which the firm defaulted is worth 0. The opening equity is the same for every strategy,
//   so differences between strategies are differences in NPV.
// - BTC mined; BTC held at the horizon (free + pledged); EBITDA per year; BTC sold by the firm
//   (one-off, policy and remedy sales); whether a BTC-backed loan's LTV exceeded its call level on
//   some day (a margin call).
// - Cash cost = power + site opex − curtailment credits; all-in = cash cost + SG&A + depreciation +
//   interest. Per BTC mined and hashcost per PH/s-day of effective hashrate (BTC mined /
//   (hashprice_btc × (1 − pool fee))) are ratios of the means over paths (stable when a path mines
//   little).
// What a run reports from these is the metric table (metrics.hpp).
// Across paths: mean and SE, 5/25/50/75/95% quantiles (sketch, error ≤ 1% of the value), CVaR 5%
// (exact mean of the worst 5%), probability of default with its month distribution, the paired
// difference of each strategy's NPV against the first with a 95% CI, and per-month quantiles of
// the main series.
//
// Determinism (the merge rule of statistics.hpp): paths are cut into fixed blocks of
// kPathsPerBlock, and blocks into fixed chunks of kBlocksPerChunk. Each block's statistics are
// computed by one thread; a chunk is its blocks merged in ascending block order, and the total is
// the chunks merged in ascending chunk order. With a ProcessGroup of K ranks, chunk c belongs to
// rank c mod K (round robin, so all ranks stay busy and the root can merge as chunks arrive);
// each rank runs its chunks' blocks in rounds of `threads` blocks, sends each finished chunk,
// serialized, to the root, and the root merges every chunk in ascending order, then broadcasts the
// serialized total, so every rank returns the same RunResult. The tree depends on neither the
// threads nor the ranks: results are bit-identical for any number of both.
// Memory is bounded: (threads + 3) accumulators per rank, whatever the paths.

#include <array>
#include <atomic>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "hashpivot/model/market_model.hpp"
#include "hashpivot/sim/process_group.hpp"
#include "hashpivot/sim/strategy_statistics.hpp"
#include "hashpivot/stats/statistics.hpp"
#include "hashpivot/firm/accounts.hpp"
#include "hashpivot/firm/scenario.hpp"

namespace hashpivot::sim {

inline constexpr std::uint32_t kPathsPerBlock = 256;
/// Blocks per chunk, the unit a rank sends to the root: 4 × 256 = 1024 paths. An assumption that
/// trades the root's merging (one full merge per chunk) against having enough chunks for every
/// rank on small runs (a 10 000-path run has 10 chunks). Changing it changes results in the last bits.
inline constexpr std::uint32_t kBlocksPerChunk = 4;
/// The version of the serialized statistics that ranks exchange; bumped when the layout changes
/// (2: StrategyStatistics::btc_sold and margin_called; 3: slippage_usd, machines bought and sold,
/// and their monthly fields; 4: the survivors' net worth; 5: hedge_pnl_usd; 6: NPV per share,
/// shares issued, refinancings, margin posted; 7: the monthly account btc_sold_forced; 8: the
/// variance-reduced NPV).
inline constexpr std::uint64_t kStatisticsFormatVersion = 8;

/// Month-end (or month-mean) series kept as quantile sketches per strategy and month.
enum class FirmSeries : std::size_t { kCashUsd, kBtcHeld, kDebtUsd, kEquityUsd, kCount };
/// Difficulty is kept in trillions (T): the quantile sketches cover magnitudes up to 1e12.
enum class MarketSeries : std::size_t { kBtcPriceUsd, kHashpriceUsdPerPhDay, kDifficultyT, kFeesBtcPerBlock, kCount };

/// The daily accounts' fields kept per month: the rows of firm::kDayAccountsFields marked
/// `monthly`, in the table's order (their names are the keys of run --json and the store).
namespace detail {
[[nodiscard]] consteval std::size_t monthly_accounts_field_count() {
  std::size_t n = 0;
  for (const firm::DayAccountsField& f : firm::kDayAccountsFields) n += f.monthly ? 1 : 0;
  return n;
}
[[nodiscard]] consteval std::array<firm::DayAccountsField, monthly_accounts_field_count()> monthly_accounts_fields() {
  std::array<firm::DayAccountsField, monthly_accounts_field_count()> fields{};
  std::size_t n = 0;
  for (const firm::DayAccountsField& f : firm::kDayAccountsFields)
    if (f.monthly) fields[n++] = f;
  return fields;
}
}  // namespace detail
inline constexpr auto kMonthlyAccountsFields = detail::monthly_accounts_fields();

/// An index into kMonthlyAccountsFields.
enum class AccountsField : std::size_t {};

/// The field of kMonthlyAccountsFields that is `member` (a compile error in a constant expression,
/// and an assertion otherwise, when the member is not kept monthly).
[[nodiscard]] constexpr AccountsField accounts_field(double firm::DayAccounts::*member) {
  for (std::size_t f = 0; f < kMonthlyAccountsFields.size(); ++f)
    if (kMonthlyAccountsFields[f].member == member) return static_cast<AccountsField>(f);
  assert(false && "accounts_field: a DayAccounts member not kept monthly");
  return AccountsField{};
}

/// The field's name, e.g. "mining_revenue_usd".
[[nodiscard]] const char* accounts_field_name(AccountsField field);

/// strategies × months × monthly accounts fields: means over paths of the month's sums (a
/// defaulted path contributes zeros).
class MonthlyAccounts {
 public:
  MonthlyAccounts(std::size_t strategies, std::size_t months);
  [[nodiscard]] std::size_t strategies() const { return months_ == 0 ? 0 : cells_.size() / (months_ * kFields); }
  [[nodiscard]] std::size_t months() const { return months_; }
  /// Adds one path's sums of the month's daily accounts (firm::add_accounts).
  void add(std::size_t strategy, std::size_t month, const firm::DayAccounts& sums) {
    stats::Moments* cell = &cells_[(strategy * months_ + month) * kFields];
    for (std::size_t f = 0; f < kFields; ++f) cell[f].add(sums.*(kMonthlyAccountsFields[f].member));
  }
  void merge(const MonthlyAccounts& other);
  void clear();
  /// Every cell's stats::Moments (statistics.hpp, SERIALIZATION); deserialize throws stats::SerializationError
  /// unless the strategies and months are equal.
  void serialize(stats::ByteWriter& out) const;
  void deserialize(stats::ByteReader& in);
  [[nodiscard]] const stats::Moments& at(std::size_t strategy, std::size_t month, AccountsField field) const {
    return cells_[(strategy * months_ + month) * kFields + static_cast<std::size_t>(field)];
  }
  [[nodiscard]] const stats::Moments& at(std::size_t strategy, std::size_t month, double firm::DayAccounts::*member) const {
    return at(strategy, month, accounts_field(member));
  }
  static constexpr std::size_t kFields = kMonthlyAccountsFields.size();

 private:
  std::size_t months_;
  std::vector<stats::Moments> cells_;
};

/// Constant relative risk aversion over the equity holder's wealth W = wealth_offset_usd + NPV (USD):
///     u(W) = W^(1−γ) / (1−γ)   (γ ≠ 1),   u(W) = ln W   (γ = 1),   γ ≥ 0;
/// γ = 0 is risk neutral (u(W) = W). The offset is the holder's wealth outside this firm, which
/// keeps W > 0 on paths where the firm defaults (NPV = 0); with γ > 0 it must be > 0.
struct CrraUtility {
  double gamma = 0;
  double wealth_offset_usd = 0;
  /// u(wealth_offset_usd + npv_usd).
  [[nodiscard]] double utility(double npv_usd) const;
  /// The certainty equivalent NPV: the sure NPV whose utility is `expected_utility`.
  [[nodiscard]] double certainty_equivalent_npv_usd(double expected_utility) const;
  /// u′(wealth_offset_usd + npv_usd), for the delta method: SE(CE) ≈ SE(mean u) / u′(CE).
  [[nodiscard]] double marginal_utility(double npv_usd) const;
};

class MarketReplay;  // sim/market_replay.hpp

struct RunOptions {
  std::int64_t paths = 0;
  std::uint64_t seed = 0;
  unsigned threads = 1;
  /// Called at the root only, from the calling thread, after each chunk merged into the total,
  /// with (paths done, paths total).
  std::function<void(std::int64_t, std::int64_t)> progress;
  /// The processes that share the paths; nullptr = this process alone. Every rank returns the same result.
  const ProcessGroup* group = nullptr;
  /// The utility whose per-path mean StrategyStatistics::npv_utility accumulates.
  CrraUtility utility{};
  /// When set, read between blocks of paths (never inside a path): once it holds a signal number
  /// (non-zero) the run stops, waits for the blocks in progress, and throws Cancelled(that signal).
  /// Under MPI the caller sets it at the root only: the root's Cancelled aborts the other ranks.
  const std::atomic<int>* stop_signal = nullptr;
  /// Variance reduction for the mean NPV (docs/speed.md): paths run in antithetic pairs (path 2k + 1
  /// takes path 2k's main market draws mirrored, model::mirror_market_draws; its other draws are its
  /// own), and each strategy's mean NPV is estimated over the pairs with the control variates of
  /// model::PriceControls (the BTC price on the last day, its mean over the horizon and its log on the
  /// last day, over the starting price), whose means the price model gives in closed form. The SE and
  /// the paired differences' CIs are then computed over the pairs (StrategyStatistics::npv_controlled,
  /// npv_vs_first, npv_vs_each); every other statistic takes each path as it is. Results stay
  /// bit-identical for any number of threads and ranks (a pair never spans two blocks).
  bool variance_reduction = false;
  /// When set, the run replays the stored market days of each block it holds and stores those of
  /// the others (sim/market_replay.hpp): runs that differ only in their firms then simulate the
  /// markets once. It must match this run (market, seed, paths, horizon, variance reduction) and keep
  /// the network's days when a firm's pool pays its luck; else std::invalid_argument. Results are
  /// bit-identical with and without it.
  MarketReplay* market_replay = nullptr;
  /// Steps the firms of firm::lanes::kLanes paths at once where the run allows (firm::step_day_lanes,
  /// for the plans firm::steps_in_lanes accepts, on markets without hourly prices or pool luck;
  /// docs/speed.md, "The structure-of-arrays step"); false steps every path alone. The results are
  /// the same bits either way. By default on where it pays (firm::block_step_pays: a processor with
  /// AVX2 or AVX-512).
  bool block_step = firm::block_step_pays(firm::widest_lane_instruction_set());
  /// The instruction set whose copy of the block step runs (firm::step_day_lanes; one that
  /// firm::lane_instruction_set_available accepts, else std::invalid_argument): by default the widest
  /// this processor runs. Every copy gives the same bits.
  firm::lanes::InstructionSet lane_instruction_set = firm::widest_lane_instruction_set();
};

/// One firm of a run: a scenario and the index of the strategy it follows, shown as `label`.
/// run_simulation runs every strategy of one scenario; run_peers runs one strategy of each of
/// several scenarios (the firms of a peer group) on the same markets.
struct RunFirm {
  const firm::Scenario* scenario = nullptr;
  std::size_t strategy = 0;
  std::string label;
};

struct RunResult {
  std::string scenario_name;
  std::uint64_t seed = 0;
  std::int64_t paths = 0;
  unsigned threads = 0;
  DayNumber start_day = 0;
  int horizon_days = 0;
  std::vector<std::string> months;     // "YYYY-MM" of each month index
  std::vector<StrategyStatistics> strategies;
  stats::MonthlySeries firm_series;           // strategies × months × FirmSeries, at month end
  stats::MonthlySeries market_series;         // 1 × months × MarketSeries (price, difficulty, fees at month end; hashprice: month mean)
  MonthlyAccounts accounts;            // strategies × months × AccountsField
  std::vector<std::string> market_description;
  double seconds = 0;                  // wall time of the simulation
  bool variance_reduction = false;     // RunOptions::variance_reduction
};

/// Runs every strategy of `scenario` on `options.paths` paths of `market`. With `options.group`,
/// every rank of the group must call it with the same inputs; each returns the same RunResult
/// (except `seconds`, each rank's own wall time).
/// Throws ParameterError ("paths", "threads") when paths < 1 or threads < 1, and
/// stats::SerializationError when another rank's statistics do not match this run (another build,
/// scenario, seed or path count). The scenario has at least one strategy (asserted).
[[nodiscard]] RunResult run_simulation(const firm::Scenario& scenario, const model::MarketModel& market,
                                       const RunOptions& options);

/// Runs `firms` (each a scenario's strategy) on the same `options.paths` paths of `market`, as
/// run_simulation runs a scenario's strategies: the result has one StrategyStatistics per firm, in
/// order and named by its label, the paired NPV differences between firms on each path (against the
/// first, and between each pair), and the firm series per firm. A firm's statistics are bit-identical
/// to those of its strategy in run_simulation of its own scenario on the same market, seed and paths
/// (its sites, pool, tenants and NAV multiple draw from the same counters; the firms share nothing
/// else). The scenarios must share the start date and horizon (asserted: the caller checks their
/// [scenario] and [market] agree, as io::check_peer_scenarios does); `market` is built from one of
/// them with has_energy_index set when any firm has an index site. `name` is the result's
/// scenario_name. Throws as run_simulation.
[[nodiscard]] RunResult run_peers(const std::string& name, std::span<const RunFirm> firms,
                                  const model::MarketModel& market, const RunOptions& options);

}  // namespace hashpivot::sim
