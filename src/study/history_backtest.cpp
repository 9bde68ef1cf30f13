#include "hashpivot/study/history_backtest.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>

#include "hashpivot/chain/params.hpp"
#include "hashpivot/chain/subsidy.hpp"
#include "hashpivot/core/csv.hpp"
#include "hashpivot/core/error.hpp"
#include "hashpivot/firm/plan.hpp"
#include "hashpivot/network/hashprice.hpp"

namespace hashpivot::study {
namespace {

using market::DailyHistory;
using market::is_known;

constexpr std::size_t kPrice = static_cast<std::size_t>(HistoryInput::kPrice);
constexpr std::size_t kDifficulty = static_cast<std::size_t>(HistoryInput::kDifficulty);
constexpr std::size_t kIssuance = static_cast<std::size_t>(HistoryInput::kIssuancePerBlock);
constexpr std::size_t kFees = static_cast<std::size_t>(HistoryInput::kFeesPerBlock);

bool positive(double v) { return is_known(v) && v > 0; }

// The history's column an input is named by in errors, and how the input is computed.
const char* column_of(std::size_t input) {
  switch (input) {
    case kPrice: return "PriceUSD";
    case kDifficulty: return "DiffMean";
    case kIssuance: return "SplyCur";
    default: return "FeeTotNtv";
  }
}
const char* formula_of(std::size_t input) {
  switch (input) {
    case kPrice: return "PriceUSD";
    case kDifficulty: return "DiffMean";
    case kIssuance: return "change of SplyCur / BlkCnt, or SplyCur of the day before";
    default: return "FeeTotNtv / BlkCnt";
  }
}

// Day i's value of each input from the history's own columns; NaN where unknown.
std::array<double, kHistoryInputs> known_inputs(const DailyHistory& h, std::size_t i) {
  std::array<double, kHistoryInputs> v{};
  v.fill(std::numeric_limits<double>::quiet_NaN());
  if (positive(h.price_usd[i])) v[kPrice] = h.price_usd[i];
  if (positive(h.difficulty[i])) v[kDifficulty] = h.difficulty[i];
  const double blocks = h.block_count[i];
  if (positive(blocks)) {
    if (i > 0 && is_known(h.supply_btc[i]) && is_known(h.supply_btc[i - 1])) {
      const double issued = h.supply_btc[i] - h.supply_btc[i - 1];
      if (issued >= 0) v[kIssuance] = issued / blocks;
    }
    if (is_known(h.fees_btc[i])) v[kFees] = h.fees_btc[i] / blocks;
  }
  return v;
}

}  // namespace

const char* history_input_name(HistoryInput input) {
  switch (input) {
    case HistoryInput::kPrice: return "price_usd";
    case HistoryInput::kDifficulty: return "difficulty";
    case HistoryInput::kIssuancePerBlock: return "issuance_btc_per_block";
    case HistoryInput::kFeesPerBlock: return "fees_btc_per_block";
    case HistoryInput::kCount: break;
  }
  return "unknown";
}

const char* history_fill_rule() {
  return "an unknown price, difficulty or fees per block takes the last value known earlier in the window "
         "(days before the window's first known value take that value); an unknown issuance per block "
         "(BlkCnt or SplyCur unknown) is the chain's subsidy of the era the day's opening supply lies in; "
         "values before --from are never used";
}

double subsidy_btc_at_supply(double supply_btc) {
  const chain::ConsensusParams params = chain::ConsensusParams::mainnet();
  const std::int64_t interval = params.subsidy_halving_interval_blocks;
  const double supply_sat = supply_btc * static_cast<double>(chain::kSatPerBtc);
  double issued_before_era = 0;
  for (std::int64_t era = 0; era < 64; ++era) {
    const std::int64_t subsidy = chain::block_subsidy_sat(chain::halving_height(era, params), params);
    if (subsidy == 0) return 0.0;
    const double era_sat = static_cast<double>(subsidy) * static_cast<double>(interval);
    // Every block of the era pays its first block's subsidy (Core's GetBlockSubsidy).
    if (supply_sat < issued_before_era + era_sat) return static_cast<double>(subsidy) / static_cast<double>(chain::kSatPerBtc);
    issued_before_era += era_sat;
  }
  return 0.0;
}

std::vector<HistoryMarketDay> history_market_days(const DailyHistory& h, DayNumber from, DayNumber to) {
  if (h.days() == 0) throw InputError(h.source, 0, "time", "the history holds no day");
  const DayNumber first = h.first_day;
  const DayNumber last = h.day(h.days() - 1);
  const std::string range = fmt::format("the history {} covers {} to {}", h.source, format_date(first), format_date(last));
  if (from > to)
    throw ParameterError("from", fmt::format("{} is after to {}", format_date(from), format_date(to)));
  if (from < first || from > last)
    throw ParameterError("from", fmt::format("{} lies outside the history: {}", format_date(from), range));
  if (to < first || to > last) throw ParameterError("to", fmt::format("{} lies outside the history: {}", format_date(to), range));

  const auto begin = static_cast<std::size_t>(from - first);
  const std::size_t n = static_cast<std::size_t>(to - from) + 1;
  std::vector<HistoryMarketDay> days(n);
  std::vector<std::array<double, kHistoryInputs>> known(n);
  for (std::size_t k = 0; k < n; ++k) known[k] = known_inputs(h, begin + k);

  for (std::size_t input = 0; input < kHistoryInputs; ++input) {
    // The window's first known value, for the days before it.
    double carried = std::numeric_limits<double>::quiet_NaN();
    for (std::size_t k = 0; k < n && !is_known(carried); ++k) carried = known[k][input];
    for (std::size_t k = 0; k < n; ++k) {
      HistoryMarketDay& d = days[k];
      double value = known[k][input];
      d.filled[input] = !is_known(value);
      if (!is_known(value) && input == kIssuance) {
        const std::size_t i = begin + k;
        if (i > 0 && is_known(h.supply_btc[i - 1]) && h.supply_btc[i - 1] >= 0) value = subsidy_btc_at_supply(h.supply_btc[i - 1]);
      }
      if (!is_known(value)) value = carried;
      if (!is_known(value))
        throw InputError(h.source, 0, column_of(input),
                         fmt::format("no day between {} and {} has a known {} ({}), so the backtest cannot fill it: "
                                     "widen --from/--to to a day where it is known",
                                     format_date(from), format_date(to),
                                     history_input_name(static_cast<HistoryInput>(input)), formula_of(input)));
      carried = value;
      switch (input) {
        case kPrice: d.price_usd_per_btc = value; break;
        case kDifficulty: d.difficulty = value; break;
        case kIssuance: d.issuance_btc_per_block = value; break;
        default: d.fees_btc_per_block = value; break;
      }
    }
  }
  for (std::size_t k = 0; k < n; ++k) {
    HistoryMarketDay& d = days[k];
    d.day = from + static_cast<DayNumber>(k);
    const double reward = d.issuance_btc_per_block + d.fees_btc_per_block;
    d.hashprice_btc_per_ph_day = network::hashprice_btc_per_ph_day(d.difficulty, reward);
    d.hashprice_usd_per_ph_day = network::hashprice_usd_per_ph_day(d.difficulty, reward, d.price_usd_per_btc);
  }
  return days;
}

namespace {

void start_period(HistoryBacktestPeriod& p, std::string label, DayNumber day) {
  p = HistoryBacktestPeriod{};
  p.label = std::move(label);
  p.first_day = day;
}

void add_day(HistoryBacktestPeriod& p, const HistoryBacktestDay& d, double pool_fee) {
  const firm::DayAccounts& a = d.accounts;
  ++p.days;
  p.last_day = d.market.day;
  for (const bool f : d.market.filled) {
    if (f) {
      ++p.days_with_filled_input;
      break;
    }
  }
  firm::add_accounts(p.sums, a);
  // BTC mined = PH/s × days × hashprice_btc × (1 − pool fee): the effective PH/s·days it implies.
  if (a.btc_mined > 0 && d.market.hashprice_btc_per_ph_day > 0 && pool_fee < 1)
    p.effective_ph_days += a.btc_mined / (d.market.hashprice_btc_per_ph_day * (1.0 - pool_fee));
  // Sums until finish_period turns them into means.
  p.price_usd_per_btc += d.market.price_usd_per_btc;
  p.hashprice_usd_per_ph_day += d.market.hashprice_usd_per_ph_day;
  p.hashprice_btc_per_ph_day += d.market.hashprice_btc_per_ph_day;
  p.cash_usd_end = d.cash_usd;
  p.btc_held_end = d.btc_held;
  p.debt_usd_end = d.debt_usd;
}

void finish_period(HistoryBacktestPeriod& p) {
  if (p.days == 0) return;
  const auto n = static_cast<double>(p.days);
  p.price_usd_per_btc /= n;
  p.hashprice_usd_per_ph_day /= n;
  p.hashprice_btc_per_ph_day /= n;
}

}  // namespace

std::vector<ReportedMonth> read_reported_production(const std::string& path) {
  csv::Reader reader = csv::Reader::open(path);
  const std::size_t month_column = reader.column("month");
  const std::size_t btc_column = reader.column("btc_mined");
  std::vector<ReportedMonth> months;
  csv::Row row;
  while (reader.next(row)) {
    const std::string month(row.text(month_column));
    if (!parse_date(month + "-01")) row.fail(month_column, fmt::format("expected a month YYYY-MM, got \"{}\"", month));
    const double btc = row.as_double(btc_column);
    if (btc < 0) row.fail(btc_column, fmt::format("expected BTC >= 0, got {}", btc));
    for (const ReportedMonth& m : months)
      if (m.month == month) row.fail(month_column, fmt::format("{} is listed twice", month));
    months.push_back({month, btc});
  }
  return months;
}

std::vector<MonthComparison> compare_production(const HistoryBacktest& backtest,
                                                const std::vector<ReportedMonth>& reported) {
  std::vector<MonthComparison> rows;
  MonthComparison total{"total", 0, true, 0, 0, 0};
  for (const HistoryBacktestPeriod& p : backtest.months) {
    for (const ReportedMonth& r : reported) {
      if (r.month != p.label) continue;
      const DayNumber first = *parse_date(p.label + "-01");
      const bool full = p.first_day == first && month_index(p.last_day + 1) != month_index(first);
      const double error = r.btc_mined > 0 ? p.sums.btc_mined / r.btc_mined - 1.0 : std::numeric_limits<double>::quiet_NaN();
      rows.push_back({p.label, p.days, full, p.sums.btc_mined, r.btc_mined, error});
      if (full) {
        total.days += p.days;
        total.model_btc += p.sums.btc_mined;
        total.reported_btc += r.btc_mined;
      }
    }
  }
  total.error = total.reported_btc > 0 ? total.model_btc / total.reported_btc - 1.0 : std::numeric_limits<double>::quiet_NaN();
  rows.push_back(total);
  return rows;
}

HistoryBacktest run_history_backtest(const firm::Scenario& scenario, std::size_t strategy, const DailyHistory& history,
                                     DayNumber from, DayNumber to) {
  require(strategy < scenario.strategies.size(), "strategy", "the strategy index is past the scenario's strategies");
  const std::vector<HistoryMarketDay> market = history_market_days(history, from, to);

  HistoryBacktest result;
  result.scenario_name = scenario.run.name;
  result.strategy_name = scenario.strategies[strategy].name;
  result.from = from;
  result.to = to;

  // The scenario's firm, started on `from` with BTC marked at that day's price.
  firm::Scenario moved = scenario;
  moved.run.start_date = from;
  moved.market.btc_price_usd = market.front().price_usd_per_btc;
  for (const firm::Debt& debt : scenario.debts) {
    if (debt.maturity <= from)
      result.notes.push_back(fmt::format("debt \"{}\" matures on {}, on or before --from: it is settled on the first day",
                                         debt.name, format_date(debt.maturity)));
  }
  const firm::Strategy& s = scenario.strategies[strategy];
  for (const firm::OneOffSale& sale : s.sales) {
    if (sale.date < from || sale.date > to)
      result.notes.push_back(fmt::format("the sale of {} BTC on {} lies outside the window: not made", sale.btc,
                                         format_date(sale.date)));
  }
  if (s.pivot_date && (*s.pivot_date < from || *s.pivot_date > to))
    result.notes.push_back(
        fmt::format("the pivot dated {} lies outside the window: not made", format_date(*s.pivot_date)));

  const firm::FirmPlan plan = firm::make_plan(moved, strategy);
  firm::FirmState state = firm::make_state(plan);
  // Index sites pay their scenario constant (the history has no power prices).
  std::vector<double> power_usd_per_mwh(plan.sites.size());
  for (std::size_t k = 0; k < plan.sites.size(); ++k) power_usd_per_mwh[k] = plan.sites[k].fixed_power_price_usd_per_mwh;

  result.days.reserve(market.size());
  for (std::size_t k = 0; k < market.size(); ++k) {
    const HistoryMarketDay& m = market[k];
    const firm::DayMarket day_market{m.price_usd_per_btc, m.hashprice_btc_per_ph_day, m.hashprice_usd_per_ph_day,
                                     power_usd_per_mwh, {}};
    HistoryBacktestDay day{};
    day.market = m;
    firm::step_day(plan, static_cast<int>(k), day_market, state, day.accounts);
    day.cash_usd = state.cash_usd;
    day.btc_held = firm::total_btc(state);
    day.debt_usd = firm::balance_sheet(state).liabilities_usd;
    if (day.accounts.defaulted_today) result.default_day = m.day;
    for (std::size_t input = 0; input < kHistoryInputs; ++input) result.filled_days[input] += m.filled[input] ? 1 : 0;
    result.days.push_back(day);
  }

  // The equity's value on the last day, as a run values its horizon.
  constexpr std::size_t kDaysPerYearCount = 365;
  double ebitda_last_year_usd = 0;
  for (std::size_t k = result.days.size() > kDaysPerYearCount ? result.days.size() - kDaysPerYearCount : 0;
       k < result.days.size(); ++k)
    ebitda_last_year_usd += result.days[k].accounts.ebitda_usd;
  if (!market.empty())
    result.equity_value_end_usd =
        firm::equity_value_at_horizon_usd(plan, state, static_cast<int>(market.size()), market.back().price_usd_per_btc,
                                          scenario.run.terminal_ebitda_multiple, ebitda_last_year_usd);

  // Calendar months and the total.
  start_period(result.total, "total", from);
  for (const HistoryBacktestDay& d : result.days) {
    if (result.months.empty() || month_index(d.market.day) != month_index(result.months.back().first_day)) {
      if (!result.months.empty()) finish_period(result.months.back());
      result.months.emplace_back();
      start_period(result.months.back(), format_month(d.market.day), d.market.day);
    }
    add_day(result.months.back(), d, plan.pool_fee);
    add_day(result.total, d, plan.pool_fee);
  }
  finish_period(result.months.back());
  finish_period(result.total);
  return result;
}

}  // namespace hashpivot::study
