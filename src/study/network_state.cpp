#include "hashpivot/study/network_state.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "hashpivot/chain/params.hpp"
#include "hashpivot/chain/work.hpp"
#include "hashpivot/core/error.hpp"
#include "hashpivot/core/units.hpp"

namespace hashpivot::study {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct FeeMean {
  std::optional<double> per_block;
  int days = 0;
};

/// ΣFeeTotNtv / ΣBlkCnt over the days of [first, last] where both are known.
FeeMean fee_mean(const market::DailyHistory& h, DayNumber first, DayNumber last) {
  double fees = 0, blocks = 0;
  FeeMean out;
  for (DayNumber d = first; d <= last; ++d) {
    const double f = h.value_on(h.fees_btc, d), b = h.value_on(h.block_count, d);
    if (!market::is_known(f) || !market::is_known(b) || b <= 0) continue;
    fees += f;
    blocks += b;
    ++out.days;
  }
  if (out.days > 0) out.per_block = fees / blocks;
  return out;
}

/// Days of [first, last] whose DiffMean is the difficulty in force and whose BlkCnt is known.
int days_in_epoch(const market::DailyHistory& h, DayNumber first, DayNumber last, double difficulty) {
  constexpr double kRelativeTolerance = 1e-9;  // as network::implied_hashrate_ths compares them
  int days = 0;
  for (DayNumber d = first; d <= last; ++d) {
    const double diff = h.value_on(h.difficulty, d);
    if (market::is_known(diff) && market::is_known(h.value_on(h.block_count, d)) &&
        std::abs(diff - difficulty) <= kRelativeTolerance * difficulty)
      ++days;
  }
  return days;
}

void check_day(const market::DailyHistory& h, DayNumber day) {
  const DayNumber first = h.first_day + 1, last = h.day(h.days() - 1) + 1;
  require(h.days() > 0 && day >= first && day <= last, "day",
          fmt::format("{} is outside the history {} (its state is known from {} to {}: each day needs the day "
                      "before)",
                      format_date(day), h.source, format_date(first), format_date(last)));
}

/// Height, bits and epoch start at the start of `day` into `s`.
void read_chain(const network::ChainHistory& chain, DayNumber day, NetworkState& s) {
  const auto next = chain.next_height_at(day);
  if (!next)
    throw InputError(chain.heights_source, 0, "last_height",
                     fmt::format("unknown on {}, the day before {}", format_date(day - 1), format_date(day)));
  const std::int64_t epoch = *next / chain::ConsensusParams::mainnet().retarget_interval_blocks();
  if (epoch >= static_cast<std::int64_t>(chain.epochs.size()))
    throw InputError(chain.epochs_source, 0, "nbits_hex",
                     fmt::format("no epoch {} (height {}, the first block of {})", epoch, *next, format_date(day)));
  const network::EpochRecord& e = chain.epochs[static_cast<std::size_t>(epoch)];
  s.next_height = *next;
  s.bits = e.bits;
  s.difficulty = e.difficulty;
  if (const auto state = chain.state_at(day)) {
    s.epoch_first_block_time_unix = state->chain.epoch_first_block_time_unix;
    s.epoch_start_estimated = state->epoch_start_estimated;
  }
}

}  // namespace

NetworkState network_state_at(const market::DailyHistory& h, const network::ChainHistory& chain, DayNumber day,
                              const NetworkStateOptions& o) {
  require(o.window_days >= 1, "window_days", "must be at least 1");
  require(o.min_epoch_days >= 1, "min_epoch_days", "must be at least 1");
  check_day(h, day);
  NetworkState s;
  s.day = day;
  read_chain(chain, day, s);
  s.btc_price_usd = h.value_on(h.price_usd, day - 1);
  if (!market::is_known(s.btc_price_usd))
    throw InputError(h.source, 0, "PriceUSD", fmt::format("unknown on {}, the day before {}", format_date(day - 1),
                                                          format_date(day)));
  const DayNumber first = day - o.window_days, last = day - 1;
  const FeeMean fees = fee_mean(h, first, last);
  s.fees_btc_per_block = fees.per_block;
  s.fee_days = fees.days;
  const double difficulty = s.difficulty;
  s.epoch_days = days_in_epoch(h, first, last, difficulty);
  s.implied_from_epoch = s.epoch_days >= o.min_epoch_days;
  s.implied_hashrate_ths = network::implied_hashrate_ths(h, day, difficulty, o.window_days, o.min_epoch_days);
  if (!market::is_known(s.implied_hashrate_ths))
    throw InputError(h.source, 0, "BlkCnt/DiffMean",
                     fmt::format("the hashrate at the start of {} is unknown: fewer than {} days of {}..{} in the "
                                 "epoch in force (difficulty {:.6g}), and HashRate not known on all of them",
                                 format_date(day), o.min_epoch_days, format_date(first), format_date(last), difficulty));
  const auto spacing_s = static_cast<double>(chain::ConsensusParams::mainnet().pow_target_spacing_s);
  s.target_spacing_hashrate_ths = difficulty * chain::kHashesPerDifficulty / spacing_s / kHashesPerTh;
  s.mean_7d_hashrate_ths = network::work_rate_ths(h, day - kComparisonMeanDays, day - 1);
  return s;
}

}  // namespace hashpivot::study
