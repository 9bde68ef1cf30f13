#pragma once
// The history backtest: a scenario's firm run on a REAL daily history (calibrate's Coin Metrics
// format, market/history.hpp) instead of simulated markets, one strategy at a time, with the
// accounts summed per calendar month.
//
// The market of each day d in [from, to] comes from the history's own columns (docs/model.md §2):
//   price                 = PriceUSD_d                                   USD per BTC
//   difficulty            = DiffMean_d
//   issuance per block    = (SplyCur_d − SplyCur_{d−1}) / BlkCnt_d       BTC (the subsidy actually paid)
//   fees per block        = FeeTotNtv_d / BlkCnt_d                       BTC
//   hashprice_btc         = 86400 · 10^15 / (2^32 · DiffMean_d) · (issuance + fees per block)
//                           (network::hashprice_btc_per_ph_day)          BTC per PH/s per day
//   hashprice_usd         = hashprice_btc · price                        USD per PH/s per day
// so on a day whose columns are all known, the BTC the firm mines per TH/s of effective hashrate is
// exactly hashprice_btc / 1000 (FPPS, firm::fpps_btc_per_day), before uptime and the pool fee.
//
// Fill rule for unknown values (NaN in DailyHistory: an empty cell or a day the file skips). Each of
// the four inputs above is filled on its own and the filled days are counted per input:
// - price, difficulty, fees per block: the last value known on an earlier day of the window
//   [from, to] is carried forward; days before the window's first known value take that first
//   known value (the only look-ahead). Values before `from` are never used, so the backtest of a
//   window depends on the window's rows alone. An input with no known value in the whole window is
//   an InputError naming the history and its column.
// - issuance per block (unknown when BlkCnt or SplyCur is): the chain's subsidy
//   (chain::block_subsidy_sat) of the halving era that the supply at the start of the day
//   (SplyCur_{d−1}) lies in; where that supply is unknown too, carried forward as above. Era
//   boundaries are the schedule's supplies (210,000 blocks an era); SplyCur omits the genesis block
//   and subsidy some miners left unclaimed, so a gap spanning a halving switches a few blocks late.
// The real history has long gaps: fees are unknown from 2024-04-28 to 2025-08-10, BlkCnt from
// 2025-04-17 to 2025-08-10 and DiffMean from 2025-04-18 to 2025-08-09 (the days whose epoch is not
// certain; data/README.md), so the window 2025-01-01..12-31 fills 222 days of fees with 2025-08-11's
// value, 114 days of difficulty with 2025-04-17's and 116 days of issuance with the 3.125 BTC subsidy;
// a window inside 2024-04-28..2025-08-10 has no fees at all.
//
// The firm: the scenario's firm with its start date moved to `from` and its opening BTC mark set to
// the window's first price (so the opening balance sheet and day 0's revaluation are right). Every
// figure of the scenario (treasury, debt, fleet, book values) is taken as of `from`; dated events
// (debt maturities, one-off sales, pivot dates) keep their calendar dates, so a debt maturing on or
// before `from` is repaid (or converted) on the first day and a sale or pivot dated outside the window
// never happens (both listed in `notes`). The scenario's horizon is ignored: the firm runs to `to`.
// Power: a fixed-price site pays its contract price; an index site pays its scenario constant
// power_price_usd_per_mwh every day (the history has no power prices). Economic curtailment decides
// on that daily price's energy part (the avoidable cost: fixed hosting charges and take-or-pay
// floors are paid either way). Each day is firm::step_day, the firm's full daily accounts.
// The dated fleet keeps its calendar dates: entries in service before `from` mine from the first
// day, later ones from their in_service date; [[downtime]] events apply on their dates.

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "hashpivot/core/date.hpp"
#include "hashpivot/firm/accounts.hpp"
#include "hashpivot/firm/scenario.hpp"
#include "hashpivot/market/history.hpp"

namespace hashpivot::study {

/// The four inputs of a day's market, each filled on its own (see the fill rule above).
enum class HistoryInput : std::size_t { kPrice, kDifficulty, kIssuancePerBlock, kFeesPerBlock, kCount };
inline constexpr std::size_t kHistoryInputs = static_cast<std::size_t>(HistoryInput::kCount);

/// "price_usd", "difficulty", "issuance_btc_per_block", "fees_btc_per_block".
[[nodiscard]] const char* history_input_name(HistoryInput input);

/// The fill rule in one sentence, for reports.
[[nodiscard]] const char* history_fill_rule();

/// One day of the market as the backtest sees it.
struct HistoryMarketDay {
  DayNumber day;
  double price_usd_per_btc;
  double difficulty;
  double issuance_btc_per_block;
  double fees_btc_per_block;
  double hashprice_btc_per_ph_day;
  double hashprice_usd_per_ph_day;
  std::array<bool, kHistoryInputs> filled;   // which inputs the fill rule supplied
};

/// The market of every day of [from, to] from `history`'s own columns, with unknown values filled
/// by the rule above. Throws ParameterError("from"/"to", …) when from > to or either lies outside
/// the history, and InputError(history.source, 0, COLUMN, …) when an input has
/// no known value in the window.
[[nodiscard]] std::vector<HistoryMarketDay> history_market_days(const market::DailyHistory& history, DayNumber from,
                                                                DayNumber to);

/// The chain's block subsidy, BTC, of the halving era in which `supply_btc` BTC have been issued
/// (mainnet schedule, 210,000 blocks an era, era 0 ending at 10,500,000 BTC); 0 once it is exhausted.
/// Precondition: supply_btc >= 0.
[[nodiscard]] double subsidy_btc_at_supply(double supply_btc);

/// One day of the backtest: the market, the firm's accounts, and its balances at the end of the day.
struct HistoryBacktestDay {
  HistoryMarketDay market;
  firm::DayAccounts accounts;
  double cash_usd;
  double btc_held;      // free + pledged
  double debt_usd;      // Σ principal
};

/// Sums of the daily accounts over one calendar month (or the whole window), USD and BTC, with the
/// mean market and the balances on the last day.
struct HistoryBacktestPeriod {
  std::string label;                      // "YYYY-MM" for a month, "total" for the window
  DayNumber first_day = 0;
  DayNumber last_day = 0;
  int days = 0;
  int days_with_filled_input = 0;         // days on which the fill rule supplied any input
  // Sums over the days.
  firm::DayAccounts sums{};               // every field of the daily accounts, summed (firm::add_accounts)
  double effective_ph_days = 0;           // Σ running hashrate × uptime over the days, PH/s·day
  // Means over the days.
  double price_usd_per_btc = 0;
  double hashprice_usd_per_ph_day = 0;
  double hashprice_btc_per_ph_day = 0;
  // On the last day.
  double cash_usd_end = 0;
  double btc_held_end = 0;
  double debt_usd_end = 0;
};

struct HistoryBacktest {
  std::string scenario_name;
  std::string strategy_name;
  DayNumber from = 0;
  DayNumber to = 0;
  std::vector<HistoryBacktestDay> days;           // from … to
  std::vector<HistoryBacktestPeriod> months;      // calendar months, in order (the first and last may be partial)
  HistoryBacktestPeriod total;                    // the whole window
  std::array<int, kHistoryInputs> filled_days{};  // per HistoryInput: days the fill rule supplied it
  std::optional<DayNumber> default_day;           // the day the firm defaulted, if it did
  // What equity holders own on the last day (firm::equity_value_at_horizon_usd, undiscounted: the
  // scenario's terminal multiple on the EBITDA of the last 365 days or fewer, leases to their end).
  double equity_value_end_usd = 0;
  std::vector<std::string> notes;                 // scenario dates the moved start changes (see above)
};

/// One month of a firm's reported production (a company's monthly production updates).
struct ReportedMonth {
  std::string month;   // "YYYY-MM"
  double btc_mined;
};

/// Reads the `month` and `btc_mined` columns of a CSV of reported monthly production (e.g.
/// data/cango/cango_monthly_production.csv; other columns are ignored). Throws InputError naming
/// the file, line and column of a month not written YYYY-MM, a BTC figure that is not a number >= 0,
/// or a month listed twice.
[[nodiscard]] std::vector<ReportedMonth> read_reported_production(const std::string& path);

/// The backtest's BTC mined against the reported figure of one month.
struct MonthComparison {
  std::string month;
  int days = 0;                 // days of the month the backtest ran
  bool full_month = false;      // the backtest ran every day of the month
  double model_btc = 0;
  double reported_btc = 0;
  double error = 0;             // model / reported − 1 (NaN when reported is 0)
};

/// The months of `backtest` that `reported` lists, in calendar order, and (last) their total
/// labelled "total" (over the full months only). A month the backtest ran only part of is listed
/// with full_month false and left out of the total.
[[nodiscard]] std::vector<MonthComparison> compare_production(const HistoryBacktest& backtest,
                                                              const std::vector<ReportedMonth>& reported);

/// Runs strategy number `strategy` of `scenario` on the days [from, to] of `history` (see above).
/// Throws InputError as history_market_days does, and ParameterError("strategy", …) for a strategy
/// index out of range.
[[nodiscard]] HistoryBacktest run_history_backtest(const firm::Scenario& scenario, std::size_t strategy,
                                                   const market::DailyHistory& history, DayNumber from, DayNumber to);

}  // namespace hashpivot::study
