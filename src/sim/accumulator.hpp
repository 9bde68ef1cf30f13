#pragma once
// Internal to the engine: the statistics one block (or chunk, or run) of paths accumulates. Not
// part of the public headers. The calendar of a run is core/calendar.hpp's.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hashpivot/core/calendar.hpp"
#include "hashpivot/sim/simulation.hpp"
#include "hashpivot/firm/scenario.hpp"

namespace hashpivot::sim::detail {

constexpr std::size_t kFirmSeries = static_cast<std::size_t>(FirmSeries::kCount);
constexpr std::size_t kMarketSeries = static_cast<std::size_t>(MarketSeries::kCount);

/// Everything merged across paths; one per block in flight and one for the total.
struct Accumulator {
  std::vector<StrategyStatistics> strategies;
  stats::MonthlySeries firm_series;
  stats::MonthlySeries market_series;
  MonthlyAccounts accounts;

  /// One StrategyStatistics per run firm (a strategy of a scenario, or a firm of a peer run), named
  /// by `names`. `npv_control_means`: with variance reduction, the known means of the NPV's control
  /// variates (none when the price model has no closed form); nullopt without.
  Accumulator(const std::vector<std::string>& names, std::size_t months, std::uint64_t paths,
              const std::optional<std::vector<double>>& npv_control_means)
      : firm_series({names.size(), months, kFirmSeries}),
        market_series({1, months, kMarketSeries}),
        accounts(names.size(), months) {
    for (const std::string& name : names) {
      strategies.emplace_back(name, months, paths, names.size());
      if (npv_control_means) strategies.back().npv_controlled = stats::ControlledMean(*npv_control_means);
    }
  }
  void merge(const Accumulator& o) {
    for (std::size_t s = 0; s < strategies.size(); ++s) strategies[s].merge(o.strategies[s]);
    firm_series.merge(o.firm_series);
    market_series.merge(o.market_series);
    accounts.merge(o.accounts);
  }
  void clear() {
    for (StrategyStatistics& s : strategies) s.clear();
    firm_series.clear();
    market_series.clear();
    accounts.clear();
  }
  /// The exact state, after the strategy count (statistics.hpp, SERIALIZATION).
  void serialize(stats::ByteWriter& out) const {
    out.write_varint(strategies.size());
    for (const StrategyStatistics& s : strategies) s.serialize(out);
    firm_series.serialize(out);
    market_series.serialize(out);
    accounts.serialize(out);
  }
  /// Throws stats::SerializationError unless the bytes hold an accumulator of this one's shape.
  void deserialize(stats::ByteReader& in) {
    stats::ByteReader::expect("strategies", in.read_varint(), strategies.size());
    for (StrategyStatistics& s : strategies) s.deserialize(in);
    firm_series.deserialize(in);
    market_series.deserialize(in);
    accounts.deserialize(in);
  }
};

}  // namespace hashpivot::sim::detail
