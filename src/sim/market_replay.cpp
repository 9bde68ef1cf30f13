#include "hashpivot/sim/market_replay.hpp"

#include "hashpivot/sim/simulation.hpp"

namespace hashpivot::sim {
namespace {

/// Uninitialized storage (std::make_unique_for_overwrite): pages are only touched as runs store
/// paths, so a rank of an MPI run holds in memory only the blocks it runs.
std::unique_ptr<double[]> uninitialized(std::size_t count) {
  return count > 0 ? std::make_unique_for_overwrite<double[]>(count) : nullptr;
}

std::size_t blocks_of(std::int64_t paths) {
  return static_cast<std::size_t>((paths + kPathsPerBlock - 1) / kPathsPerBlock);
}

}  // namespace

MarketReplay::MarketReplay(const model::MarketModel& market, std::uint64_t seed, std::int64_t paths,
                           const Calendar& calendar, bool variance_reduction, bool with_network)
    : market_(&market),
      seed_(seed),
      paths_(paths),
      days_(static_cast<std::size_t>(calendar.horizon_days)),
      months_(calendar.months()),
      variance_reduction_(variance_reduction),
      with_energy_(market.has_energy_index),
      with_network_(with_network),
      block_stored_(blocks_of(paths), 0) {
  const std::size_t path_days = static_cast<std::size_t>(paths) * days_;
  const std::size_t path_months = static_cast<std::size_t>(paths) * months_;
  price_usd_per_btc_ = uninitialized(path_days);
  hashprice_btc_per_ph_day_ = uninitialized(path_days);
  if (with_energy_) energy_factor_ = uninitialized(path_days);
  if (with_network_) {
    network_hashrate_ths_ = uninitialized(path_days);
    difficulty_ = uninitialized(path_days);
  }
  month_end_difficulty_ = uninitialized(path_months);
  month_end_fees_btc_per_block_ = uninitialized(path_months);
}

std::uint64_t MarketReplay::bytes_needed(const model::MarketModel& market, std::int64_t paths, const Calendar& calendar,
                                         bool with_network) {
  const std::uint64_t daily_fields = 2u + (market.has_energy_index ? 1u : 0u) + (with_network ? 2u : 0u);
  constexpr std::uint64_t kMonthlyFields = 2;
  const auto path_count = static_cast<std::uint64_t>(paths);
  return sizeof(double) * path_count *
             (daily_fields * static_cast<std::uint64_t>(calendar.horizon_days) + kMonthlyFields * calendar.months()) +
         blocks_of(paths);
}

std::optional<MarketReplay> MarketReplay::within_budget(const model::MarketModel& market, const firm::Scenario& scenario,
                                                        std::uint64_t seed, std::int64_t paths, bool variance_reduction,
                                                        std::uint64_t budget_bytes) {
  const Calendar calendar = make_calendar(scenario.run.start_date, scenario.run.horizon_years);
  const bool with_network = scenario.pool.pays_luck();
  if (bytes_needed(market, paths, calendar, with_network) > budget_bytes) return std::nullopt;
  return MarketReplay(market, seed, paths, calendar, variance_reduction, with_network);
}

bool MarketReplay::matches(const model::MarketModel& market, std::uint64_t seed, std::int64_t paths, int horizon_days,
                           bool variance_reduction) const {
  return &market == market_ && seed == seed_ && paths == paths_ && static_cast<std::size_t>(horizon_days) == days_ &&
         variance_reduction == variance_reduction_;
}

template <class Self, class Visit>
void MarketReplay::for_each_daily_field(Self& self, Visit&& visit) {
  visit(self.price_usd_per_btc_, &model::MarketDay::price_usd_per_btc, true);
  visit(self.hashprice_btc_per_ph_day_, &model::MarketDay::hashprice_btc_per_ph_day, true);
  visit(self.energy_factor_, &model::MarketDay::energy_factor, self.with_energy_);
  visit(self.network_hashrate_ths_, &model::MarketDay::network_hashrate_ths, self.with_network_);
  visit(self.difficulty_, &model::MarketDay::difficulty, self.with_network_);
}

void MarketReplay::store_day(std::uint32_t path, std::uint32_t d, const model::MarketDay& day) {
  const std::size_t i = at(path, d);
  for_each_daily_field(*this, [&](auto& values, auto field, bool kept) {
    if (kept) values[i] = day.*field;
  });
}

void MarketReplay::load_day(std::uint32_t path, std::uint32_t d, model::MarketDay& day) const {
  const std::size_t i = at(path, d);
  for_each_daily_field(*this, [&](const auto& values, auto field, bool kept) {
    if (kept) day.*field = values[i];
  });
  day.hashprice_usd_per_ph_day = day.hashprice_btc_per_ph_day * day.price_usd_per_btc;  // as the step computes it
  if (!with_energy_) day.energy_factor = 1.0;  // as the step sets it without an energy index
}

void MarketReplay::store_month_end(std::uint32_t path, std::size_t month, const model::MarketDay& day) {
  const std::size_t i = at_month(path, month);
  month_end_difficulty_[i] = day.difficulty;
  month_end_fees_btc_per_block_[i] = day.fees_btc_per_block;
}

void MarketReplay::load_month_end(std::uint32_t path, std::size_t month, model::MarketDay& day) const {
  const std::size_t i = at_month(path, month);
  day.difficulty = month_end_difficulty_[i];
  day.fees_btc_per_block = month_end_fees_btc_per_block_[i];
}

}  // namespace hashpivot::sim
