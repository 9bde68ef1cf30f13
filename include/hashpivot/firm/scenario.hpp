#pragma once
// A scenario as plain values: the horizon and sampling, the market set-up, the firm (machines,
// sites, fleet, pool, treasury, debt, taxes) and the named strategies to compare.
// Read and validated by io::read_scenario (docs/scenario.md documents every field and unit).
//
// Every keyword field is an enum, parsed once at the boundary (io). Each enum has ONE table mapping
// its keywords to its values (keywords(E) below): the reader builds its allowed lists and error
// messages from it, and anything that prints a keyword (messages, reports) takes it from there.

#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hashpivot/core/date.hpp"

namespace hashpivot::firm {

// ---- Keywords ------------------------------------------------------------------------------------

/// The BTC price process of a run (market.btc_price_model).
enum class PriceModel : std::uint8_t { kGbm, kJumpDiffusion, kRegimeSwitching, kBlockBootstrap };
/// How the network hashrate evolves (market.hashrate_model).
enum class HashrateModel : std::uint8_t { kExogenous, kMarginDriven };
/// The energy part of a site's power contract (sites.power_contract): a fixed price per MWh, the
/// day's index price, or the index passed through plus a margin (sites.energy_margin_usd_per_mwh).
enum class PowerContract : std::uint8_t { kFixed, kIndex, kPassThrough };
/// debt.kind.
enum class DebtKind : std::uint8_t { kTerm, kBtcBacked, kConvertible, kRevolver };
/// debt.amortization: all at maturity, or straight line to maturity.
enum class Amortization : std::uint8_t { kBullet, kLinear };
/// strategies.sell.
enum class SellPolicy : std::uint8_t { kHold, kSellAllMined, kSellFraction, kCashFloor };
/// strategies.curtail.
enum class CurtailPolicy : std::uint8_t { kNever, kEconomic };
/// strategies.pivot.
enum class PivotPolicy : std::uint8_t { kNone, kSchedule, kTrigger };
/// How the pool pays ([pool].scheme): the expected value of the shares (FPPS), or a share of the
/// blocks the pool actually finds (PPLNS, TIDES), so that the firm bears the pool's luck.
enum class PoolScheme : std::uint8_t { kFpps, kPplns, kTides };
/// [pool].operator: the pool, which sets the default fee (docs/model.md §4).
enum class PoolOperator : std::uint8_t { kAntpool, kF2pool, kBraiins, kLuxor };
/// What a one-off sale's proceeds do (strategies.sales.use): the repay keyword is written
/// "repay:<debt name>" in a scenario file.
enum class SaleUse : std::uint8_t { kCash, kCapex, kRepayDebt };
/// strategies.hedges.kind: a put bought; a collar (put bought, call sold); a covered call (call sold);
/// a hashprice forward sold (the firm receives a fixed hashprice, pays the index); a power swap
/// (the firm pays a fixed power price, receives the site's index price).
enum class HedgeKind : std::uint8_t { kPut, kCollar, kCoveredCall, kHashpriceForward, kPowerSwap };
/// sites.conversion.terminal_value: how converted MW are valued at the horizon: inside the
/// run's EBITDA multiple (the rule before project finance), or as lenders value a lease: the
/// contracted lease to its end, discounted, plus the site's residual value (firm/project_finance.hpp).
enum class ConversionTerminal : std::uint8_t { kEbitdaMultiple, kContractedLease };
/// strategies.atm.remedy: whether an ATM programme's shares fund a cash shortfall in the default
/// waterfall (step 11), and where: not at all, before any BTC is sold, or after the free BTC and the
/// collateral above target are sold (before revolvers are drawn).
enum class AtmRemedy : std::uint8_t { kNone, kBeforeBtc, kAfterBtc };

/// One row of a keyword table.
template <class E>
struct Keyword {
  E value;
  std::string_view keyword;
};

// The tables, in the order error messages list the allowed values. Every value appears once.
inline constexpr std::array<Keyword<PriceModel>, 4> kPriceModelKeywords{{{PriceModel::kGbm, "gbm"},
                                                                         {PriceModel::kJumpDiffusion, "jump_diffusion"},
                                                                         {PriceModel::kRegimeSwitching, "regime_switching"},
                                                                         {PriceModel::kBlockBootstrap, "block_bootstrap"}}};
inline constexpr std::array<Keyword<HashrateModel>, 2> kHashrateModelKeywords{
    {{HashrateModel::kExogenous, "exogenous"}, {HashrateModel::kMarginDriven, "margin_driven"}}};
inline constexpr std::array<Keyword<PowerContract>, 3> kPowerContractKeywords{
    {{PowerContract::kFixed, "fixed"}, {PowerContract::kIndex, "index"}, {PowerContract::kPassThrough, "pass_through"}}};
inline constexpr std::array<Keyword<DebtKind>, 4> kDebtKindKeywords{{{DebtKind::kTerm, "term"},
                                                                     {DebtKind::kBtcBacked, "btc_backed"},
                                                                     {DebtKind::kConvertible, "convertible"},
                                                                     {DebtKind::kRevolver, "revolver"}}};
inline constexpr std::array<Keyword<Amortization>, 2> kAmortizationKeywords{
    {{Amortization::kBullet, "bullet"}, {Amortization::kLinear, "linear"}}};
inline constexpr std::array<Keyword<SellPolicy>, 4> kSellPolicyKeywords{{{SellPolicy::kHold, "hold"},
                                                                         {SellPolicy::kSellAllMined, "sell_all_mined"},
                                                                         {SellPolicy::kSellFraction, "sell_fraction"},
                                                                         {SellPolicy::kCashFloor, "cash_floor"}}};
inline constexpr std::array<Keyword<CurtailPolicy>, 2> kCurtailPolicyKeywords{
    {{CurtailPolicy::kNever, "never"}, {CurtailPolicy::kEconomic, "economic"}}};
inline constexpr std::array<Keyword<PivotPolicy>, 3> kPivotPolicyKeywords{
    {{PivotPolicy::kNone, "none"}, {PivotPolicy::kSchedule, "schedule"}, {PivotPolicy::kTrigger, "trigger"}}};
inline constexpr std::array<Keyword<PoolScheme>, 3> kPoolSchemeKeywords{
    {{PoolScheme::kFpps, "fpps"}, {PoolScheme::kPplns, "pplns"}, {PoolScheme::kTides, "tides"}}};
inline constexpr std::array<Keyword<PoolOperator>, 4> kPoolOperatorKeywords{{{PoolOperator::kAntpool, "antpool"},
                                                                             {PoolOperator::kF2pool, "f2pool"},
                                                                             {PoolOperator::kBraiins, "braiins"},
                                                                             {PoolOperator::kLuxor, "luxor"}}};
inline constexpr std::array<Keyword<SaleUse>, 3> kSaleUseKeywords{
    {{SaleUse::kCash, "cash"}, {SaleUse::kCapex, "capex"}, {SaleUse::kRepayDebt, "repay"}}};
inline constexpr std::array<Keyword<HedgeKind>, 5> kHedgeKindKeywords{{{HedgeKind::kPut, "put"},
                                                                       {HedgeKind::kCollar, "collar"},
                                                                       {HedgeKind::kCoveredCall, "covered_call"},
                                                                       {HedgeKind::kHashpriceForward, "hashprice_forward"},
                                                                       {HedgeKind::kPowerSwap, "power_swap"}}};
inline constexpr std::array<Keyword<ConversionTerminal>, 2> kConversionTerminalKeywords{
    {{ConversionTerminal::kEbitdaMultiple, "ebitda_multiple"}, {ConversionTerminal::kContractedLease, "contracted_lease"}}};

/// The keyword table of an enum, found by overload on a value of it: keywords(PriceModel{}).
constexpr std::span<const Keyword<PriceModel>> keywords(PriceModel) { return kPriceModelKeywords; }
constexpr std::span<const Keyword<HashrateModel>> keywords(HashrateModel) { return kHashrateModelKeywords; }
constexpr std::span<const Keyword<PowerContract>> keywords(PowerContract) { return kPowerContractKeywords; }
constexpr std::span<const Keyword<DebtKind>> keywords(DebtKind) { return kDebtKindKeywords; }
constexpr std::span<const Keyword<Amortization>> keywords(Amortization) { return kAmortizationKeywords; }
constexpr std::span<const Keyword<SellPolicy>> keywords(SellPolicy) { return kSellPolicyKeywords; }
constexpr std::span<const Keyword<CurtailPolicy>> keywords(CurtailPolicy) { return kCurtailPolicyKeywords; }
constexpr std::span<const Keyword<PivotPolicy>> keywords(PivotPolicy) { return kPivotPolicyKeywords; }
constexpr std::span<const Keyword<SaleUse>> keywords(SaleUse) { return kSaleUseKeywords; }
inline constexpr std::array<Keyword<AtmRemedy>, 3> kAtmRemedyKeywords{
    {{AtmRemedy::kNone, "none"}, {AtmRemedy::kBeforeBtc, "before_btc"}, {AtmRemedy::kAfterBtc, "after_btc"}}};
constexpr std::span<const Keyword<AtmRemedy>> keywords(AtmRemedy) { return kAtmRemedyKeywords; }
constexpr std::span<const Keyword<ConversionTerminal>> keywords(ConversionTerminal) {
  return kConversionTerminalKeywords;
}
constexpr std::span<const Keyword<PoolScheme>> keywords(PoolScheme) { return kPoolSchemeKeywords; }
constexpr std::span<const Keyword<PoolOperator>> keywords(PoolOperator) { return kPoolOperatorKeywords; }
constexpr std::span<const Keyword<HedgeKind>> keywords(HedgeKind) { return kHedgeKindKeywords; }

/// The keyword of `value`, as a scenario file writes it ("?" for a value outside its table).
template <class E>
[[nodiscard]] constexpr std::string_view keyword(E value) {
  for (const Keyword<E>& k : keywords(E{}))
    if (k.value == value) return k.keyword;
  return "?";
}

/// The value whose keyword is `text`, or nullopt.
template <class E>
[[nodiscard]] constexpr std::optional<E> parse_keyword(std::string_view text) {
  for (const Keyword<E>& k : keywords(E{}))
    if (k.keyword == text) return k.value;
  return std::nullopt;
}

// ---- The scenario --------------------------------------------------------------------------------

struct RunSettings {
  std::string name;
  DayNumber start_date;
  int horizon_years;            // 1–10
  std::int64_t paths;
  std::uint64_t seed;
  double discount_rate_annual;  // for NPV of free cash flow to equity
  double terminal_ebitda_multiple;  // 0 = run-off (no terminal value)
};

struct MarketSetup {
  std::string calibration_file;     // TOML fragment from `hashpivot calibrate`, relative to the scenario
  PriceModel btc_price_model = PriceModel::kJumpDiffusion;
  double btc_price_usd;             // at start_date
  double fees_btc_per_block;        // at start_date
  HashrateModel hashrate_model = HashrateModel::kExogenous;
  double network_hashrate_ehs;      // at start_date
  std::int64_t height;              // first block height on start_date
  std::uint32_t bits;               // compact bits in force at start_date
  std::int64_t epoch_first_block_time_unix;  // timestamp of the current epoch's first block
  // Optional overrides of calibrated drifts (a stated view instead of the history's average).
  std::optional<double> btc_price_drift_annual;   // μ of the price process, per year
  std::optional<double> hashrate_drift_annual;    // mean log growth of network hashrate, per year
  // margin_driven only: the share of the installed fleet the network orders a year, at most, when
  // the newest machines earn well over their power cost (replaces the calibration's
  // supply_share_per_year: its growth capacity).
  std::optional<double> network_supply_share_annual;
  std::string history_file;         // block_bootstrap: the daily history whose returns are resampled
};

struct MachineModel {
  std::string name;
  double hashrate_th;    // TH/s per machine
  double power_w;        // W per machine
  int release_year;
  double price_usd;      // purchase price of a new machine, for replacement; 0 if unknown
  // The ASIC price model's USD per TH/s for the machine's efficiency tier (market/asic_price.hpp),
  // what it sells for second hand; NaN when the tier has no price. io::read_scenario sets it.
  double tier_usd_per_th = std::numeric_limits<double>::quiet_NaN();

  [[nodiscard]] double efficiency_j_per_th() const { return power_w / hashrate_th; }
};

struct Conversion {
  double capex_usd_per_mw;
  double tenant_funded_fraction;       // share of capex the tenant pays
  int lead_time_months;                // decision to first revenue: the MW neither mine nor earn
  double lease_usd_per_mw_year;        // first-year lease revenue per MW of critical IT
  double escalator_annual;
  int term_years;
  double noi_margin;                   // net operating income / lease revenue
  double tenant_default_prob_annual;
  // Project finance (all zero/default: the conversion is equity-funded and valued by the multiple).
  double project_debt_loan_to_cost = 0.0;   // share of the firm's capex (after the tenant's share) lent
  double project_debt_rate_annual = 0.0;    // simple, actual/365; repaid as a daily annuity over the lease term
  ConversionTerminal terminal_value = ConversionTerminal::kEbitdaMultiple;
  double residual_value_usd_per_mw = 0.0;   // the site's value at the lease's end (ASSUMPTION; 0 = none)
  std::optional<double> lease_discount_rate_annual;  // the lease's valuation rate; none = the run's discount rate
};

/// A site and its power contract. The contract splits into a FIXED part, paid whether the machines
/// run or not, and an ENERGY part, paid per MWh drawn; only the energy part is avoidable, so only it
/// decides curtailment (docs/model.md §4; firm/day_steps.hpp mine_site). The CONTRACTED capacity of a
/// day is the nameplate draw (× PUE) of the site's machines in service that day (hosting contracts
/// bill the hosted miners' nameplate wattage: docs/instruments.md §f), less MW converted to AI/HPC. The
/// fixed part is any of:
///  - hosting_fee_usd_per_kw_month on the contracted capacity;
///  - fixed_share of power_price_usd_per_mwh (fixed contracts only), billed on the contracted
///    capacity for 24 hours a day: an all-in rate of which that share is a capacity charge;
///  - take_or_pay_fraction of the contracted energy (contracted MW × 24 h) paid at the energy price
///    whether drawn or not, so energy within that floor costs nothing more to use.
/// With none of them (the defaults) power_price_usd_per_mwh is all energy: the behaviour before
/// contracts were split.
struct Site {
  std::string name;
  double capacity_mw;
  double pue;                          // facility power / IT power, >= 1
  PowerContract power_contract = PowerContract::kFixed;
  double power_price_usd_per_mwh;      // fixed: the all-in price; index / pass_through: the index at start_date
  double curtailment_credit_usd_per_mwh;
  double opex_usd_per_mw_year;
  std::optional<Conversion> conversion;
  // The contract's split (defaults: all energy).
  double fixed_share = 0.0;                        // of power_price_usd_per_mwh; energy share = 1 − this
  double hosting_fee_usd_per_kw_month = 0.0;       // on the contracted capacity
  double take_or_pay_fraction = 0.0;               // of contracted energy, paid at the energy price regardless
  double energy_margin_usd_per_mwh = 0.0;          // pass_through: added to the index price
  double demand_response_credit_usd_per_mwh = 0.0; // demand-response / 4CP credit per MWh curtailed
  std::optional<double> max_curtailed_hours_per_year;  // curtailment rights (full-site hours); none = unlimited
  // The end of the contract's term: from this date the fixed part (fee, fixed share, take-or-pay)
  // is no longer owed and the site pays energy only. None: the fixed part runs for the whole run.
  std::optional<DayNumber> fixed_charges_until;
};

/// A dated loss of availability: `fraction_offline` of the machines at `site` (every site when
/// empty) hash nothing from `from` to `to`, both inclusive (a storm, a site outage, a relocation).
struct Downtime {
  std::string site;                    // "" = every site
  DayNumber from;
  DayNumber to;
  double fraction_offline;
};

/// A fleet entry's move to another site (scenario.md, [[fleet]] relocate): the machines stop at
/// their site on `on`, hash at `site` from on + days_offline, and the move costs cost_usd in cash on
/// `on` (expensed: see make_plan).
struct Relocation {
  std::string site;                    // the target site
  DayNumber on;                        // the day the machines stop at their site
  int days_offline = 0;                // days in transit and installation
  double cost_usd = 0.0;               // transport, installation: paid in cash on `on`
};

struct FleetEntry {
  std::string machine;
  std::string site;
  std::int64_t count;
  double uptime;                       // fraction of time hashing when switched on
  double failure_rate_annual;          // fraction of machines lost per year
  double book_value_usd;               // carrying value at start_date
  double depreciation_years;
  // Dates (optional): the machines hash from in_service (inclusive) until retire (exclusive).
  std::optional<DayNumber> in_service;
  std::optional<DayNumber> retire;
  // Failures that are repaired (not lost): rate per machine-year and days out per failure.
  double repair_failure_rate_annual = 0.0;
  double repair_days = 0.0;
  // A deployment's capex (USD): paid in cash on in_service when that day lies in the run, then in
  // the entry's book and depreciated straight line over depreciation_years from that day. Only with
  // an in_service date; 0: none (the book is book_value_usd, as of the start).
  double capex_usd = 0.0;
  // A relocation (io::read_scenario also appends the machines' entry at the target site, with
  // relocated = true, and retires this one on relocate->on).
  std::optional<Relocation> relocate = std::nullopt;
  // True for the entry io::read_scenario made from the entry before it's relocate table: the same
  // machines at their new site, in service from on + days_offline, with no book of their own (the
  // book stays with, and depreciates on, the entry before it) and survival counted from the start.
  bool relocated = false;
};

/// [debt.refinance]: the market terms on which a lender rolls a term or BTC-backed debt at its
/// maturity, for a strategy with `refinance = true`. On the maturity day (and on each rolled
/// maturity) the whole principal is rolled for tenor_days at rate_annual when the lender's tests
/// pass on that path (firm/refinancing.hpp): BTC-backed, principal / (collateral × price) <= max_ltv
/// after topping the collateral up from free BTC; any kind, trailing EBITDA >= min_interest_coverage
/// × the firm's annual interest after the roll. Else the debt is repaid in cash as without terms.
struct Refinancing {
  double rate_annual;                  // simple, actual/365, on the rolled principal
  int tenor_days;                      // each roll's term
  double max_ltv = 1.0;                // BTC-backed: the highest LTV the lender rolls at
  double min_interest_coverage = 0.0;  // trailing EBITDA / annual interest; 0 = no test
  double fee_fraction = 0.0;           // arrangement fee on the rolled principal, paid in cash as interest
  int max_rolls = 1;                   // rolls a path may make of this debt
};

struct Debt {
  std::string name;
  DebtKind kind = DebtKind::kTerm;
  double principal_usd;
  double rate_annual;
  DayNumber maturity;
  Amortization amortization = Amortization::kBullet;
  // btc_backed
  double collateral_btc = 0;
  double ltv_call = 0;                 // top up collateral from free BTC above this LTV
  double ltv_liquidation = 0;          // collateral sold by the lender above this LTV
  double ltv_target = 0;               // LTV restored by a top-up
  // convertible. conversion_price_usd: the BTC price at or above which it converts at maturity
  // (the stand-in for a share price, for scenarios without shares; no shares are issued).
  // conversion_price_usd_per_share (> 0, needs [firm] shares_outstanding): at maturity the holder
  // converts into principal / this many shares when the day's share price is at or above it, else
  // is repaid in cash (firm/equity.hpp). One of the two is set.
  double conversion_price_usd = 0;
  double conversion_price_usd_per_share = 0;
  // revolver
  double limit_usd = 0;
  // Any kind: a minimum-liquidity covenant. When the firm's cash ends a day below this, the debt
  // is accelerated (all principal due in cash that day). 0 = no covenant.
  double covenant_min_cash_usd = 0;
  std::optional<Refinancing> refinance{};  // [debt.refinance]; term and btc_backed only
};

struct Treasury {
  double btc;                          // free BTC (not pledged)
  double cash_usd;
  double sga_usd_per_year;             // corporate overhead
  double tax_rate;                     // on positive pre-tax income
  double pool_fee;                     // the pool's fee, fraction (treasury.pool_fee or [pool])
};

/// [pool]: how the mining pool pays (the fee itself is Treasury::pool_fee, which [pool] may set).
/// FPPS pays the expected value every day. PPLNS and TIDES pay the firm its share of the blocks the
/// pool finds: the pool finds N ~ Poisson(λ) blocks a day, λ = the pool's share of the network
/// hashrate × the network's expected blocks that day, and the day's BTC are the FPPS amount × the
/// pool's luck N / λ, averaged as Σ N / Σ λ over the trailing window_days (sim draws N per path-day;
/// firm::DayMarket::pool_luck carries the factor).
struct Pool {
  PoolScheme scheme = PoolScheme::kFpps;
  double share_of_network = 0;         // the pool's hashrate / the network's (when not pool_hashrate_ehs)
  double hashrate_ehs = 0;             // the pool's hashrate, EH/s; > 0: the share follows the network
  int window_days = 1;                 // the trailing days the pool's luck is averaged over
  /// PPLNS and TIDES pay the pool's luck (the blocks it found); FPPS pays the expected value.
  [[nodiscard]] bool pays_luck() const { return scheme != PoolScheme::kFpps; }
};

/// [market_impact]: the square-root impact of the firm's BTC sales on the price it gets (docs/model.md §4;
/// firm/rules.hpp, sale_proceeds_usd). Selling q BTC in a day fills on average at
///   price × (1 − coefficient × daily_volatility × sqrt(q / daily_volume_btc)).
/// A scenario without the table has coefficient 0: sales fill at the day's price.
struct MarketImpact {
  double coefficient = 0;              // k, dimensionless (0: no impact)
  double daily_volatility = 0;         // σ of the daily log return
  double daily_volume_btc = 0;         // the market's spot volume, BTC per day
};

struct OneOffSale {
  DayNumber date;
  double btc;
  SaleUse use = SaleUse::kCash;
  std::string repay_debt;              // kRepayDebt: the name of the debt repaid (io::read_scenario checks it exists)
};

/// [[strategies.refresh]]: machines the strategy buys. The deposit is paid on the order date; on
/// delivery (lead_time_days later) the balance is paid, the machines enter service at `site` and the
/// fleet entries of model `replaces` there (if any) are sold at the secondary price of their tier.
/// io::read_scenario resolves the site, the count and both prices, and checks capacity.
struct Refresh {
  DayNumber date;                      // the order date
  std::string machine;                 // a [[machines]] name
  std::int64_t count = 0;              // machines bought (given, or hashrate_ehs over the machine's hashrate)
  std::string site;                    // where they enter service (given, or the first with free capacity)
  int lead_time_days = 0;              // order to delivery
  double deposit_fraction = 0;         // share of the price paid on the order date
  double usd_per_th = 0;               // the price, USD per TH/s: market::AsicPriceModel's for the machine's tier
  std::string replaces;                // "" or a [[machines]] name: its fleet entries at `site` are sold on delivery
  double replaced_usd_per_th = 0;      // their secondary price, USD per TH/s (the same model, their tier)
  double uptime = 1;
  double failure_rate_annual = 0;
  double depreciation_years = 3;
};

/// [[strategies.hedges]]: BTC options the strategy trades, European, cash-settled against the day's
/// price (as Hut 8's covered calls settle: docs/instruments.md §b). Bought (or sold) on `date` at the
/// Black–Scholes premium of that day's price on the path (firm/options_pricing.hpp, at
/// Scenario::hedge_market's implied volatility and rate), paid from (received into) cash; at
/// date + tenor_days the put pays notional × max(K_put − S, 0) and the sold call costs
/// notional × max(S − K_call, 0), in cash. Strikes are absolute, USD per BTC (io resolves a
/// strike given as a fraction of market.btc_price_usd). A collar is both legs on one notional.
///
/// A hashprice forward (as Luxor's non-deliverable forward, docs/instruments.md §a) runs `tenor_months`
/// calendar months from `date` (the first one to the end of date's month). The firm sells
/// notional_ph_s forward at fixed_usd_per_ph_day: each month settles in cash on its last day
/// (fixed − the month's mean hashprice index, USD/PH/day) × PH/s × the month's days. Initial margin,
/// HedgeMarket::forward_initial_margin_fraction × the whole contract's notional value
/// (fixed × PH/s × its days), is posted from `date` and returned with the last settlement; the
/// month-to-date loss is posted daily as variation margin and released at the month's settlement.
/// A power swap at index site `site` over the same months: each day the firm receives
/// (index − fixed_usd_per_mwh) × power_mw × 24 h (pays fixed, receives floating); no margin.
struct Hedge {
  HedgeKind kind = HedgeKind::kPut;
  DayNumber date;                      // the trade date (default: the start date)
  int tenor_days = 0;                  // options: trade date to expiry, >= 1; expiry inside the horizon
  double notional_btc = 0;             // BTC covered, >= 0 (0: no hedge, the run as without it)
  double put_strike_usd_per_btc = 0;   // put, collar: > 0
  double call_strike_usd_per_btc = 0;  // collar, covered_call: > 0
  // Hashprice forwards and power swaps.
  int tenor_months = 0;                // calendar months from `date`, >= 1; the last ends inside the horizon
  double notional_ph_s = 0;            // hashprice_forward: PH/s sold forward, >= 0 (0: no hedge)
  double fixed_usd_per_ph_day = 0;     // hashprice_forward: the fixed hashprice, USD per PH/s per day, > 0
  std::string site;                    // power_swap: an index (or pass_through) site's name
  double power_mw = 0;                 // power_swap: MW swapped, >= 0 (0: no hedge)
  double fixed_usd_per_mwh = 0;        // power_swap: the fixed price paid, USD/MWh, > 0

  /// Whether it trades anything: its kind's size (BTC for options, PH/s for a forward, MW for a swap)
  /// is above 0. A hedge of size 0 leaves the run as without it.
  [[nodiscard]] bool trades() const {
    switch (kind) {
      case HedgeKind::kHashpriceForward: return notional_ph_s > 0.0;
      case HedgeKind::kPowerSwap: return power_mw > 0.0;
      case HedgeKind::kPut:
      case HedgeKind::kCollar:
      case HedgeKind::kCoveredCall: return notional_btc > 0.0;
    }
    return false;
  }
};

/// The first day after a forward's or swap's months: the first day of the calendar month
/// `h.tenor_months` months after h.date's (so the first month may be partial).
[[nodiscard]] inline DayNumber tenor_end(const Hedge& h) {
  const int target = month_index(h.date) + h.tenor_months;
  DayNumber day = h.date;
  while (month_index(day) < target) day += 28;  // a month has at least 28 days: never steps over one
  while (month_index(day - 1) >= target) --day;
  return day;
}

/// [hedges]: the market terms every hedge is priced at.
/// ASSUMPTION (docs/instruments.md §b quotes no implied volatility): 45% a year, about the level of
/// Deribit's 30-day DVOL index (42 on bathymark.com); bounds to try 35–75% (the range DVOL is
/// recalled to have moved in over 2024–2025; not sourced here). The rate: ASSUMPTION 4% a year,
/// about the US Treasury bill yield of 2025 (bounds 3–5%).
///
/// forward_initial_margin_fraction: Luxor's initial margin on USD-denominated hashprice NDFs, 35% of
/// notional (docs/instruments.md §a, docs.luxor.tech/derivatives/ndf; 18% for BTC-denominated ones; Luxor
/// may change it "in its sole discretion"). Bounds to try: 18–35%.
/// allow_exceeding_btc_held: false forbids a put, collar or covered call whose notional, with the
/// strategy's other BTC options open on its trade date, exceeds the BTC held at the start (free and
/// pledged): beyond that a put is a speculation and a covered call is naked.
struct HedgeMarket {
  double implied_volatility_annual = 0.45;  // σ per √year
  double risk_free_rate_annual = 0.04;      // r, continuously compounded
  double forward_initial_margin_fraction = 0.35;  // of a forward's notional value, in [0, 1]
  bool allow_exceeding_btc_held = false;
};

/// [firm] shares_outstanding and [equity]: the firm's shares and the rule that prices them on a path
/// (firm/equity.hpp). Market value of equity = m × NAV, NAV = cash + BTC held (free and pledged) at
/// the day's price + PP&E book − debt principal (the scenario's debts and the sites' project debt);
/// price per share = max(0, m × NAV) / shares. m is drawn once per path: nav_multiple ×
/// exp(σZ − σ²/2), σ = nav_multiple_dispersion, Z standard normal (mean nav_multiple).
/// ASSUMPTION nav_multiple = 1.0 (equity valued at NAV): the public miners' table
/// (shared/data/public_miners_2026.csv) holds no market caps or share counts, so the peers' multiple
/// cannot be computed from it; bounds to try 0.5–3.0 (miners have traded from well below NAV in
/// 2022 to several times it with AI/HPC contracts; recalled, not sourced here).
/// nav_multiple_dispersion is a parameter with no source: 0 (the default) makes m deterministic.
struct Equity {
  double shares_outstanding = 0;       // [firm] shares_outstanding at the start, a count; 0: none given
  double nav_multiple = 1.0;           // level of m (ASSUMPTION, above)
  double nav_multiple_dispersion = 0;  // σ of ln m across paths; 0: deterministic
  double daily_volume_shares = 0;      // the stock's daily trading volume, shares a day (ATM cap's base)

  [[nodiscard]] bool has_shares() const { return shares_outstanding > 0; }
};

/// [strategies.atm]: an at-the-market equity programme (docs/instruments.md §d). From `date` the firm
/// may sell shares each day, at most max_volume_share × [equity] daily_volume_shares, at the day's
/// share price × (1 − discount), paying fee of the gross to the agents; never below
/// floor_usd_per_share nor while the market cap (price × shares) is below min_market_cap_usd, and
/// never more than size_usd gross over the run (the registered programme). It sells raise_usd
/// gross as fast as the cap allows from `date` (e.g. to fund capex), and, by `remedy`, what is left
/// of size_usd covers a cash shortfall in the default waterfall. Net proceeds are a financing cash
/// flow and paid-in capital; the fee is charged against paid-in capital.
/// The fee default 3%: MARA's 2025 ATM, agents' commission up to 3% (docs/instruments.md §d; Riot's
/// Dec 2025 programme: up to 1%). The discount: ASSUMPTION 0 (an ATM sells at the market price;
/// a positive value stands for the price pressure of the sales), bounds 0–5%.
struct AtmProgramme {
  DayNumber date;                      // first day shares may be sold (default: the start date)
  double size_usd = 0;                 // registered programme size, gross USD; 0: sells nothing
  double raise_usd = 0;                // sold from `date` regardless of need, gross USD (<= size_usd)
  double max_volume_share = 0;         // cap per day, fraction of daily_volume_shares, in (0, 1]
  double discount = 0;                 // to the day's share price, [0, 1)
  double fee = 0.03;                   // of gross proceeds, [0, 1)
  double floor_usd_per_share = 0;      // no sale below this share price (>= 0)
  double min_market_cap_usd = 0;       // no sale while price × shares is below this (>= 0)
  AtmRemedy remedy = AtmRemedy::kAfterBtc;
};

/// A range that `hashpivot optimize` searches for one named strategy parameter
/// (firm/strategy_parameters.hpp), in that parameter's unit: low < high, both inside the
/// parameter's valid range for the strategy (io::read_scenario checks).
struct SearchRange {
  std::string parameter;               // e.g. "sale_btc", "pivot_mw", "pivot_day"
  double low = 0;
  double high = 0;
};

struct Strategy {
  std::string name;
  SellPolicy sell_policy = SellPolicy::kHold;
  double sell_fraction = 0;            // sell_fraction: share of each day's production sold
  double cash_floor_months = 0;        // cash_floor: sell BTC to keep this many months of costs
  std::vector<OneOffSale> sales;
  CurtailPolicy curtail_policy = CurtailPolicy::kNever;
  PivotPolicy pivot_policy = PivotPolicy::kNone;
  std::string pivot_site;
  double pivot_mw = 0;
  std::optional<DayNumber> pivot_date;                 // schedule
  double pivot_hashprice_below_usd_per_ph_day = 0;     // trigger
  int pivot_trigger_days = 0;                          // trigger: consecutive days below
  std::vector<SearchRange> search;                     // [strategies.search]: ranges the optimizer searches by default
  std::vector<Refresh> refreshes;                      // [[strategies.refresh]]
  // The machines a conversion displaces (pivot_mw over the site's mining MW) are sold on the
  // decision day at their tier's price (MachineModel::tier_usd_per_th) instead of idling in place.
  bool sell_displaced = false;
  std::vector<Hedge> hedges;                           // [[strategies.hedges]], in file order
  // Roll every debt that has [debt.refinance] terms at maturity when the lender's tests pass
  // (else repay it as without terms).
  bool refinance = false;
  // [strategies.pivot_finance]: this strategy's own financing of its conversion, each key replacing
  // the pivot site's [sites.conversion] term of the same name when given.
  std::optional<double> pivot_tenant_funded_fraction;
  std::optional<double> pivot_project_debt_loan_to_cost;
  std::optional<double> pivot_project_debt_rate_annual;
  std::optional<AtmProgramme> atm;                     // [strategies.atm]; needs [firm] shares_outstanding
};

/// Whether the strategy can convert a site to AI/HPC: a site converts only by its strategy's pivot
/// (firm/day_steps.hpp decide_pivot), so a strategy without one never reads a conversion's terms
/// (capex, lease, financing).
[[nodiscard]] inline bool can_convert(const Strategy& strategy) { return strategy.pivot_policy != PivotPolicy::kNone; }

struct Scenario {
  std::string source;                  // the file it was read from
  RunSettings run;
  MarketSetup market;
  std::vector<MachineModel> machines;
  std::vector<Site> sites;
  std::vector<FleetEntry> fleet;
  std::vector<Downtime> downtime;      // [[downtime]] events, in file order
  Treasury treasury;
  MarketImpact market_impact;          // coefficient 0 unless the scenario has [market_impact]
  Pool pool;                           // FPPS unless the scenario has [pool]
  HedgeMarket hedge_market;            // [hedges], or its defaults
  Equity equity;                       // [firm] shares_outstanding and [equity]; no shares unless given
  std::vector<Debt> debts;
  std::vector<Strategy> strategies;
};

/// Whether some site of `scenario` buys power at the index (power_contract index or pass_through):
/// then its market simulates the energy index.
[[nodiscard]] inline bool has_index_site(const Scenario& scenario) {
  for (const Site& site : scenario.sites)
    if (site.power_contract != PowerContract::kFixed) return true;
  return false;
}

/// The machine model of `scenario` named `name`; nullptr when none is (names are unique: the reader
/// checks). Not for the daily step: the plan holds machines by index.
[[nodiscard]] inline const MachineModel* find_machine(const Scenario& scenario, std::string_view name) {
  for (const MachineModel& m : scenario.machines)
    if (m.name == name) return &m;
  return nullptr;
}

/// Splits fleet entry `entry`, whose `relocate` is set, into the two entries a move is: `entry` now
/// retires on the move's day, and the returned entry holds the same machines at the target site
/// from on + days_offline until `entry`'s former retire, marked relocated, with book value and capex
/// 0 (both stay with the original entry, which depreciates and paid them). The caller checks the
/// dates and the target site's room (io's scenario reader does).
[[nodiscard]] inline FleetEntry split_relocation(FleetEntry& entry) {
  const Relocation& r = *entry.relocate;
  FleetEntry moved = entry;
  moved.site = r.site;
  moved.in_service = r.on + static_cast<DayNumber>(r.days_offline);
  moved.book_value_usd = 0.0;
  moved.capex_usd = 0.0;
  moved.relocate.reset();
  moved.relocated = true;
  entry.retire = r.on;
  return moved;
}

}  // namespace hashpivot::firm
