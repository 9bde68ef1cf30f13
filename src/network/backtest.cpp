#include "hashpivot/network/backtest.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "hashpivot/chain/params.hpp"
#include "hashpivot/core/error.hpp"
#include "hashpivot/core/units.hpp"
#include "hashpivot/network/blocks.hpp"
#include "hashpivot/random/philox.hpp"

namespace hashpivot::network {
namespace {

using market::DailyHistory;
using market::is_known;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr DayNumber kGenesisDay = 14247;  // 2009-01-03
// Tolerances of the retarget search on Coin Metrics' DiffMean (15+ significant digits): two days of
// one epoch agree to rounding; a retarget changes the difficulty by far more than kDifficultyChanged;
// the share of a day's blocks before the retarget may miss [0, 1] by rounding only.
constexpr double kSameDifficulty = 1e-12;
constexpr double kDifficultyChanged = 1e-9;
constexpr double kFractionRounding = 1e-6;

bool positive(double v) { return is_known(v) && v > 0; }

}  // namespace

std::vector<double> hashrate_driver_ths(const DailyHistory& h, HashrateDriver driver, int window_days) {
  const auto n = static_cast<std::ptrdiff_t>(h.hashrate_ths.size());
  std::vector<double> out(h.hashrate_ths.size(), kNaN);
  const std::ptrdiff_t w = std::max(window_days, 1);
  for (std::ptrdiff_t d = 0; d < n; ++d) {
    std::ptrdiff_t lo = d, hi = d;
    bool skip_self = false;
    switch (driver) {
      case HashrateDriver::kRaw: break;
      case HashrateDriver::kTrailing: lo = d - w + 1; break;
      case HashrateDriver::kCentred: lo = d - w / 2; hi = d + w / 2; break;
      case HashrateDriver::kCentredLeaveOneOut: lo = d - w / 2; hi = d + w / 2; skip_self = w > 1; break;
    }
    double sum = 0;
    int known = 0, wanted = 0;
    for (std::ptrdiff_t i = lo; i <= hi; ++i) {
      if (skip_self && i == d) continue;
      ++wanted;
      if (i < 0 || i >= n) continue;
      const double v = h.hashrate_ths[static_cast<std::size_t>(i)];
      if (positive(v)) {
        sum += v;
        ++known;
      }
    }
    // At least half the window known (windows cut by the history's ends included).
    if (known > 0 && 2 * known >= wanted) out[static_cast<std::size_t>(d)] = sum / known;
  }
  return out;
}

namespace {

/// The history's day indices [first, last] the options select (at least two days apart).
struct DayRange {
  std::size_t first;
  std::size_t last;
};

DayRange selected_days(const DailyHistory& h, const BacktestOptions& options) {
  require(options.paths >= 1 && options.paths <= kMaxBacktestPaths, "paths", "expected 1 to 100000 paths");
  require(options.window_days >= 1 && options.window_days <= kMaxBacktestWindowDays, "window_days", "expected 1 to 365 days");
  const std::size_t n = h.days();
  if (n < 3) throw InputError(h.source, 0, "time", "the history has fewer than 3 days");
  DayRange range{1, n - 1};
  if (options.from && *options.from > h.first_day)
    range.first = std::max<std::size_t>(1, static_cast<std::size_t>(*options.from - h.first_day));
  if (options.to) {
    require(*options.to >= h.first_day, "to", "before the history's first day");
    range.last = std::min(range.last, static_cast<std::size_t>(*options.to - h.first_day));
  }
  require(range.first + 1 <= range.last, "from", "the range holds no day after a retarget in the history");
  return range;
}

/// The retarget day the simulation starts on and the blocks of it mined before the retarget.
struct RetargetDay {
  std::size_t day = 0;
  double blocks_before = 0;
};

/// The first retarget day in the range (see Start in backtest.hpp).
RetargetDay first_retarget_day(const DailyHistory& h, DayRange range) {
  const std::size_t n = h.days();
  for (std::size_t d = std::max<std::size_t>(range.first, 2); d + 1 <= range.last; ++d) {
    const double d_old = h.difficulty[d - 1], d_mid = h.difficulty[d], d_new = h.difficulty[d + 1];
    const double blocks = h.block_count[d];
    if (!positive(d_old) || !positive(d_mid) || !positive(d_new) || !positive(blocks)) continue;
    // Day d−1 must lie wholly in the old epoch (else it is itself the mixed retarget day).
    if (d < 2 || !positive(h.difficulty[d - 2]) || std::abs(h.difficulty[d - 2] / d_old - 1.0) > kSameDifficulty) continue;
    // And day d+1 wholly in the new one.
    if (d + 2 >= n || !positive(h.difficulty[d + 2]) || std::abs(h.difficulty[d + 2] / d_new - 1.0) > kSameDifficulty)
      continue;
    if (std::abs(d_new / d_old - 1.0) < kDifficultyChanged || d_new < 1.0) continue;
    const double fraction = (d_new - d_mid) / (d_new - d_old);
    // Not a single retarget between d−1 and d+1.
    if (fraction < -kFractionRounding || fraction > 1.0 + kFractionRounding) continue;
    return {d, std::clamp(std::round(blocks * fraction), 0.0, blocks - 1.0)};
  }
  throw InputError(h.source, 0, "DiffMean", fmt::format("no retarget day with known DiffMean and BlkCnt between {} and {}",
                                                        format_date(h.day(range.first)), format_date(h.day(range.last))));
}

/// The start block: its time within the retarget day, its height and its bits.
void place_start(const DailyHistory& h, RetargetDay start, const chain::ConsensusParams& params, BacktestResult& result) {
  const double blocks_per_day = kSecondsPerDay / static_cast<double>(params.pow_target_spacing_s);
  const double blocks_on_start_day = h.block_count[start.day];
  result.start_time_unix = static_cast<double>(result.start_day) * kSecondsPerDay +
                           kSecondsPerDay * (start.blocks_before + 0.5) / blocks_on_start_day;
  double height_before = blocks_per_day * static_cast<double>(std::max<DayNumber>(0, h.first_day - kGenesisDay));
  result.start_height_estimated = h.first_day > kGenesisDay;
  for (std::size_t i = 0; i < start.day; ++i) {
    if (is_known(h.block_count[i])) {
      height_before += h.block_count[i];
    } else {
      height_before += blocks_per_day;
      result.start_height_estimated = true;
    }
  }
  // Σ BlkCnt counts blocks from height 0, so the first block of day d is at height Σ (±6 blocks: day boundaries).
  const auto interval = static_cast<double>(params.retarget_interval_blocks());
  result.start_height = static_cast<std::int64_t>(std::llround((height_before + start.blocks_before) / interval)) *
                        params.retarget_interval_blocks();
  result.start_bits = bits_from_difficulty(h.difficulty[start.day + 1]);
  result.start_difficulty = chain::difficulty_from_bits(result.start_bits);
}

/// The driver, with gaps filled by log-linear interpolation (held flat beyond the known ends);
/// `filled` marks the days filled.
std::vector<double> filled_driver(const DailyHistory& h, const BacktestOptions& options, std::vector<bool>& filled) {
  const std::size_t n = h.days();
  std::vector<double> driver = hashrate_driver_ths(h, options.driver, options.window_days);
  filled.assign(n, false);
  std::ptrdiff_t previous = -1;
  for (std::size_t i = 0; i <= n; ++i) {
    if (i < n && !positive(driver[i])) continue;
    const std::ptrdiff_t next = i < n ? static_cast<std::ptrdiff_t>(i) : -1;
    const std::size_t gap_from = previous < 0 ? 0 : static_cast<std::size_t>(previous) + 1;
    for (std::size_t j = gap_from; j < (next < 0 ? n : i); ++j) {
      filled[j] = true;
      if (previous >= 0 && next >= 0) {
        const double a = std::log(driver[static_cast<std::size_t>(previous)]);
        const double b = std::log(driver[i]);
        const double x = static_cast<double>(static_cast<std::ptrdiff_t>(j) - previous) / static_cast<double>(next - previous);
        driver[j] = std::exp(a + (b - a) * x);
      } else if (previous >= 0) {
        driver[j] = driver[static_cast<std::size_t>(previous)];
      } else if (next >= 0) {
        driver[j] = driver[i];
      }
    }
    previous = next;
    if (next < 0) break;
  }
  return driver;
}

/// The days after the start, with the real values and nothing simulated yet.
void set_up_days(const DailyHistory& h, std::size_t start, std::size_t last, const std::vector<double>& driver,
                 const std::vector<bool>& filled, BacktestResult& result) {
  const std::size_t sim_days = last - start;  // days start+1 … last
  result.days.resize(sim_days);
  for (std::size_t j = 0; j < sim_days; ++j) {
    const std::size_t i = start + 1 + j;
    BacktestDay& day = result.days[j];
    day.day = h.day(i);
    day.driver_ths = driver[i];
    day.real_blocks = h.block_count[i];
    day.real_difficulty = h.difficulty[i];
    day.sim_blocks = 0;
    day.sim_blocks_realized = 0;
    day.sim_difficulty = 0;
    day.scored = positive(day.real_blocks) && positive(day.real_difficulty);
    if (filled[i]) ++result.driver_days_filled;
    if (day.scored) ++result.days_scored;
    else ++result.days_skipped;
  }
  result.days_simulated = static_cast<int>(sim_days);
}

/// Every path from the start block through the last day, averaged into result.days; returns the
/// sum over scored days and paths of each path's |realized − real| / real.
double simulate_paths(std::size_t start, const std::vector<double>& driver, const chain::ConsensusParams& params,
                      const BacktestOptions& options, BacktestResult& result) {
  const random::CounterRng rng(options.seed);
  const ChainState initial{result.start_height + 1, result.start_bits, static_cast<std::int64_t>(std::floor(result.start_time_unix)),
                           result.start_time_unix};
  const double weight = 1.0 / options.paths;
  double single_path_ape = 0;
  double retargets = 0;
  for (int p = 0; p < options.paths; ++p) {
    const auto path = static_cast<std::uint32_t>(p);
    BlockSimulator sim(params, initial);
    const double start_day_end = static_cast<double>(result.start_day + 1) * kSecondsPerDay;
    sim.simulate_interval(rng, path, static_cast<std::uint32_t>(start), result.start_time_unix,
                          start_day_end - result.start_time_unix, driver[start] * kHashesPerTh, [](const BlockEvent&) {});
    for (std::size_t j = 0; j < result.days.size(); ++j) {
      const std::size_t i = start + 1 + j;
      BacktestDay& day = result.days[j];
      const DayBlocks r = sim.simulate_day(rng, path, static_cast<std::uint32_t>(i),
                                           static_cast<double>(day.day) * kSecondsPerDay, driver[i] * kHashesPerTh);
      day.sim_blocks += weight * r.expected_blocks;
      day.sim_blocks_realized += weight * r.blocks;
      day.sim_difficulty += weight * r.mean_difficulty();
      retargets += weight * r.retargets;
      if (day.scored) single_path_ape += std::abs(r.blocks - day.real_blocks) / day.real_blocks;
    }
  }
  result.retargets_simulated = retargets;
  return single_path_ape;
}

/// The errors of the scored days, and the real retargets after the start block.
void score(const DailyHistory& h, RetargetDay start, double single_path_ape, const chain::ConsensusParams& params,
           int paths, BacktestResult& result) {
  double blocks_ape = 0, blocks_realized_ape = 0, blocks_pe = 0, diff_ape = 0, diff_pe = 0;
  double sim_total = 0, real_total = 0, real_all_total = 0;
  for (const BacktestDay& day : result.days) {
    real_all_total += positive(day.real_blocks) ? day.real_blocks : 0.0;
    if (!day.scored) continue;
    blocks_ape += std::abs(day.sim_blocks - day.real_blocks) / day.real_blocks;
    blocks_realized_ape += std::abs(day.sim_blocks_realized - day.real_blocks) / day.real_blocks;
    blocks_pe += (day.sim_blocks - day.real_blocks) / day.real_blocks;
    sim_total += day.sim_blocks;
    real_total += day.real_blocks;
    diff_ape += std::abs(day.sim_difficulty - day.real_difficulty) / day.real_difficulty;
    diff_pe += (day.sim_difficulty - day.real_difficulty) / day.real_difficulty;
  }
  const double scored = result.days_scored > 0 ? result.days_scored : kNaN;
  result.blocks_mape_pct = kPercentPerUnit * blocks_ape / scored;
  result.blocks_mape_realized_pct = kPercentPerUnit * blocks_realized_ape / scored;
  result.blocks_mape_single_path_pct = kPercentPerUnit * single_path_ape / (scored * paths);
  result.blocks_total_error_pct = kPercentPerUnit * (sim_total / real_total - 1.0);
  result.blocks_mean_signed_error_pct = kPercentPerUnit * blocks_pe / scored;
  result.difficulty_mape_pct = kPercentPerUnit * diff_ape / scored;
  result.difficulty_bias_pct = kPercentPerUnit * diff_pe / scored;
  // Real retargets: multiples of 2016 passed by the real chain after the start block (days with an
  // unknown count add nothing, so this undercounts across gaps).
  const double blocks_after_start = h.block_count[start.day] - start.blocks_before - 1 + real_all_total;
  result.retargets_real = std::floor(blocks_after_start / static_cast<double>(params.retarget_interval_blocks()));
}

}  // namespace

BacktestResult run_backtest(const DailyHistory& h, const BacktestOptions& options) {
  const DayRange range = selected_days(h, options);
  const RetargetDay start = first_retarget_day(h, range);
  const chain::ConsensusParams params = chain::ConsensusParams::mainnet();
  BacktestResult result{};
  result.paths = options.paths;
  result.start_day = h.day(start.day);
  result.last_day = h.day(range.last);
  place_start(h, start, params, result);
  std::vector<bool> filled;
  const std::vector<double> driver = filled_driver(h, options, filled);
  set_up_days(h, start.day, range.last, driver, filled, result);
  if (!(driver[start.day] > 0)) throw InputError(h.source, 0, "HashRate", "no hashrate known to drive the simulation");
  const double single_path_ape = simulate_paths(start.day, driver, params, options, result);
  score(h, start, single_path_ape, params, options.paths, result);
  return result;
}

}  // namespace hashpivot::network
