#include "hashpivot/io/plausibility.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <optional>
#include <string_view>

#include "hashpivot/chain/compact.hpp"
#include "hashpivot/chain/params.hpp"
#include "hashpivot/chain/subsidy.hpp"
#include "hashpivot/chain/work.hpp"
#include "hashpivot/core/units.hpp"
#include "hashpivot/io/calibration_reader.hpp"
#include "hashpivot/io/market_inputs.hpp"
#include "hashpivot/io/scenario_reader.hpp"
#include "hashpivot/io/toml_reader.hpp"
#include "hashpivot/market/history.hpp"

namespace hashpivot::io {
namespace {

// The genesis block's timestamp (2009-01-03 18:15:05 UTC): day 0 of the 10-minute schedule.
constexpr std::int64_t kGenesisBlockTimeUnix = 1'231'006'505;

// The days of the halvings (the first block of each era's reduced subsidy; blocks 210,000 to
// 840,000, mempool.space): a date's era is the number of these on or before it.
constexpr std::array<std::string_view, 4> kHalvingDates = {"2012-11-28", "2016-07-09", "2020-05-11", "2024-04-20"};

int halving_era_of(DayNumber day) {
  int era = 0;
  for (const std::string_view date : kHalvingDates)
    if (*parse_date(date) <= day) ++era;
  return era;
}

/// A table of the scenario: its path in the document (0-based array indices, as toml++ reads
/// them) and as messages show it (1-based, as the reader's errors do).
struct Where {
  std::string path;
  std::string shown;
};
Where table(const std::string& name) { return {name, name}; }
Where element(const std::string& array, std::size_t index) {
  return {fmt::format("{}[{}]", array, index), fmt::format("{}[{}]", array, index + 1)};
}

/// Collects warnings, each at the line of its key in the scenario's document (the table's line
/// when the key is absent: a default).
class Locator {
 public:
  Locator(const firm::Scenario& s, const toml::table& document, std::vector<InputWarning>& out)
      : source_(s.source), document_(document), out_(out) {}

  /// Warns at `where.key` when `value` lies outside the range named `range_key`; `context` (how
  /// the value was derived) precedes the problem.
  void check(std::string_view range_key, double value, const Where& where, const std::string& key,
             std::string_view context = "") {
    if (auto problem = implausibility(plausible_range(range_key), value))
      warn(where, key, context.empty() ? *problem : fmt::format("{}: {}", context, *problem));
  }

  void warn(const Where& where, const std::string& key, std::string problem) {
    std::size_t line = 0;
    const toml::node_view<const toml::node> parent = document_.at_path(where.path);
    if (parent.node() != nullptr) line = static_cast<std::size_t>(parent.node()->source().begin.line);
    if (const toml::node* n = parent.as_table() != nullptr ? parent.as_table()->get(key) : nullptr)
      line = static_cast<std::size_t>(n->source().begin.line);
    out_.push_back({source_, line, 0, fmt::format("{}.{}", where.shown, key), std::move(problem)});
  }

 private:
  std::string source_;
  const toml::table& document_;
  std::vector<InputWarning>& out_;
};

void check_market(const firm::Scenario& s, Locator& at) {
  const firm::MarketSetup& m = s.market;
  at.check("market.btc_price_usd", m.btc_price_usd, table("market"), "btc_price_usd");
  at.check("market.fees_btc_per_block", m.fees_btc_per_block, table("market"), "fees_btc_per_block");
  at.check("market.network_hashrate_ehs", m.network_hashrate_ehs, table("market"), "network_hashrate_ehs");
  const chain::ConsensusParams params = chain::ConsensusParams::mainnet();
  const double implied_ehs = chain::difficulty_from_bits(m.bits) * chain::kHashesPerDifficulty /
                             static_cast<double>(params.pow_target_spacing_s) / (kHashesPerTh * kThPerEh);
  at.check("market.bits (difficulty / network_hashrate_ehs)", implied_ehs / m.network_hashrate_ehs, table("market"),
           "bits",
           fmt::format("its difficulty implies {:.4g} EH/s at 10-minute blocks, against network_hashrate_ehs {:.4g}, as a ratio",
                       implied_ehs, m.network_hashrate_ehs));
  const double scheduled_height =
      static_cast<double>(s.run.start_date - day_of_unix_time(kGenesisBlockTimeUnix)) * kSecondsPerDay /
      static_cast<double>(params.pow_target_spacing_s);
  const auto era = [&](double height) {
    return std::max<std::int64_t>(0, static_cast<std::int64_t>(height)) / params.subsidy_halving_interval_blocks;
  };
  at.check("market.height (blocks off the 10-minute schedule of start_date)",
           static_cast<double>(m.height) - scheduled_height, table("market"), "height",
           fmt::format("height {} (halving era {}, subsidy {:g} BTC) against ~{} for {} by the 10-minute schedule "
                       "(era {}), in blocks",
                       m.height, era(static_cast<double>(m.height)),
                       static_cast<double>(chain::block_subsidy_sat(m.height, params)) / chain::kSatPerBtc,
                       readable_number(std::round(scheduled_height)), format_date(s.run.start_date),
                       era(scheduled_height)));
}

void check_firm(const firm::Scenario& s, Locator& at) {
  at.check("scenario.horizon_years", s.run.horizon_years, table("scenario"), "horizon_years");
  at.check("scenario.paths", static_cast<double>(s.run.paths), table("scenario"), "paths");
  for (std::size_t i = 0; i < s.machines.size(); ++i)
    at.check("machines.power_w / machines.hashrate_th", s.machines[i].efficiency_j_per_th(), element("machines", i), "power_w",
             fmt::format("{} W for {} TH/s", s.machines[i].power_w, s.machines[i].hashrate_th));
  for (std::size_t i = 0; i < s.sites.size(); ++i) {
    // An index contract's price is the energy model's; 0 there means "the index alone".
    if (s.sites[i].power_price_usd_per_mwh > 0)
      at.check("sites.power_price_usd_per_mwh", s.sites[i].power_price_usd_per_mwh, element("sites", i),
               "power_price_usd_per_mwh");
    at.check("sites.capacity_mw", s.sites[i].capacity_mw, element("sites", i), "capacity_mw");
  }
}

/// What the fleet (with every strategy's refreshes: an upper bound) mines a day at the start's
/// difficulty, subsidy and fees: BTC a day.
double fleet_btc_per_day_at_start(const firm::Scenario& s) {
  double fleet_th = 0;
  const auto hashrate_th = [&](const std::string& name) {
    const firm::MachineModel* m = firm::find_machine(s, name);
    return m != nullptr ? m->hashrate_th : 0.0;
  };
  for (const firm::FleetEntry& f : s.fleet)
    if (!f.relocated) fleet_th += static_cast<double>(f.count) * hashrate_th(f.machine);
  for (const firm::Strategy& st : s.strategies)
    for (const auto& r : st.refreshes) fleet_th += static_cast<double>(r.count) * hashrate_th(r.machine);
  const chain::ConsensusParams params = chain::ConsensusParams::mainnet();
  const double blocks_per_day = kSecondsPerDay / static_cast<double>(params.pow_target_spacing_s);
  const double btc_per_block =
      static_cast<double>(chain::block_subsidy_sat(s.market.height, params)) / chain::kSatPerBtc +
      s.market.fees_btc_per_block;
  return fleet_th / (s.market.network_hashrate_ehs * kThPerEh) * blocks_per_day * btc_per_block;
}

void check_sales(const firm::Scenario& s, Locator& at) {
  double held_btc = s.treasury.btc;
  for (const firm::Debt& d : s.debts) held_btc += d.collateral_btc;
  const double mined_per_day = fleet_btc_per_day_at_start(s);
  for (std::size_t k = 0; k < s.strategies.size(); ++k) {
    const auto& sales = s.strategies[k].sales;
    for (std::size_t j = 0; j < sales.size(); ++j) {
      double sold_btc = 0;  // this sale and every one on or before its date
      for (const auto& other : sales)
        if (other.date <= sales[j].date) sold_btc += other.btc;
      const double available_btc = held_btc + mined_per_day * static_cast<double>(sales[j].date - s.run.start_date);
      if (!implausibility(plausible_range("strategies.sales.btc (cumulative)"), sold_btc / available_btc)) continue;
      at.warn({fmt::format("strategies[{}].sales[{}]", k, j), fmt::format("strategies[{}].sales[{}]", k + 1, j + 1)}, "btc",
              fmt::format("{} BTC sold by {} is more than all the BTC the firm can have by then, ~{} (treasury.btc {} + "
                          "collateral_btc of its debts + ~{:.1f} a day mined at the start's share of the network); the "
                          "engine sells only the free BTC it holds",
                          readable_number(sold_btc), format_date(sales[j].date), readable_number(std::round(available_btc)),
                          readable_number(s.treasury.btc), mined_per_day));
    }
  }
}

/// A bootstrap whose history reaches into an earlier halving era than the start's.
void check_bootstrap_window(const firm::Scenario& s, const market::DailyHistory& history, std::vector<InputWarning>& out) {
  std::optional<DayNumber> first_known;
  for (std::size_t i = 0; i < history.days() && !first_known; ++i)
    if (market::is_known(history.price_usd[i])) first_known = history.day(i);
  if (!first_known) return;
  const int start_era = halving_era_of(s.run.start_date);
  const int eras_spanned = start_era - halving_era_of(*first_known) + 1;
  const auto problem = implausibility(plausible_range("market.history (block_bootstrap)"), eras_spanned);
  if (!problem) return;
  const std::string era_began = start_era > 0 ? fmt::format("on or after {}", kHalvingDates[static_cast<std::size_t>(start_era) - 1])
                                              : "in the start's era";
  out.push_back({s.source, line_of_key(s.source, "market.history"), 0, "market.history",
                 fmt::format("block_bootstrap resamples the returns of {} from {} to {}: {}; give a history that starts "
                             "{}",
                             history.source, format_date(*first_known), format_date(s.run.start_date - 1), *problem,
                             era_began)});
}

}  // namespace

std::vector<InputWarning> scenario_warnings(const firm::Scenario& s, const toml::table& document) {
  std::vector<InputWarning> out;
  Locator at(s, document, out);
  check_firm(s, at);
  check_market(s, at);
  check_sales(s, at);
  std::stable_sort(out.begin(), out.end(), [](const InputWarning& a, const InputWarning& b) { return a.line < b.line; });
  return out;
}

std::vector<InputWarning> market_input_warnings(const firm::Scenario& s) {
  std::vector<InputWarning> out;
  (void)read_calibration_toml(existing_scenario_file(s, "market.calibration", s.market.calibration_file), out);
  if (s.market.btc_price_model == firm::PriceModel::kBlockBootstrap) {
    const market::DailyHistory history = market::read_daily_history_csv(
        existing_scenario_file(s, "market.history", s.market.history_file), std::nullopt, s.run.start_date - 1);
    out.insert(out.end(), history.warnings.begin(), history.warnings.end());
    check_bootstrap_window(s, history, out);
  }
  return out;
}

ScenarioInput read_scenario_input(const std::string& path) {
  ScenarioInput input;
  input.scenario = read_scenario(path, input.warnings);
  const std::vector<InputWarning> market = market_input_warnings(input.scenario);
  input.warnings.insert(input.warnings.end(), market.begin(), market.end());
  return input;
}

}  // namespace hashpivot::io
