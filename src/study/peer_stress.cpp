#include "hashpivot/study/peer_stress.hpp"

#include <cassert>
#include <cmath>
#include <string>

#include "hashpivot/chain/compact.hpp"
#include "hashpivot/chain/params.hpp"
#include "hashpivot/chain/subsidy.hpp"
#include "hashpivot/core/error.hpp"
#include "hashpivot/core/units.hpp"
#include "hashpivot/study/history_backtest.hpp"

namespace hashpivot::study {
namespace {

/// Blocks a stress day mines: a day over the target spacing, on schedule (144 on mainnet).
std::int64_t blocks_per_day(const chain::ConsensusParams& params) {
  return static_cast<std::int64_t>(kSecondsPerDay) / params.pow_target_spacing_s;
}

/// BTC issued by the blocks [0, height) of the schedule.
double supply_before_height_btc(std::int64_t height, const chain::ConsensusParams& params) {
  std::int64_t supply_sat = 0;
  const std::int64_t interval = params.subsidy_halving_interval_blocks;
  for (std::int64_t era_start = 0; era_start < height; era_start += interval) {
    const std::int64_t blocks = std::min(height, era_start + interval) - era_start;
    supply_sat += blocks * chain::block_subsidy_sat(era_start, params);
  }
  return static_cast<double>(supply_sat) / static_cast<double>(chain::kSatPerBtc);
}

/// BTC issued by the blocks [height, height + count).
double issued_btc(std::int64_t height, std::int64_t count, const chain::ConsensusParams& params) {
  std::int64_t sat = 0;
  for (std::int64_t h = height; h < height + count; ++h) sat += chain::block_subsidy_sat(h, params);
  return static_cast<double>(sat) / static_cast<double>(chain::kSatPerBtc);
}

/// The ramp's share done on day `day`: 0 on day 0, 1 from kStressRampDays on.
double ramp(int day) { return std::min(1.0, static_cast<double>(day) / kStressRampDays); }

/// 2022's ratio of `column` (price or difficulty) on 2022-01-01 + min(day, 364) to its value on 2022-01-01.
struct Replay {
  const market::DailyHistory& history;
  DayNumber first;
  [[nodiscard]] double value(const std::vector<double>& column, int day, const char* name) const {
    constexpr int kLastDay = 364;  // 2022 has 365 days
    const DayNumber date = first + std::min(day, kLastDay);
    const double v = history.value_on(column, date);
    if (!market::is_known(v) || v <= 0)
      throw InputError(history.source, 0, name,
                       "replay_2022 needs a known, positive value on every day of 2022; " + format_date(date) +
                           " has none");
    return v;
  }
  [[nodiscard]] double ratio(const std::vector<double>& column, int day, const char* name) const {
    return value(column, day, name) / value(column, 0, name);
  }
};

}  // namespace

market::DailyHistory stress_history(PeerStress stress, const firm::MarketSetup& market, DayNumber start, int days,
                                    const market::DailyHistory* real_history) {
  assert(days >= 1);
  const chain::ConsensusParams params = chain::ConsensusParams::mainnet();
  const double start_difficulty = chain::difficulty_from_bits(market.bits);
  const std::int64_t blocks = blocks_per_day(params);
  std::optional<Replay> replay;
  if (stress == PeerStress::kReplay2022) {
    if (real_history == nullptr)
      throw InputError("command line", 0, "--history", "the replay_2022 stress needs the daily history (--history)");
    replay.emplace(Replay{*real_history, *parse_date(kReplayFirstDate)});
  }

  market::DailyHistory out;
  out.source = std::string("stress ") + std::string(kPeerStresses[static_cast<std::size_t>(stress)].name);
  out.first_day = start - 1;
  const auto rows = static_cast<std::size_t>(days) + 1;
  for (std::vector<double>* column : {&out.price_usd, &out.hashrate_ths, &out.difficulty, &out.block_count,
                                      &out.fees_btc, &out.supply_btc})
    column->resize(rows);
  const double hashes_per_difficulty = std::ldexp(1.0, 32);  // expected hashes per block at difficulty 1
  std::int64_t height = market.height;
  double supply = supply_before_height_btc(height, params);
  for (std::size_t row = 0; row < rows; ++row) {
    const int day = std::max(0, static_cast<int>(row) - 1);  // row 0: the day before the start, at day 0's values
    double price = market.btc_price_usd;
    double difficulty = start_difficulty;
    switch (stress) {
      case PeerStress::kReplay2022:
        price *= replay->ratio(real_history->price_usd, day, "PriceUSD");
        difficulty *= replay->ratio(real_history->difficulty, day, "DiffMean");
        break;
      case PeerStress::kBtcHalvedInQuarter:
        price *= std::exp(ramp(day) * std::log(kStressPriceFraction));
        break;
      case PeerStress::kHalvingFlatPrice:
        break;
      case PeerStress::kHashrateSurge:
        difficulty *= std::exp(ramp(day) * std::log(kStressDifficultyMultiple));
        break;
    }
    out.price_usd[row] = price;
    out.difficulty[row] = difficulty;
    out.hashrate_ths[row] = difficulty * hashes_per_difficulty / static_cast<double>(params.pow_target_spacing_s) /
                            kHashesPerTh;
    out.block_count[row] = static_cast<double>(blocks);
    out.fees_btc[row] = market.fees_btc_per_block * static_cast<double>(blocks);  // f0: no stress moves fees
    if (row == 0) {
      out.supply_btc[row] = supply;  // issued before the start height
    } else {
      supply += issued_btc(height, blocks, params);
      height += blocks;
      out.supply_btc[row] = supply;
    }
  }
  return out;
}

Replay2022Hashprice replay_2022_hashprice(const market::DailyHistory& real_history) {
  constexpr int kLastDay = 364;
  const DayNumber first = *parse_date(kReplayFirstDate);
  const std::vector<HistoryMarketDay> days = history_market_days(real_history, first, first + kLastDay);
  Replay2022Hashprice out{days.front().hashprice_usd_per_ph_day, days.front().hashprice_usd_per_ph_day, first};
  for (const HistoryMarketDay& d : days) {
    if (d.hashprice_usd_per_ph_day < out.low_usd_per_ph_day) {
      out.low_usd_per_ph_day = d.hashprice_usd_per_ph_day;
      out.low_day = d.day;
    }
  }
  return out;
}

PeerStressOutcome run_peer_stress(const firm::Scenario& scenario, std::size_t strategy,
                                  const market::DailyHistory& history) {
  const DayNumber from = history.first_day + 1;
  const DayNumber to = history.first_day + static_cast<DayNumber>(history.days()) - 1;
  const HistoryBacktest backtest = run_history_backtest(scenario, strategy, history, from, to);
  PeerStressOutcome outcome;
  outcome.default_day = backtest.default_day;
  outcome.btc_sold = backtest.total.sums.btc_sold;
  outcome.btc_sold_forced = backtest.total.sums.btc_sold_forced;
  outcome.btc_liquidated = backtest.total.sums.btc_liquidated;
  outcome.btc_mined = backtest.total.sums.btc_mined;
  if (!backtest.default_day) outcome.equity_value_end_usd = backtest.equity_value_end_usd;
  return outcome;
}

}  // namespace hashpivot::study
