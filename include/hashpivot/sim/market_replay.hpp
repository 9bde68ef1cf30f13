#pragma once
// The simulated market days of a run's paths, kept so that later runs on the same markets replay them
// instead of simulating them again.
//
// The markets do not depend on the firm (it takes prices; docs/model.md §6), so runs that share the
// market model, seed, paths, horizon and variance reduction see the same market on every path-day.
// optimize's evaluations are such runs, one after the other: with a replay the first simulates and
// stores the markets, and each later one costs its firm alone (the market is about half the time of
// a one-strategy run). A replayed day holds the very values the step produced, so every result is
// bit-identical with and without a replay.
//
// Kept per path and day: the BTC price (USD) and the hashprice (BTC per PH/s-day); the hashprice in
// USD is their product, computed as model::step_market_day computes it. Kept when needed: the energy
// factor (when the market has an energy index: index sites' power prices), and the network hashrate
// (TH/s) and difficulty in force (when `with_network`: a PPLNS/TIDES pool's luck reads them). Kept per
// path and month, at the month's close: the difficulty and the fees per block (the market series).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "hashpivot/core/calendar.hpp"
#include "hashpivot/firm/scenario.hpp"
#include "hashpivot/model/market_model.hpp"

namespace hashpivot::sim {

/// ASSUMPTION: the memory a command may keep its runs' market days in, 512 MiB: Cango's default
/// optimize (4,000 paths of 5 years) needs 120 MB and its sensitivity (2,000 paths) 60 MB; a larger
/// run goes without a replay, as fast as before. Far below the 24 GiB of the project's CI machine.
inline constexpr std::uint64_t kDefaultMarketReplayBudgetBytes = std::uint64_t{512} << 20;

class MarketReplay {
 public:
  /// The store for `paths` paths of `calendar`'s horizon of `market` with `seed` and variance
  /// reduction on or off; empty until runs fill it. `market` must outlive it (runs check they use it).
  MarketReplay(const model::MarketModel& market, std::uint64_t seed, std::int64_t paths, const Calendar& calendar,
               bool variance_reduction, bool with_network);

  /// Bytes the store of those paths takes (the caller keeps one only under a memory budget).
  [[nodiscard]] static std::uint64_t bytes_needed(const model::MarketModel& market, std::int64_t paths,
                                                  const Calendar& calendar, bool with_network);

  /// The store for runs of `scenario`'s firms (its horizon; the network's days when its pool pays
  /// luck) on `market`, or none when it would take more than `budget_bytes`.
  [[nodiscard]] static std::optional<MarketReplay> within_budget(const model::MarketModel& market,
                                                                 const firm::Scenario& scenario, std::uint64_t seed,
                                                                 std::int64_t paths, bool variance_reduction,
                                                                 std::uint64_t budget_bytes);

  /// Whether a run with these inputs may use it: the same market object, seed, paths, horizon and
  /// variance reduction.
  [[nodiscard]] bool matches(const model::MarketModel& market, std::uint64_t seed, std::int64_t paths,
                             int horizon_days, bool variance_reduction) const;
  [[nodiscard]] bool with_network() const { return with_network_; }

  /// Whether every path of block `block` (sim::kPathsPerBlock paths) is stored. A run replays a
  /// block only when it is; else it simulates the block, stores it and marks it. Different threads
  /// may store and mark different blocks at once.
  [[nodiscard]] bool has_block(std::uint32_t block) const { return block_stored_[block] != 0; }
  void mark_block(std::uint32_t block) { block_stored_[block] = 1; }

  /// Stores, or loads into `day`'s fields listed above, path `path`'s day `d`.
  void store_day(std::uint32_t path, std::uint32_t d, const model::MarketDay& day);
  void load_day(std::uint32_t path, std::uint32_t d, model::MarketDay& day) const;
  /// The same for the close of month `month` (difficulty and fees per block).
  void store_month_end(std::uint32_t path, std::size_t month, const model::MarketDay& day);
  void load_month_end(std::uint32_t path, std::size_t month, model::MarketDay& day) const;

 private:
  [[nodiscard]] std::size_t at(std::uint32_t path, std::uint32_t d) const {
    return static_cast<std::size_t>(path) * days_ + d;
  }
  [[nodiscard]] std::size_t at_month(std::uint32_t path, std::size_t month) const {
    return static_cast<std::size_t>(path) * months_ + month;
  }
  /// Calls visit(array, MarketDay member, kept) for each field kept per path-day: the one list that
  /// store_day and load_day walk.
  template <class Self, class Visit>
  static void for_each_daily_field(Self& self, Visit&& visit);

  const model::MarketModel* market_;
  std::uint64_t seed_;
  std::int64_t paths_;
  std::size_t days_;
  std::size_t months_;
  bool variance_reduction_;
  bool with_energy_;
  bool with_network_;
  // Per path and day, path-major (a path's days are contiguous); left uninitialized until stored.
  std::unique_ptr<double[]> price_usd_per_btc_;
  std::unique_ptr<double[]> hashprice_btc_per_ph_day_;
  std::unique_ptr<double[]> energy_factor_;          // with_energy_ only
  std::unique_ptr<double[]> network_hashrate_ths_;   // with_network_ only
  std::unique_ptr<double[]> difficulty_;             // with_network_ only
  // Per path and month, at the month's close.
  std::unique_ptr<double[]> month_end_difficulty_;
  std::unique_ptr<double[]> month_end_fees_btc_per_block_;
  std::vector<std::uint8_t> block_stored_;
};

}  // namespace hashpivot::sim
