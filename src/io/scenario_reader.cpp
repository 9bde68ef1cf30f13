#include "hashpivot/core/units.hpp"
#include "hashpivot/io/scenario_reader.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <utility>
#include <map>
#include <optional>
#include <set>

#include "hashpivot/core/error.hpp"
#include "hashpivot/firm/plan.hpp"
#include "hashpivot/firm/strategy_parameters.hpp"
#include "hashpivot/io/plausibility.hpp"
#include "hashpivot/io/toml_reader.hpp"
#include "hashpivot/market/asic_price.hpp"

namespace hashpivot::io {
namespace {

using firm::Scenario;

// A keyword field parsed into its enum through the enum's one keyword table (firm/scenario.hpp):
// the allowed list, and so the error message, come from the table in its order.
template <class E>
std::vector<std::string> allowed_keywords() {
  std::vector<std::string> allowed;
  for (const firm::Keyword<E>& k : firm::keywords(E{})) allowed.emplace_back(k.keyword);
  return allowed;
}

template <class E>
E choice_or(TableReader& t, const std::string& key, E fallback) {
  return *firm::parse_keyword<E>(t.choice_or(key, std::string(firm::keyword(fallback)), allowed_keywords<E>()));
}

template <class E>
E require_choice(TableReader& t, const std::string& key) {
  return *firm::parse_keyword<E>(t.require_choice(key, allowed_keywords<E>()));
}

std::uint32_t parse_bits(TableReader& t, const std::string& key) {
  std::string text = t.require_string(key);
  std::string_view digits = text;
  if (digits.starts_with("0x") || digits.starts_with("0X")) digits.remove_prefix(2);
  std::uint32_t bits = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), bits, 16);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size())
    t.fail(key, fmt::format("expected compact bits in hex such as \"0x1701fca1\", got \"{}\"", text));
  return bits;
}

// Plausibility bounds that catch a wrong unit (a number right in another unit), with the hint.
// They are wide: any real value lies inside them by orders of magnitude.
constexpr double kMaxNetworkHashrateEhs = 1e5;    // 100,000 EH/s: ~115x the Jan 2026 network
constexpr double kMinEfficiencyJPerTh = 5.0;      // the best machines of 2025 draw ~10 J/TH
constexpr double kMaxEfficiencyJPerTh = 10'000.0; // a 2013 ASIC drew ~10,000 J/TH (USB sticks)
constexpr double kMinPowerPriceUsdPerMwh = 1.0;   // below: a price in USD/kWh
constexpr double kMaxFeesBtcPerBlock = 50.0;      // above: sat, or fees of a day
/// A fleet that fills its site exactly may sum to a hair above capacity in floating point.
constexpr double kCapacityRoundingShare = 1e-9;

void check_units_of_market(TableReader& t, const firm::MarketSetup& m) {
  if (m.network_hashrate_ehs > kMaxNetworkHashrateEhs)
    t.fail("network_hashrate_ehs", fmt::format("{} EH/s looks like TH/s or PH/s; expected EH/s (about 1,000 EH/s in January 2026)",
                                               m.network_hashrate_ehs));
  if (m.fees_btc_per_block > kMaxFeesBtcPerBlock)
    t.fail("fees_btc_per_block", fmt::format("{} BTC per block looks like sat or a day's fees; expected BTC per block "
                                             "(0.019 in January 2026)",
                                             m.fees_btc_per_block));
}

void check_units_of_machine(TableReader& t, const firm::MachineModel& m) {
  const double j_per_th = m.efficiency_j_per_th();
  if (j_per_th < kMinEfficiencyJPerTh || j_per_th > kMaxEfficiencyJPerTh)
    t.fail("power_w", fmt::format("{} W for {} TH/s is {:.3g} J/TH, outside what any machine draws ({}-{} J/TH): "
                                  "expected W and TH/s per machine (an S21 is 200 TH/s at 3,500 W)",
                                  m.power_w, m.hashrate_th, j_per_th, kMinEfficiencyJPerTh, kMaxEfficiencyJPerTh));
}

void check_units_of_site(TableReader& t, const firm::Site& s) {
  if (s.power_price_usd_per_mwh > 0 && s.power_price_usd_per_mwh < kMinPowerPriceUsdPerMwh)
    t.fail("power_price_usd_per_mwh", fmt::format("{} looks like USD/kWh; expected USD/MWh (7.58 cents/kWh = 75.8 USD/MWh)",
                                                  s.power_price_usd_per_mwh));
}

firm::RunSettings read_run(TableReader t) {
  firm::RunSettings run{
      .name = t.require_string("name"),
      .start_date = t.require_date("start_date"),
      .horizon_years = static_cast<int>(t.require_integer("horizon_years", Range{1, 10})),
      .paths = t.integer_or("paths", 10'000, Range{1, 1e9}),
      .seed = static_cast<std::uint64_t>(t.require_integer("seed", Range::non_negative())),
      .discount_rate_annual = t.require_number("discount_rate_annual", Range{0.0, 1.0}),
      .terminal_ebitda_multiple = t.number_or("terminal_ebitda_multiple", 0.0, Range{0.0, 50.0}),
  };
  t.finish();
  return run;
}

firm::MarketSetup read_market(TableReader t) {
  firm::MarketSetup m{
      .calibration_file = t.require_string("calibration"),
      .btc_price_model = choice_or(t, "btc_price_model", firm::PriceModel::kJumpDiffusion),
      .btc_price_usd = t.require_number("btc_price_usd", Range::positive()),
      .fees_btc_per_block = t.require_number("fees_btc_per_block", Range::non_negative()),
      .hashrate_model = choice_or(t, "hashrate_model", firm::HashrateModel::kExogenous),
      .network_hashrate_ehs = t.require_number("network_hashrate_ehs", Range::positive()),
      .height = t.require_integer("height", Range::non_negative()),
      .bits = parse_bits(t, "bits"),
      .epoch_first_block_time_unix = t.require_integer("epoch_first_block_time_unix", Range::positive()),
      .btc_price_drift_annual = t.optional_number("btc_price_drift_annual", Range{-2.0, 2.0}),
      .hashrate_drift_annual = t.optional_number("hashrate_drift_annual", Range{-2.0, 2.0}),
      .network_supply_share_annual = t.optional_number("network_supply_share_annual", Range{0.0, 5.0}),
      .history_file = "",
  };
  if (m.btc_price_model == firm::PriceModel::kBlockBootstrap) m.history_file = t.require_string("history");
  // Each network model has its own growth key; the other model would have nothing to move with it.
  if (m.hashrate_model == firm::HashrateModel::kMarginDriven && m.hashrate_drift_annual)
    t.fail("hashrate_drift_annual",
           "applies to the exogenous hashrate model only: the margin-driven network's growth follows from the "
           "hashprice and the fleet's costs (its capacity is network_supply_share_annual)");
  if (m.hashrate_model == firm::HashrateModel::kExogenous && m.network_supply_share_annual)
    t.fail("network_supply_share_annual",
           "applies to the margin-driven hashrate model only: the exogenous network's growth is hashrate_drift_annual");
  check_units_of_market(t, m);
  t.finish();
  return m;
}

firm::MachineModel read_machine(TableReader t) {
  firm::MachineModel m{
      .name = t.require_string("name"),
      .hashrate_th = t.require_number("hashrate_th", Range::positive()),
      .power_w = t.require_number("power_w", Range::positive()),
      .release_year = static_cast<int>(t.require_integer("release_year", Range{2009, 2100})),
      .price_usd = t.number_or("price_usd", 0.0, Range::non_negative()),
  };
  check_units_of_machine(t, m);
  m.tier_usd_per_th =
      market::AsicPriceModel{}.base_usd_per_th[static_cast<std::size_t>(market::asic_tier_of(m.efficiency_j_per_th()))];
  t.finish();
  return m;
}

firm::Conversion read_conversion(TableReader t) {
  firm::Conversion c{
      .capex_usd_per_mw = t.require_number("capex_usd_per_mw", Range::non_negative()),
      .tenant_funded_fraction = t.number_or("tenant_funded_fraction", 0.0, Range::fraction()),
      .lead_time_months = static_cast<int>(t.require_integer("lead_time_months", Range{0, 60})),
      .lease_usd_per_mw_year = t.require_number("lease_usd_per_mw_year", Range::non_negative()),
      .escalator_annual = t.number_or("escalator_annual", 0.0, Range{-0.5, 0.5}),
      .term_years = static_cast<int>(t.require_integer("term_years", Range{1, 50})),
      .noi_margin = t.require_number("noi_margin", Range::fraction()),
      .tenant_default_prob_annual = t.number_or("tenant_default_prob_annual", 0.0, Range::fraction()),
      .project_debt_loan_to_cost = t.number_or("project_debt_loan_to_cost", 0.0, Range::fraction()),
      .project_debt_rate_annual = t.number_or("project_debt_rate_annual", 0.0, Range::non_negative()),
      .terminal_value = choice_or(t, "terminal_value", firm::ConversionTerminal::kEbitdaMultiple),
      .residual_value_usd_per_mw = t.number_or("residual_value_usd_per_mw", 0.0, Range::non_negative()),
      .lease_discount_rate_annual = t.optional_number("lease_discount_rate_annual", Range{0.0, 1.0}),
  };
  t.finish();
  return c;
}

constexpr double kShareTolerance = 1e-9;  // fixed_share + energy_share may miss 1 by rounding only

// The power contract's split (firm::Site): fixed_share / energy_share of an all-in fixed price
// (both given: they must add up to 1), a kW-month hosting fee, a take-or-pay fraction, a
// pass-through margin, demand-response credits and curtailment rights.
void read_contract_split(TableReader& t, firm::Site& s) {
  const std::optional<double> fixed_share = t.optional_number("fixed_share", Range::fraction());
  const std::optional<double> energy_share = t.optional_number("energy_share", Range::fraction());
  if ((fixed_share || energy_share) && s.power_contract != firm::PowerContract::kFixed)
    t.fail(fixed_share ? "fixed_share" : "energy_share",
           fmt::format("a share of the all-in price needs power_contract = \"{}\"; an index contract's fixed part is "
                       "hosting_fee_usd_per_kw_month or take_or_pay_fraction",
                       firm::keyword(firm::PowerContract::kFixed)));
  if (fixed_share && energy_share && std::abs(*fixed_share + *energy_share - 1.0) > kShareTolerance)
    t.fail("energy_share", fmt::format("fixed_share {} + energy_share {} = {}: the shares of the all-in price must add up "
                                       "to 1",
                                       *fixed_share, *energy_share, *fixed_share + *energy_share));
  s.fixed_share = fixed_share ? *fixed_share : (energy_share ? 1.0 - *energy_share : 0.0);
  s.hosting_fee_usd_per_kw_month = t.number_or("hosting_fee_usd_per_kw_month", 0.0, Range::non_negative());
  s.take_or_pay_fraction = t.number_or("take_or_pay_fraction", 0.0, Range::fraction());
  if (t.has("energy_margin_usd_per_mwh") && s.power_contract != firm::PowerContract::kPassThrough)
    t.fail("energy_margin_usd_per_mwh", fmt::format("a margin over the index needs power_contract = \"{}\"",
                                                    firm::keyword(firm::PowerContract::kPassThrough)));
  s.energy_margin_usd_per_mwh = t.number_or("energy_margin_usd_per_mwh", 0.0, Range::non_negative());
  s.demand_response_credit_usd_per_mwh = t.number_or("demand_response_credit_usd_per_mwh", 0.0, Range::non_negative());
  s.max_curtailed_hours_per_year =
      t.optional_number("max_curtailed_hours_per_year", Range{0.0, kDaysPerYear * static_cast<double>(kHoursPerDay)});
  s.fixed_charges_until = t.optional_date("fixed_charges_until");
}

firm::Site read_site(TableReader t) {
  firm::Site s{
      .name = t.require_string("name"),
      .capacity_mw = t.require_number("capacity_mw", Range::non_negative()),
      .pue = t.number_or("pue", 1.0, Range{1.0, 3.0}),
      .power_contract = choice_or(t, "power_contract", firm::PowerContract::kFixed),
      .power_price_usd_per_mwh = t.require_number("power_price_usd_per_mwh", Range::non_negative()),
      .curtailment_credit_usd_per_mwh = t.number_or("curtailment_credit_usd_per_mwh", 0.0, Range::non_negative()),
      .opex_usd_per_mw_year = t.number_or("opex_usd_per_mw_year", 0.0, Range::non_negative()),
      .conversion = std::nullopt,
      .fixed_share = 0.0,
      .hosting_fee_usd_per_kw_month = 0.0,
      .take_or_pay_fraction = 0.0,
      .energy_margin_usd_per_mwh = 0.0,
      .demand_response_credit_usd_per_mwh = 0.0,
      .max_curtailed_hours_per_year = std::nullopt,
      .fixed_charges_until = std::nullopt,
  };
  if (auto conversion = t.optional_table("conversion")) s.conversion = read_conversion(*conversion);
  read_contract_split(t, s);
  check_units_of_site(t, s);
  t.finish();
  return s;
}

firm::FleetEntry read_fleet_entry(TableReader t) {
  firm::FleetEntry f{
      .machine = t.require_string("machine"),
      .site = t.require_string("site"),
      .count = t.require_integer("count", Range::non_negative()),
      .uptime = t.number_or("uptime", 1.0, Range::fraction()),
      .failure_rate_annual = t.number_or("failure_rate_annual", 0.0, Range::fraction()),
      .book_value_usd = t.number_or("book_value_usd", 0.0, Range::non_negative()),
      .depreciation_years = t.number_or("depreciation_years", 3.0, Range::positive()),
      .in_service = t.optional_date("in_service"),
      .retire = t.optional_date("retire"),
      .repair_failure_rate_annual = t.number_or("repair_failure_rate_annual", 0.0, Range{0.0, 100.0}),
      .repair_days = t.number_or("repair_days", 0.0, Range{0.0, kDaysPerYear}),
      .capex_usd = t.number_or("capex_usd", 0.0, Range::non_negative()),
  };
  if (f.in_service && f.retire && *f.retire <= *f.in_service)
    t.fail("retire", fmt::format("{} is not after in_service {}", format_date(*f.retire), format_date(*f.in_service)));
  if (t.has("capex_usd") && !f.in_service)
    t.fail("capex_usd", "a deployment's capex needs an in_service date (the day it is paid)");
  if (auto relocate = t.optional_table("relocate")) {
    f.relocate = firm::Relocation{
        .site = relocate->require_string("site"),
        .on = relocate->require_date("on"),
        .days_offline = static_cast<int>(relocate->integer_or("days_offline", 0, Range{0.0, kDaysPerYear})),
        .cost_usd = relocate->number_or("cost_usd", 0.0, Range::non_negative()),
    };
    relocate->finish();
  }
  t.finish();
  return f;
}

// [market_impact] defaults (docs/scenario.md gives the sources):
// - the square-root law's prefactor Y is of order one in every market measured, Bitcoin/USD included
//   (Donier & Bonart 2015, "A million metaorder analysis of market impact on the Bitcoin", arXiv
//   1412.4503); ASSUMPTION Y = 1, and an evenly executed sale pays on average 2/3 of its final
//   impact (the mean of sqrt over the sale), so k = 2/3 (bounds 1/3 to 4/3: Y from 0.5 to 2);
// - σ_daily = 0.449 / sqrt(365) = 0.0235: the annual volatility of the bundled calibration
//   (data/calibration/halving_2024_market.toml, 2024-04-20 to 2026-01-31);
// - ASSUMPTION V_daily = 100,000 BTC a day of spot volume (bounds 50,000 to 200,000): CoinGecko puts
//   the top-10 exchanges' 2025 spot volume at $18.7 trillion ($51 billion a day, all assets); a BTC
//   share of a quarter to a half at ~$100,000 is 130,000 to 250,000 BTC, and Bitwise's 2019 estimate
//   of "real" volume ($273 million a day at ~$3,900) was ~70,000 BTC; 100,000 leans to the thin side.
constexpr double kDefaultImpactCoefficient = 2.0 / 3.0;
constexpr double kDefaultDailyVolatility = 0.0235;
constexpr double kDefaultDailyVolumeBtc = 100'000;
constexpr double kMaxImpactCoefficient = 10.0;

firm::MarketImpact read_market_impact(TableReader t) {
  firm::MarketImpact m{
      .coefficient = t.number_or("coefficient", kDefaultImpactCoefficient, Range{0.0, kMaxImpactCoefficient}),
      .daily_volatility = t.number_or("daily_volatility", kDefaultDailyVolatility, Range::fraction()),
      .daily_volume_btc = t.number_or("daily_volume_btc", kDefaultDailyVolumeBtc, Range::positive()),
  };
  t.finish();
  return m;
}

// The pools' fees of docs/model.md §4: AntPool 2.5%, F2Pool 4%, Braiins 2% (0% with its own firmware,
// not assumed), Luxor ~0.7–1.75% (the upper end: a firm of Cango's size is not on the best tier).
// docs/model.md quotes one fee per pool, not one per payout scheme.
double operator_fee(firm::PoolOperator pool) {
  switch (pool) {
    case firm::PoolOperator::kAntpool: return 0.025;
    case firm::PoolOperator::kF2pool: return 0.04;
    case firm::PoolOperator::kBraiins: return 0.02;
    case firm::PoolOperator::kLuxor: return 0.0175;
  }
  return 0.0;
}

constexpr double kMaxPoolFee = 0.1;
constexpr std::int64_t kMaxPoolWindowDays = 365;

// [pool]; writes the fee into `fee` when the table gives one (`fee`, or an `operator`'s).
// `treasury_fee_given`: treasury.pool_fee was written too, which would be a second, conflicting fee.
firm::Pool read_pool(TableReader t, double& fee, bool treasury_fee_given) {
  firm::Pool p;
  p.scheme = choice_or(t, "scheme", firm::PoolScheme::kFpps);
  std::optional<double> given_fee = t.optional_number("fee", Range{0.0, kMaxPoolFee});
  if (t.has("operator")) {
    const auto pool = require_choice<firm::PoolOperator>(t, "operator");
    if (!given_fee) given_fee = operator_fee(pool);
  }
  if (given_fee) {
    if (treasury_fee_given)
      t.fail(t.has("fee") ? "fee" : "operator", "the pool fee is given twice: here and as treasury.pool_fee; keep one");
    fee = *given_fee;
  }
  const std::optional<double> share = t.optional_number("share_of_network", Range{0.0, 1.0, true, false});
  const std::optional<double> hashrate = t.optional_number("pool_hashrate_ehs", Range::positive());
  if (share && hashrate)
    t.fail("pool_hashrate_ehs", "give the pool's size once: share_of_network or pool_hashrate_ehs, not both");
  if (p.pays_luck() && !share && !hashrate)
    t.fail("scheme", fmt::format("\"{}\" pays by the blocks the pool finds: give share_of_network or "
                                 "pool_hashrate_ehs",
                                 firm::keyword(p.scheme)));
  p.share_of_network = share.value_or(0.0);
  p.hashrate_ehs = hashrate.value_or(0.0);
  p.window_days = static_cast<int>(t.integer_or("window_days", 1, Range{1, kMaxPoolWindowDays}));
  t.finish();
  return p;
}

// [[downtime]]: site (a site's name; "all" or absent: every site), from, to, fraction_offline.
firm::Downtime read_downtime(TableReader t, const std::vector<firm::Site>& sites) {
  firm::Downtime d{
      .site = t.string_or("site", "all"),
      .from = t.require_date("from"),
      .to = t.require_date("to"),
      .fraction_offline = t.require_number("fraction_offline", Range{0.0, 1.0, true, false}),
  };
  if (d.site == "all") d.site.clear();
  bool found = d.site.empty();
  for (const firm::Site& site : sites) found = found || site.name == d.site;
  if (!found) t.fail("site", fmt::format("no [[sites]] entry is named \"{}\" (or write \"all\")", d.site));
  if (d.to < d.from)
    t.fail("to", fmt::format("{} is before from {}", format_date(d.to), format_date(d.from)));
  t.finish();
  return d;
}

using firm::find_machine;

// The site named `name` (nullptr when none is).
const firm::Site* find_site(const Scenario& s, const std::string& name) {
  for (const auto& site : s.sites)
    if (site.name == name) return &site;
  return nullptr;
}

// Whether fleet entry `f` hashes on `day` (nullopt: before any date).
bool in_service_on(const firm::FleetEntry& f, std::optional<DayNumber> day) {
  const bool started = !f.in_service || (day && *f.in_service <= *day);
  const bool retired = f.retire && (!day || *day >= *f.retire);
  return started && !retired;
}

// Each site's capacity on every date the fleet changes: adding entry `i` (file order) must not take
// any site above its capacity on the start or on the in-service date of any entry up to `i`. An
// undated fleet is the cumulative check in file order.
void check_capacity(const Scenario& s, std::size_t i, const firm::Site& site, TableReader& table,
                    const std::string& key = "") {
  std::vector<std::optional<DayNumber>> dates{std::nullopt};
  for (std::size_t j = 0; j <= i; ++j)
    if (s.fleet[j].in_service) dates.push_back(s.fleet[j].in_service);
  for (const std::optional<DayNumber>& day : dates) {
    double power_mw = 0;
    for (std::size_t j = 0; j <= i; ++j) {
      const firm::FleetEntry& f = s.fleet[j];
      if (f.site != site.name || !in_service_on(f, day)) continue;
      power_mw += static_cast<double>(f.count) * find_machine(s, f.machine)->power_w * site.pue / kWattsPerMegawatt;
    }
    if (power_mw > site.capacity_mw * (1 + kCapacityRoundingShare))
      table.fail(!key.empty() ? key : s.fleet[i].in_service ? "in_service" : "count",
                 fmt::format("the fleet at site \"{}\" would draw {:.2f} MW with PUE {}{}, above its capacity of {} MW",
                             site.name, power_mw, site.pue, day ? " on " + format_date(*day) : std::string(),
                             site.capacity_mw));
  }
}

// Entry `i`'s relocate table, checked, turned into a second entry: the same machines at the target
// site from on + days_offline (until the entry's retire, book 0, FleetEntry::relocated), appended
// after it; entry `i` retires on `on`. The target site must have room on every date.
void add_relocation(Scenario& s, std::size_t i, TableReader& fleet_table, DayNumber horizon_end) {
  TableReader t = *fleet_table.optional_table("relocate");
  const firm::FleetEntry f = s.fleet[i];
  const firm::Relocation& r = *f.relocate;
  const firm::Site* target = find_site(s, r.site);
  if (!target) t.fail("site", fmt::format("no [[sites]] entry is named \"{}\"", r.site));
  if (r.site == f.site) t.fail("site", fmt::format("the machines are already at site \"{}\"", r.site));
  if (r.on < s.run.start_date || r.on >= horizon_end)
    t.fail("on", fmt::format("{} lies outside the horizon, {} to {} (exclusive)", format_date(r.on),
                             format_date(s.run.start_date), format_date(horizon_end)));
  if (f.in_service && r.on <= *f.in_service)
    t.fail("on", fmt::format("{} is not after in_service {}", format_date(r.on), format_date(*f.in_service)));
  if (f.retire && r.on >= *f.retire)
    t.fail("on", fmt::format("{} is not before retire {}", format_date(r.on), format_date(*f.retire)));
  const DayNumber arrival = r.on + static_cast<DayNumber>(r.days_offline);
  if (f.retire && arrival >= *f.retire)
    t.fail("days_offline", fmt::format("the machines would arrive on {}, not before retire {}", format_date(arrival),
                                       format_date(*f.retire)));
  if (arrival >= horizon_end)
    t.fail("days_offline", fmt::format("the machines would arrive on {}, after the horizon, which ends on {}",
                                       format_date(arrival), format_date(horizon_end)));
  s.fleet.push_back(firm::split_relocation(s.fleet[i]));
  check_capacity(s, s.fleet.size() - 1, *target, t, "on");
}

// [debt.refinance] of `debt` (its kind and LTV levels read already).
firm::Refinancing read_refinancing(TableReader t, const firm::Debt& debt) {
  firm::Refinancing r{
      .rate_annual = t.require_number("rate_annual", Range{0.0, 1.0}),
      .tenor_days = static_cast<int>(t.require_integer("tenor_days", Range{1, 10 * 366})),
  };
  r.min_interest_coverage = t.number_or("min_interest_coverage", 0.0, Range::non_negative());
  r.fee_fraction = t.number_or("fee_fraction", 0.0, Range{0.0, 1.0, false, true});
  r.max_rolls = static_cast<int>(t.integer_or("max_rolls", 1, Range{1, 100}));
  if (debt.kind == firm::DebtKind::kBtcBacked) {
    r.max_ltv = t.require_number("max_ltv", Range{0.0, 1.0, true, false});
    if (r.max_ltv > debt.ltv_call)
      t.fail("max_ltv", fmt::format("a roll at LTV {} would be margin-called at once: it must be at most ltv_call ({})",
                                    r.max_ltv, debt.ltv_call));
  }
  t.finish();
  return r;
}

firm::Debt read_debt(TableReader t) {
  firm::Debt d{
      .name = t.require_string("name"),
      .kind = require_choice<firm::DebtKind>(t, "kind"),
      .principal_usd = t.require_number("principal_usd", Range::non_negative()),
      .rate_annual = t.require_number("rate_annual", Range{0.0, 1.0}),
      .maturity = t.require_date("maturity"),
      .amortization = choice_or(t, "amortization", firm::Amortization::kBullet),
  };
  d.covenant_min_cash_usd = t.number_or("covenant_min_cash_usd", 0.0, Range::non_negative());
  if (d.kind == firm::DebtKind::kBtcBacked) {
    d.collateral_btc = t.require_number("collateral_btc", Range::non_negative());
    d.ltv_target = t.require_number("ltv_target", Range{0.0, 1.0, true, true});
    d.ltv_call = t.require_number("ltv_call", Range{0.0, 1.0, true, true});
    d.ltv_liquidation = t.require_number("ltv_liquidation", Range{0.0, 1.0, true, false});
    if (!(d.ltv_target < d.ltv_call && d.ltv_call < d.ltv_liquidation))
      t.fail("ltv_call", fmt::format("expected ltv_target < ltv_call < ltv_liquidation, got {} / {} / {}", d.ltv_target,
                                     d.ltv_call, d.ltv_liquidation));
  } else if (d.kind == firm::DebtKind::kConvertible) {
    // Converts into shares at a price per share, or (the stand-in without shares) on the BTC price.
    const std::optional<double> per_share = t.optional_number("conversion_price_usd_per_share", Range::positive());
    if (per_share && t.has("conversion_price_usd"))
      t.fail("conversion_price_usd", "give one conversion price: conversion_price_usd_per_share (into shares) or "
                                     "conversion_price_usd (the BTC-price stand-in)");
    if (per_share) d.conversion_price_usd_per_share = *per_share;
    else d.conversion_price_usd = t.require_number("conversion_price_usd", Range::positive());
  } else if (d.kind == firm::DebtKind::kRevolver) {
    d.limit_usd = t.require_number("limit_usd", Range::non_negative());
    if (d.principal_usd > d.limit_usd)
      t.fail("principal_usd", fmt::format("the drawn principal {} exceeds the limit {}", d.principal_usd, d.limit_usd));
  }
  if (std::optional<TableReader> refinance = t.optional_table("refinance")) {
    if (d.kind != firm::DebtKind::kTerm && d.kind != firm::DebtKind::kBtcBacked)
      t.fail("refinance", fmt::format("a {} debt cannot be rolled: refinancing terms are for term and btc_backed debt",
                                      firm::keyword(d.kind)));
    d.refinance = read_refinancing(*refinance, d);
  }
  t.finish();
  return d;
}

// [strategies.search]: one inline table { low = …, high = … } per parameter name. A key that is not
// a parameter name is left unread, so finish() reports it with its line.
std::optional<TableReader> read_search(TableReader& t, firm::Strategy& s) {
  std::optional<TableReader> search = t.optional_table("search");
  if (!search) return std::nullopt;
  for (const firm::StrategyParameter& p : firm::strategy_parameters()) {
    const std::string name(p.name);
    std::optional<TableReader> range = search->optional_table(name);
    if (!range) continue;
    const double low = range->require_number("low", Range::any());
    const double high = range->require_number("high", Range::any());
    if (!(low < high)) range->fail("low", fmt::format("expected low < high, got low {} and high {}", low, high));
    range->finish();
    s.search.push_back({name, low, high});
  }
  search->finish();
  return search;
}

// Each declared range must name a parameter the strategy uses, with both ends inside its valid range:
// firm::set_strategy_parameter on a copy of the scenario is the one place that knows both.
void check_search(const Scenario& scenario, std::size_t strategy, const TableReader& search) {
  for (const firm::SearchRange& r : scenario.strategies[strategy].search) {
    Scenario probe = scenario;
    try {
      firm::set_strategy_parameter(probe, strategy, r.parameter, r.low);
      firm::set_strategy_parameter(probe, strategy, r.parameter, r.high);
    } catch (const ParameterError& e) {
      search.fail(r.parameter, fmt::format("strategy parameter {}: {}", e.parameter(), e.problem()));
    }
  }
}

// A one-off sale; `use` is "cash", "capex" or "repay:<debt name>" (the debt is resolved once every
// [[debt]] is read).
firm::OneOffSale read_sale(TableReader& sale) {
  using firm::SaleUse;
  firm::OneOffSale s{sale.require_date("date"), sale.require_number("btc", Range::positive()), SaleUse::kCash, ""};
  const std::string use = sale.string_or("use", std::string(firm::keyword(SaleUse::kCash)));
  const std::string repay_prefix = std::string(firm::keyword(SaleUse::kRepayDebt)) + ":";
  if (use.starts_with(repay_prefix)) {
    s.use = SaleUse::kRepayDebt;
    s.repay_debt = use.substr(repay_prefix.size());
  } else if (const auto parsed = firm::parse_keyword<SaleUse>(use); parsed && *parsed != SaleUse::kRepayDebt) {
    s.use = *parsed;
  } else {
    sale.fail("use", fmt::format("expected \"{}\", \"{}\" or \"{}<debt name>\", got \"{}\"", firm::keyword(SaleUse::kCash),
                                 firm::keyword(SaleUse::kCapex), repay_prefix, use));
  }
  return s;
}

// ---- [[strategies.refresh]] ---------------------------------------------------------------------

// The ASIC price model's USD per TH/s for a machine's efficiency tier (market/asic_price.hpp, at
// its base hashprice); a tier without a sourced price fails on `key`.
double tier_usd_per_th(TableReader& t, const std::string& key, const firm::MachineModel& machine) {
  const market::AsicPriceModel model{};
  const market::AsicTier tier = market::asic_tier_of(machine.efficiency_j_per_th());
  const double price = model.base_usd_per_th[static_cast<std::size_t>(tier)];
  if (!std::isfinite(price))
    t.fail(key, fmt::format("\"{}\" draws {:.3g} J/TH, in the ASIC price tier {}, which has no price "
                            "(market/asic_price.hpp: only the tier below 25 J/TH is sourced)",
                            machine.name, machine.efficiency_j_per_th(), market::asic_tier_name(tier)));
  return price;
}

// MW a site's fleet draws at the meter, less the model `replaced` there (it leaves when the refresh
// arrives), plus the strategy's earlier refreshes there.
double site_draw_mw(const Scenario& s, const firm::Site& site, const std::vector<firm::Refresh>& earlier,
                    const std::string& replaced) {
  double mw = 0.0;
  for (const firm::FleetEntry& f : s.fleet)
    if (f.site == site.name && f.machine != replaced)
      mw += static_cast<double>(f.count) * find_machine(s, f.machine)->power_w * site.pue / kWattsPerMegawatt;
  for (const firm::Refresh& r : earlier)
    if (r.site == site.name)
      mw += static_cast<double>(r.count) * find_machine(s, r.machine)->power_w * site.pue / kWattsPerMegawatt;
  return mw;
}

constexpr std::int64_t kMaxLeadTimeDays = 3650;

// One refresh: the machine and its price, the count, the site (given, or the first with room), what
// it replaces there and their price, all checked against the scenario read so far.
firm::Refresh read_refresh(TableReader t, const Scenario& s, const std::vector<firm::Refresh>& earlier, DayNumber end) {
  firm::Refresh r;
  r.date = t.require_date("date");
  if (r.date < s.run.start_date || r.date >= end)
    t.fail("date", fmt::format("{} lies outside the horizon {} to {}", format_date(r.date), format_date(s.run.start_date),
                               format_date(end)));
  r.machine = t.require_string("machine");
  const firm::MachineModel* machine = find_machine(s, r.machine);
  if (!machine) t.fail("machine", fmt::format("no [[machines]] entry is named \"{}\"", r.machine));
  r.usd_per_th = tier_usd_per_th(t, "machine", *machine);
  const std::optional<double> count = t.optional_number("count", Range::positive());
  const std::optional<double> hashrate_ehs = t.optional_number("hashrate_ehs", Range::positive());
  if (count.has_value() == hashrate_ehs.has_value())
    t.fail(count ? "hashrate_ehs" : "count", "give the machines bought once: count or hashrate_ehs");
  r.count = count ? std::llround(*count) : std::llround(*hashrate_ehs * kThPerEh / machine->hashrate_th);
  if (r.count < 1) t.fail(count ? "count" : "hashrate_ehs", "rounds to no machine");
  r.lead_time_days = static_cast<int>(t.require_integer("lead_time_days", Range{0, kMaxLeadTimeDays}));
  r.deposit_fraction = t.require_number("deposit_fraction", Range::fraction());
  r.uptime = t.number_or("uptime", 1.0, Range::fraction());
  r.failure_rate_annual = t.number_or("failure_rate_annual", 0.0, Range::fraction());
  r.depreciation_years = t.number_or("depreciation_years", 3.0, Range::positive());
  r.replaces = t.string_or("replaces", "");
  const std::string given_site = t.string_or("site", "");
  for (const firm::Site& site : s.sites) {
    if (!given_site.empty() && site.name != given_site) continue;
    const double needed_mw = static_cast<double>(r.count) * machine->power_w * site.pue / kWattsPerMegawatt;
    if (site_draw_mw(s, site, earlier, r.replaces) + needed_mw <= site.capacity_mw * (1 + 1e-9)) {
      r.site = site.name;
      break;
    }
    if (!given_site.empty())
      t.fail("count", fmt::format("site \"{}\" has {:.2f} MW free, and {} {} draw {:.2f} MW with PUE {}", site.name,
                                  site.capacity_mw - site_draw_mw(s, site, earlier, r.replaces), r.count, r.machine,
                                  needed_mw, site.pue));
  }
  if (!given_site.empty() && r.site.empty()) t.fail("site", fmt::format("no [[sites]] entry is named \"{}\"", given_site));
  if (r.site.empty())
    t.fail("count", fmt::format("no site has free capacity for {} {} ({:.2f} MW of IT)", r.count, r.machine,
                                static_cast<double>(r.count) * machine->power_w / kWattsPerMegawatt));
  if (!r.replaces.empty()) {
    bool found = false;
    for (const firm::FleetEntry& f : s.fleet) found = found || (f.machine == r.replaces && f.site == r.site);
    if (!found) t.fail("replaces", fmt::format("no [[fleet]] entry of \"{}\" at site \"{}\"", r.replaces, r.site));
    r.replaced_usd_per_th = tier_usd_per_th(t, "replaces", *find_machine(s, r.replaces));
  }
  t.finish();
  return r;
}

// ---- [[strategies.hedges]] and [hedges] -----------------------------------------------------------

// A strike given once, as USD per BTC (`usd_key`) or as a fraction of market.btc_price_usd
// (`fraction_key`), both > 0.
double read_strike(TableReader& t, const std::string& usd_key, const std::string& fraction_key, double start_price) {
  const std::optional<double> usd = t.optional_number(usd_key, Range::positive());
  const std::optional<double> fraction = t.optional_number(fraction_key, Range::positive());
  if (usd.has_value() == fraction.has_value())
    t.fail(usd ? fraction_key : usd_key, fmt::format("give the strike once: {} or {}", usd_key, fraction_key));
  return usd ? *usd : *fraction * start_price;
}

// The longest tenor a hedge may have: ten years, the longest horizon.
constexpr std::int64_t kMaxHedgeTenorDays = 3650;

// The longest a forward or swap may run: ten years of months, the longest horizon.
constexpr std::int64_t kMaxHedgeTenorMonths = 120;

bool is_option(firm::HedgeKind kind) {
  return kind == firm::HedgeKind::kPut || kind == firm::HedgeKind::kCollar || kind == firm::HedgeKind::kCoveredCall;
}

// An option's tenor (days, expiring inside the horizon [start, end)), notional and the strikes its
// kind needs.
void read_option_terms(TableReader& t, const Scenario& s, DayNumber end, firm::Hedge& h) {
  using firm::HedgeKind;
  h.tenor_days = static_cast<int>(t.require_integer("tenor_days", Range{1, kMaxHedgeTenorDays}));
  if (h.date + static_cast<DayNumber>(h.tenor_days) >= end)
    t.fail("tenor_days", fmt::format("expires on {}, past the horizon, which ends on {}",
                                     format_date(h.date + static_cast<DayNumber>(h.tenor_days)), format_date(end)));
  h.notional_btc = t.require_number("notional_btc", Range::non_negative());
  const double start_price = s.market.btc_price_usd;
  if (h.kind != HedgeKind::kCoveredCall)
    h.put_strike_usd_per_btc = read_strike(t, "strike_usd_per_btc", "strike_fraction", start_price);
  if (h.kind != HedgeKind::kPut)
    h.call_strike_usd_per_btc = read_strike(t, "call_strike_usd_per_btc", "call_strike_fraction", start_price);
  if (h.kind == HedgeKind::kCollar && h.call_strike_usd_per_btc <= h.put_strike_usd_per_btc)
    t.fail("call_strike_usd_per_btc", "a collar's call strike must lie above its put strike");
}

// A hashprice forward's or power swap's months (the last ending inside the horizon [start, end)),
// size and fixed price; a swap's site must exist and follow the power index.
void read_swap_terms(TableReader& t, const Scenario& s, DayNumber end, firm::Hedge& h) {
  h.tenor_months = static_cast<int>(t.require_integer("tenor_months", Range{1, kMaxHedgeTenorMonths}));
  const DayNumber last_day = firm::tenor_end(h) - 1;
  if (last_day >= end)
    t.fail("tenor_months", fmt::format("its last month ends on {}, past the horizon, which ends on {}",
                                       format_date(last_day), format_date(end)));
  if (h.kind == firm::HedgeKind::kHashpriceForward) {
    h.notional_ph_s = t.require_number("notional_ph_s", Range::non_negative());
    h.fixed_usd_per_ph_day = t.require_number("fixed_usd_per_ph_day", Range::positive());
    return;
  }
  h.site = t.require_string("site");
  const firm::Site* site = find_site(s, h.site);
  if (!site) t.fail("site", fmt::format("no [[sites]] entry is named \"{}\"", h.site));
  if (site->power_contract == firm::PowerContract::kFixed)
    t.fail("site", fmt::format("site \"{}\" buys power at a fixed price; a power swap hedges an index price "
                               "(power_contract = \"{}\" or \"{}\")",
                               h.site, firm::keyword(firm::PowerContract::kIndex),
                               firm::keyword(firm::PowerContract::kPassThrough)));
  h.power_mw = t.require_number("power_mw", Range::non_negative());
  if (h.power_mw > site->capacity_mw)
    t.fail("power_mw", fmt::format("{} MW is more than the site's capacity of {} MW", h.power_mw, site->capacity_mw));
  h.fixed_usd_per_mwh = t.require_number("fixed_usd_per_mwh", Range::positive());
}

// One hedge: kind, trade date (default the start date) and its kind's terms, inside the horizon
// [start, end).
firm::Hedge read_hedge(TableReader t, const Scenario& s, DayNumber end) {
  firm::Hedge h;
  h.kind = choice_or(t, "kind", firm::HedgeKind::kPut);
  h.date = t.optional_date("date").value_or(s.run.start_date);
  if (h.date < s.run.start_date || h.date >= end)
    t.fail("date", fmt::format("{} lies outside the horizon {} to {}", format_date(h.date), format_date(s.run.start_date),
                               format_date(end)));
  if (is_option(h.kind)) read_option_terms(t, s, end, h);
  else read_swap_terms(t, s, end, h);
  t.finish();
  return h;
}

// [hedges]: the implied volatility and the risk-free rate hedges are priced at, the forwards'
// initial margin and the notional policy (defaults: firm::HedgeMarket, ASSUMPTIONs stated there).
firm::HedgeMarket read_hedge_market(TableReader t) {
  const firm::HedgeMarket defaults;
  firm::HedgeMarket m{
      .implied_volatility_annual = t.number_or("implied_volatility_annual", defaults.implied_volatility_annual,
                                               Range{0.0, 5.0, true, false}),
      .risk_free_rate_annual = t.number_or("risk_free_rate_annual", defaults.risk_free_rate_annual, Range{-0.1, 1.0}),
      .forward_initial_margin_fraction = t.number_or(
          "forward_initial_margin_fraction", defaults.forward_initial_margin_fraction, Range::fraction()),
      .allow_exceeding_btc_held = t.bool_or("allow_exceeding_btc_held", defaults.allow_exceeding_btc_held),
  };
  t.finish();
  return m;
}

// The option legs `hedges` need (a collar is two): at most firm::kMaxHedgeLegs, zero-notional ones
// not counted.
std::size_t hedge_legs(const std::vector<firm::Hedge>& hedges) {
  std::size_t legs = 0;
  for (const firm::Hedge& h : hedges)
    if (h.notional_btc > 0.0) legs += h.kind == firm::HedgeKind::kCollar ? 2 : 1;
  return legs;
}

// ---- [firm], [equity] and [strategies.atm] --------------------------------------------------------

// The message of every per-share input in a scenario without shares.
constexpr const char* kSharesMissing =
    "shares outstanding missing when per-share output is asked for: give [firm] shares_outstanding";

// [firm] shares_outstanding (> 0) and [equity] (firm::Equity), into `s`.
void read_equity(TableReader& root, Scenario& s) {
  if (auto firm_table = root.optional_table("firm")) {
    s.equity.shares_outstanding = firm_table->require_number("shares_outstanding", Range::positive());
    firm_table->finish();
  }
  if (auto equity = root.optional_table("equity")) {
    const firm::Equity defaults;
    s.equity.nav_multiple = equity->number_or("nav_multiple", defaults.nav_multiple, Range::positive());
    s.equity.nav_multiple_dispersion =
        equity->number_or("nav_multiple_dispersion", defaults.nav_multiple_dispersion, Range{0.0, 3.0});
    s.equity.daily_volume_shares = equity->number_or("daily_volume_shares", 0.0, Range::positive());
    if (!s.equity.has_shares()) equity->fail("nav_multiple", kSharesMissing);
    equity->finish();
  }
}

// [strategies.atm]: an ATM programme (firm::AtmProgramme), starting inside the horizon [start, end).
firm::AtmProgramme read_atm(TableReader t, const Scenario& s, DayNumber end) {
  if (!s.equity.has_shares()) t.fail("size_usd", kSharesMissing);
  firm::AtmProgramme a;
  a.date = t.optional_date("date").value_or(s.run.start_date);
  if (a.date < s.run.start_date || a.date >= end)
    t.fail("date", fmt::format("{} lies outside the horizon {} to {}", format_date(a.date), format_date(s.run.start_date),
                               format_date(end)));
  a.size_usd = t.require_number("size_usd", Range::non_negative());
  a.raise_usd = t.number_or("raise_usd", 0.0, Range::non_negative());
  if (a.raise_usd > a.size_usd)
    t.fail("raise_usd", fmt::format("raises {} of a programme of {}", a.raise_usd, a.size_usd));
  a.max_volume_share = t.require_number("max_volume_share", Range{0.0, 1.0, true, false});
  a.discount = t.number_or("discount", a.discount, Range{0.0, 1.0, false, true});
  a.fee = t.number_or("fee", a.fee, Range{0.0, 1.0, false, true});
  a.floor_usd_per_share = t.number_or("floor_usd_per_share", 0.0, Range::non_negative());
  a.min_market_cap_usd = t.number_or("min_market_cap_usd", 0.0, Range::non_negative());
  a.remedy = choice_or(t, "remedy", firm::AtmRemedy::kAfterBtc);
  if (!(s.equity.daily_volume_shares > 0))
    t.fail("max_volume_share", "the cap is a share of the stock's volume: give [equity] daily_volume_shares");
  t.finish();
  return a;
}

// The forward months and swaps `hedges` need (a forward is one leg a month): at most
// firm::kMaxSwapLegs, zero-size ones not counted.
std::size_t swap_legs(const std::vector<firm::Hedge>& hedges) {
  std::size_t legs = 0;
  for (const firm::Hedge& h : hedges) {
    if (h.kind == firm::HedgeKind::kHashpriceForward && h.notional_ph_s > 0.0) legs += static_cast<std::size_t>(h.tenor_months);
    if (h.kind == firm::HedgeKind::kPowerSwap && h.power_mw > 0.0) legs += 1;
  }
  return legs;
}

// Unless [hedges] allow_exceeding_btc_held: the BTC options open on each one's trade date (traded
// on or before it, expiring after it) cover no more than the BTC held at the start, free and
// pledged; the first that would is named at its notional_btc.
void check_option_notional(const Scenario& s, const std::vector<firm::Hedge>& hedges,
                           const std::vector<TableReader>& tables) {
  if (s.hedge_market.allow_exceeding_btc_held) return;
  double held_btc = s.treasury.btc;
  for (const firm::Debt& d : s.debts) held_btc += d.collateral_btc;
  for (std::size_t i = 0; i < hedges.size(); ++i) {
    if (!is_option(hedges[i].kind) || hedges[i].notional_btc <= 0.0) continue;
    const DayNumber day = hedges[i].date;
    double open_btc = 0.0;
    for (const firm::Hedge& h : hedges)
      if (is_option(h.kind) && h.date <= day && day < h.date + static_cast<DayNumber>(h.tenor_days))
        open_btc += h.notional_btc;
    if (open_btc > held_btc)
      tables[i].fail("notional_btc",
                     fmt::format("{} BTC of puts, collars and covered calls open on {} is more than the {} BTC held at "
                                 "the start (treasury.btc and debt collateral); [hedges] allow_exceeding_btc_held = true "
                                 "allows it",
                                 open_btc, format_date(day), held_btc));
  }
}

firm::Strategy read_strategy(TableReader t, std::optional<TableReader>& search, const Scenario& scenario,
                             DayNumber end) {
  using firm::PivotPolicy;
  using firm::SellPolicy;
  firm::Strategy s;
  s.name = t.require_string("name");
  s.sell_policy = choice_or(t, "sell", SellPolicy::kHold);
  if (s.sell_policy == SellPolicy::kSellFraction) s.sell_fraction = t.require_number("sell_fraction", Range::fraction());
  if (s.sell_policy == SellPolicy::kCashFloor) s.cash_floor_months = t.require_number("cash_floor_months", Range::positive());
  for (TableReader sale : t.tables("sales")) {
    s.sales.push_back(read_sale(sale));
    sale.finish();
  }
  s.curtail_policy = choice_or(t, "curtail", firm::CurtailPolicy::kNever);
  s.pivot_policy = choice_or(t, "pivot", PivotPolicy::kNone);
  if (s.pivot_policy != PivotPolicy::kNone) {
    s.pivot_site = t.require_string("pivot_site");
    s.pivot_mw = t.require_number("pivot_mw", Range::positive());
    if (s.pivot_policy == PivotPolicy::kSchedule) s.pivot_date = t.require_date("pivot_date");
    if (s.pivot_policy == PivotPolicy::kTrigger) {
      s.pivot_hashprice_below_usd_per_ph_day = t.require_number("pivot_hashprice_below_usd_per_ph_day", Range::positive());
      s.pivot_trigger_days = static_cast<int>(t.require_integer("pivot_trigger_days", Range{1, firm::kMaxPivotTriggerDays}));
    }
  }
  for (TableReader refresh : t.tables("refresh")) s.refreshes.push_back(read_refresh(refresh, scenario, s.refreshes, end));
  const std::vector<TableReader> hedge_tables = t.tables("hedges");
  for (const TableReader& hedge : hedge_tables) s.hedges.push_back(read_hedge(hedge, scenario, end));
  if (hedge_legs(s.hedges) > firm::kMaxHedgeLegs)
    t.fail("hedges", fmt::format("{} option legs (a collar is two); a strategy may hold at most {}", hedge_legs(s.hedges),
                                 firm::kMaxHedgeLegs));
  s.refinance = t.bool_or("refinance", false);
  if (s.refinance && std::ranges::none_of(scenario.debts, [](const firm::Debt& d) { return d.refinance.has_value(); }))
    t.fail("refinance", "rolls debts that have [debt.refinance] terms, and no [[debt]] has them");
  if (auto atm = t.optional_table("atm")) s.atm = read_atm(*atm, scenario, end);
  if (auto finance = t.optional_table("pivot_finance")) {
    if (s.pivot_policy == PivotPolicy::kNone)
      finance->fail("tenant_funded_fraction", "finances a conversion, and this strategy has no pivot");
    s.pivot_tenant_funded_fraction = finance->optional_number("tenant_funded_fraction", Range::fraction());
    s.pivot_project_debt_loan_to_cost = finance->optional_number("project_debt_loan_to_cost", Range::fraction());
    s.pivot_project_debt_rate_annual = finance->optional_number("project_debt_rate_annual", Range::non_negative());
    finance->finish();
  }
  if (swap_legs(s.hedges) > firm::kMaxSwapLegs)
    t.fail("hedges", fmt::format("{} forward months and power swaps (a forward is one a month); a strategy may hold at "
                                 "most {}",
                                 swap_legs(s.hedges), firm::kMaxSwapLegs));
  check_option_notional(scenario, s.hedges, hedge_tables);
  s.sell_displaced = t.bool_or("sell_displaced", false);
  if (s.sell_displaced && s.pivot_policy == PivotPolicy::kNone)
    t.fail("sell_displaced", "sells the machines a pivot displaces, and this strategy has no pivot");
  search = read_search(t, s);
  t.finish();
  return s;
}

template <typename T>
void require_unique_names(const std::vector<T>& items, std::vector<TableReader>& tables, const char* what) {
  std::set<std::string> seen;
  for (std::size_t i = 0; i < items.size(); ++i)
    if (!seen.insert(items[i].name).second)
      tables[i].fail("name", fmt::format("a second {} named \"{}\"; names must be unique", what, items[i].name));
}

}  // namespace

namespace {

// [[fleet]] (with each entry's machine, site, dates, capacity and relocation checked) and
// [[downtime]], into `s`, whose machines and sites are read.
void read_fleet_and_downtime(TableReader& root, Scenario& s) {
  auto fleet_tables = root.tables("fleet");
  const DayNumber horizon_end = s.run.start_date + static_cast<DayNumber>(s.run.horizon_years * kDaysPerYear);
  for (std::size_t i = 0; i < fleet_tables.size(); ++i) {
    s.fleet.push_back(read_fleet_entry(fleet_tables[i]));
    const std::size_t index = s.fleet.size() - 1;  // a relocation adds an entry of its own
    const firm::FleetEntry& f = s.fleet.back();
    if (!find_machine(s, f.machine))
      fleet_tables[i].fail("machine", fmt::format("no [[machines]] entry is named \"{}\"", f.machine));
    const firm::Site* site = find_site(s, f.site);
    if (!site) fleet_tables[i].fail("site", fmt::format("no [[sites]] entry is named \"{}\"", f.site));
    // Dates before the start are history (the backtest runs them); after the horizon, a mistake.
    for (const auto& [key, date] : {std::pair{"in_service", f.in_service}, std::pair{"retire", f.retire}})
      if (date && *date >= horizon_end)
        fleet_tables[i].fail(key, fmt::format("{} lies after the horizon, which ends on {}", format_date(*date),
                                              format_date(horizon_end)));
    check_capacity(s, index, *site, fleet_tables[i]);
    if (s.fleet[index].relocate) add_relocation(s, index, fleet_tables[i], horizon_end);
  }
  auto downtime_tables = root.tables("downtime");
  for (auto& t : downtime_tables) {
    s.downtime.push_back(read_downtime(t, s.sites));
    if (s.downtime.back().to >= horizon_end)
      t.fail("to", fmt::format("{} lies after the horizon, which ends on {}", format_date(s.downtime.back().to),
                               format_date(horizon_end)));
  }
}

// Every [[strategies]] table into `s` (read after its sites, debts and fleet), each sale, pivot and
// search range checked against them.
void read_strategies(Scenario& s, std::vector<TableReader>& strategy_tables) {
  const DayNumber end = s.run.start_date + static_cast<DayNumber>(s.run.horizon_years * kDaysPerYear);
  for (auto& t : strategy_tables) {
    std::optional<TableReader> search;
    s.strategies.push_back(read_strategy(t, search, s, end));
    const firm::Strategy& st = s.strategies.back();
    for (const auto& sale : st.sales) {
      if (sale.date < s.run.start_date || sale.date >= end)
        t.fail("sales", fmt::format("a sale on {} lies outside the horizon {} to {}", format_date(sale.date),
                                    format_date(s.run.start_date), format_date(end)));
      if (sale.use == firm::SaleUse::kRepayDebt) {
        bool found = false;
        for (const auto& d : s.debts) found = found || d.name == sale.repay_debt;
        if (!found) t.fail("sales", fmt::format("a sale repays \"{}\", but no [[debt]] is named so", sale.repay_debt));
      }
    }
    if (st.pivot_policy != firm::PivotPolicy::kNone) {
      const firm::Site* site = find_site(s, st.pivot_site);
      if (!site) t.fail("pivot_site", fmt::format("no [[sites]] entry is named \"{}\"", st.pivot_site));
      if (!site->conversion)
        t.fail("pivot_site", fmt::format("site \"{}\" has no [sites.conversion] terms", st.pivot_site));
      if (st.pivot_mw > site->capacity_mw)
        t.fail("pivot_mw", fmt::format("{} MW is more than the site's capacity of {} MW", st.pivot_mw, site->capacity_mw));
      if (st.pivot_date && (*st.pivot_date < s.run.start_date || *st.pivot_date >= end))
        t.fail("pivot_date", "lies outside the horizon");
      for (const firm::FleetEntry& f : s.fleet)
        if (st.sell_displaced && f.site == st.pivot_site && !std::isfinite(find_machine(s, f.machine)->tier_usd_per_th))
          t.fail("sell_displaced", fmt::format("\"{}\" at site \"{}\" is in an ASIC price tier without a price "
                                               "(market/asic_price.hpp: only the tier below 25 J/TH is sourced)",
                                               f.machine, f.site));
    }
    if (search) check_search(s, s.strategies.size() - 1, *search);
  }
}

}  // namespace

namespace {

firm::Scenario read_scenario_document(const toml::table& document, const std::string& path) {
  TableReader root(document, path, "");
  Scenario s;
  s.source = path;
  s.run = read_run(root.require_table("scenario"));
  s.market = read_market(root.require_table("market"));

  auto machine_tables = root.tables("machines");
  for (auto& t : machine_tables) s.machines.push_back(read_machine(t));
  require_unique_names(s.machines, machine_tables, "machine");
  auto site_tables = root.tables("sites");
  for (auto& t : site_tables) s.sites.push_back(read_site(t));
  require_unique_names(s.sites, site_tables, "site");
  if (s.sites.empty()) root.fail("sites", "a scenario needs at least one [[sites]] table");

  read_fleet_and_downtime(root, s);

  TableReader treasury = root.require_table("treasury");
  s.treasury = {
      .btc = treasury.require_number("btc", Range::non_negative()),
      .cash_usd = treasury.require_number("cash_usd", Range::non_negative()),
      .sga_usd_per_year = treasury.number_or("sga_usd_per_year", 0.0, Range::non_negative()),
      .tax_rate = treasury.number_or("tax_rate", 0.0, Range::fraction()),
      .pool_fee = treasury.number_or("pool_fee", 0.0, Range{0.0, 0.1}),
  };
  const bool treasury_fee_given = treasury.has("pool_fee");
  treasury.finish();
  if (auto pool = root.optional_table("pool")) s.pool = read_pool(*pool, s.treasury.pool_fee, treasury_fee_given);
  if (auto impact = root.optional_table("market_impact")) s.market_impact = read_market_impact(*impact);

  read_equity(root, s);

  auto debt_tables = root.tables("debt");
  for (auto& t : debt_tables) {
    s.debts.push_back(read_debt(t));
    if (s.debts.back().conversion_price_usd_per_share > 0 && !s.equity.has_shares())
      t.fail("conversion_price_usd_per_share", kSharesMissing);
  }
  require_unique_names(s.debts, debt_tables, "debt");
  for (std::size_t i = 0; i < s.debts.size(); ++i)
    if (s.debts[i].maturity <= s.run.start_date)
      debt_tables[i].fail("maturity", fmt::format("matures on {}, not after the start date {}",
                                                  format_date(s.debts[i].maturity), format_date(s.run.start_date)));

  if (auto hedges = root.optional_table("hedges")) s.hedge_market = read_hedge_market(*hedges);
  auto strategy_tables = root.tables("strategies");
  read_strategies(s, strategy_tables);
  require_unique_names(s.strategies, strategy_tables, "strategy");
  if (s.strategies.empty()) root.fail("strategies", "a scenario needs at least one [[strategies]] table");
  root.finish();
  return s;
}

}  // namespace

firm::Scenario read_scenario(const std::string& path, std::vector<InputWarning>& warnings) {
  const toml::table document = parse_toml_file(path);
  firm::Scenario s = read_scenario_document(document, path);
  const std::vector<InputWarning> found = scenario_warnings(s, document);
  warnings.insert(warnings.end(), found.begin(), found.end());
  return s;
}

firm::Scenario read_scenario(const std::string& path) {
  std::vector<InputWarning> ignored;
  return read_scenario(path, ignored);
}

firm::Scenario read_scenario_text(const std::string& text, const std::string& source,
                                  std::vector<InputWarning>& warnings) {
  const toml::table document = parse_toml_text(text, source);
  firm::Scenario s = read_scenario_document(document, source);
  const std::vector<InputWarning> found = scenario_warnings(s, document);
  warnings.insert(warnings.end(), found.begin(), found.end());
  return s;
}

}  // namespace hashpivot::io
