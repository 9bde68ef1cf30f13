#include "backtest_command.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli_support.hpp"
#include "hashpivot/report/format.hpp"
#include "hashpivot/core/date.hpp"
#include "hashpivot/core/error.hpp"
#include "hashpivot/core/units.hpp"
#include "hashpivot/study/history_backtest.hpp"
#include "hashpivot/firm/scenario.hpp"
#include "hashpivot/io/scenario_reader.hpp"
#include "hashpivot/market/history.hpp"

namespace hashpivot::cli {
namespace {

using nlohmann::json;

struct BacktestOptions {
  std::string scenario;
  std::string history;
  std::string from;
  std::string to;
  std::string strategy;  // empty: the first
  std::string compare;   // a CSV of reported monthly production (month, btc_mined); empty: none
  bool json = false;
  bool strict = false;  // --strict: implausible input is an error
};

std::size_t strategy_index(const firm::Scenario& scenario, const std::string& name) {
  if (name.empty()) return 0;
  std::string names;
  for (std::size_t i = 0; i < scenario.strategies.size(); ++i) {
    if (scenario.strategies[i].name == name) return i;
    names += fmt::format("{}\"{}\"", i == 0 ? "" : ", ", scenario.strategies[i].name);
  }
  throw InputError("command line", 0, "--strategy",
                   fmt::format("no strategy named \"{}\" in {}; its strategies are {}", name, scenario.source, names));
}

using report::number_or_null;

/// Mean effective hashrate of a period, EH/s.
double effective_ehs(const study::HistoryBacktestPeriod& p) {
  return p.days > 0 ? p.effective_ph_days / static_cast<double>(p.days) / kPhPerEh : 0.0;
}

/// Running over available hashrate, summed over the period's days (NaN when nothing was available).
double running_fraction(const study::HistoryBacktestPeriod& p) {
  return p.sums.available_hashrate_th > 0 ? p.sums.running_hashrate_th / p.sums.available_hashrate_th
                                          : std::numeric_limits<double>::quiet_NaN();
}

json period_json(const study::HistoryBacktestPeriod& p) {
  return {{"month", p.label},
          {"days", p.days},
          {"btc_mined", p.sums.btc_mined},
          {"revenue_usd", p.sums.mining_revenue_usd},
          {"hashprice_usd_per_ph_day", number_or_null(p.hashprice_usd_per_ph_day)},
          {"hashprice_btc_per_ph_day", number_or_null(p.hashprice_btc_per_ph_day)},
          {"power_cost_usd", p.sums.power_cost_usd},
          {"energy_mwh", p.sums.energy_mwh},
          {"curtailment_credit_usd", p.sums.curtailment_credit_usd},
          {"opex_usd", p.sums.opex_usd},
          {"sga_usd", p.sums.sga_usd},
          {"hpc_revenue_usd", p.sums.hpc_revenue_usd},
          {"ebitda_usd", p.sums.ebitda_usd},
          {"interest_usd", p.sums.interest_usd},
          {"net_income_usd", p.sums.net_income_usd},
          {"btc_sold", p.sums.btc_sold},
          {"btc_liquidated", p.sums.btc_liquidated},
          {"price_usd_per_btc", number_or_null(p.price_usd_per_btc)},
          {"effective_hashrate_ehs", effective_ehs(p)},
          {"btc_held_end", p.btc_held_end},
          {"cash_usd_end", p.cash_usd_end},
          {"debt_usd_end", p.debt_usd_end},
          {"days_with_filled_input", p.days_with_filled_input},
          {"running_fraction", number_or_null(running_fraction(p))},
          {"curtailed_mwh", p.sums.curtailed_mwh},
          {"hosting_fixed_usd", p.sums.hosting_fixed_usd}};
}

json compare_json(const std::vector<study::MonthComparison>& rows) {
  json out = json::array();
  for (const study::MonthComparison& c : rows)
    out.push_back({{"month", c.month},
                   {"days", c.days},
                   {"full_month", c.full_month},
                   {"model_btc", c.model_btc},
                   {"reported_btc", c.reported_btc},
                   {"error", number_or_null(c.error)}});
  return out;
}

json filled_json(const study::HistoryBacktest& r) {
  json filled = json::object();
  for (std::size_t i = 0; i < study::kHistoryInputs; ++i)
    filled[study::history_input_name(static_cast<study::HistoryInput>(i))] = r.filled_days[i];
  return filled;
}

}  // namespace

json backtest_json(const study::HistoryBacktest& r, const BacktestFiles& o,
                   const std::vector<study::MonthComparison>& comparison) {
  json months = json::array();
  for (const auto& m : r.months) months.push_back(period_json(m));
  const study::HistoryBacktestPeriod& t = r.total;
  json out = {{"scenario", r.scenario_name},
          {"scenario_file", o.scenario},
          {"strategy", r.strategy_name},
          {"history", o.history},
          {"from", format_date(r.from)},
          {"to", format_date(r.to)},
          {"days", t.days},
          {"btc_mined", t.sums.btc_mined},
          {"revenue_usd", t.sums.mining_revenue_usd},
          {"hashprice_usd_per_ph_day", t.hashprice_usd_per_ph_day},
          {"power_cost_usd", t.sums.power_cost_usd},
          {"hpc_revenue_usd", t.sums.hpc_revenue_usd},
          {"ebitda_usd", t.sums.ebitda_usd},
          {"net_income_usd", t.sums.net_income_usd},
          {"effective_hashrate_ehs", effective_ehs(t)},
          {"btc_held_end", t.btc_held_end},
          {"cash_usd_end", t.cash_usd_end},
          {"debt_usd_end", t.debt_usd_end},
          {"default_day", r.default_day ? json(format_date(*r.default_day)) : json(nullptr)},
          {"filled_days", filled_json(r)},
          {"fill_rule", study::history_fill_rule()},
          {"notes", r.notes},
          {"months", months}};
  if (!o.compare.empty()) {
    out["compare_file"] = o.compare;
    out["compare"] = compare_json(comparison);
  }
  return out;
}

namespace {

// Model against reported BTC mined, month by month, then the total over the full months.
void print_comparison(const std::vector<study::MonthComparison>& rows, const BacktestOptions& o) {
  fmt::print("\nBTC mined, model against reported ({}); error = model / reported - 1:\n", o.compare);
  fmt::print("{:<8}{:>5}{:>12}{:>12}{:>9}\n", "month", "days", "model", "reported", "error");
  for (const study::MonthComparison& c : rows) {
    const std::string error = std::isfinite(c.error) ? fmt::format("{:+.1f}%", kPercentPerUnit * c.error) : "-";
    fmt::print("{:<8}{:>5}{:>12.1f}{:>12.1f}{:>9}{}\n", c.month, c.days, c.model_btc, c.reported_btc, error,
               c.full_month ? "" : "  (partial month: not in the total)");
  }
}

using report::millions;  // a few cents left by the remedies' rounding print as 0.0, not -0.0

void print_row(const study::HistoryBacktestPeriod& p) {
  const std::string power_per_btc = p.sums.btc_mined > 0 ? fmt::format("{:.0f}", p.sums.power_cost_usd / p.sums.btc_mined) : "-";
  const double running = running_fraction(p);
  const std::string running_text = std::isfinite(running) ? fmt::format("{:.1f}", kPercentPerUnit * running) : "-";
  fmt::print("{:<8}{:>5}{:>11.2f}{:>12}{:>11.2f}{:>12.2f}{:>10}{:>11}{:>11}{:>11}{:>11.1f}{:>10}{:>8}{:>7}\n", p.label, p.days,
             p.sums.btc_mined, millions(p.sums.mining_revenue_usd), p.price_usd_per_btc / kThousand, p.hashprice_usd_per_ph_day,
             millions(p.sums.power_cost_usd), power_per_btc, millions(p.sums.hpc_revenue_usd), millions(p.sums.ebitda_usd),
             p.btc_held_end, millions(p.cash_usd_end), p.days_with_filled_input, running_text);
}

void print_text(const study::HistoryBacktest& r, const firm::Scenario& scenario, const BacktestOptions& o) {
  fmt::print("{} ({}), strategy \"{}\": real history {} to {} ({} days)\n", r.scenario_name, o.scenario,
             r.strategy_name, format_date(r.from), format_date(r.to), r.total.days);
  fmt::print("history   {}\n", o.history);
  double deployed_th = 0, operating_th = 0, power_w = 0;
  for (const firm::FleetEntry& f : scenario.fleet) {
    if (f.relocated) continue;  // the machines of the entry before it, moved: counted there
    for (const firm::MachineModel& m : scenario.machines) {
      if (m.name != f.machine) continue;
      const auto count = static_cast<double>(f.count);
      deployed_th += count * m.hashrate_th;
      operating_th += count * m.hashrate_th * f.uptime;
      power_w += count * m.power_w;
    }
  }
  fmt::print("fleet     {:.2f} EH/s deployed, {:.2f} EH/s operating (after uptime), {:.1f} J/TH, pool fee {:.2f}%\n",
             deployed_th / kThPerEh, operating_th / kThPerEh, deployed_th > 0 ? power_w / deployed_th : 0.0,
             kPercentPerUnit * scenario.treasury.pool_fee);
  for (const firm::Site& s : scenario.sites)
    fmt::print("power     site \"{}\": {} {:.2f} $/MWh{}, PUE {}\n", s.name, firm::keyword(s.power_contract), s.power_price_usd_per_mwh,
               s.power_contract != firm::PowerContract::kFixed ? " (held constant: the history has no power prices)" : "", s.pue);
  fmt::print("filled    price {} days, difficulty {}, issuance per block {}, fees per block {} (of {})\n",
             r.filled_days[0], r.filled_days[1], r.filled_days[2], r.filled_days[3], r.total.days);
  // The rule, one clause a line.
  const std::string rule = study::history_fill_rule();
  for (std::size_t begin = 0, clause = 0; begin < rule.size(); ++clause) {
    const std::size_t end = std::min(rule.find("; ", begin), rule.size());
    fmt::print("          {}{}\n", clause == 0 ? "rule: " : "      ", rule.substr(begin, end - begin));
    begin = end + 2;
  }
  for (const std::string& note : r.notes) fmt::print("note      {}\n", note);
  fmt::print("\n{:<8}{:>5}{:>11}{:>12}{:>11}{:>12}{:>10}{:>11}{:>11}{:>11}{:>11}{:>10}{:>8}{:>7}\n", "month", "days",
             "BTC mined", "mining $M", "price $k", "$/PH/day", "power $M", "power/BTC", "HPC $M", "EBITDA $M", "BTC held",
             "cash $M", "filled", "run %");
  for (const auto& m : r.months) print_row(m);
  print_row(r.total);
  fmt::print("\nBTC mined {:.2f}, mining revenue ${}M, power ${}M; effective hashrate {:.2f} EH/s (BTC mined / "
             "hashprice / (1 - pool fee)).\n",
             r.total.sums.btc_mined, millions(r.total.sums.mining_revenue_usd), millions(r.total.sums.power_cost_usd),
             effective_ehs(r.total));
  if (r.default_day) fmt::print("The firm DEFAULTED on {}; nothing is mined or paid after.\n", format_date(*r.default_day));
  fmt::print("Price and hashprice are means of the days; BTC held and cash at the month's last day; filled = days on "
             "which the fill rule supplied an input; run % = running / available hashrate (curtailment).\n");
}

/// The flags that set the backtest's parameters (cli_support.hpp, ParameterFlag).
constexpr ParameterFlag kBacktestFlags[] = {{"from", "--from"}, {"to", "--to"}, {"strategy", "--strategy"}};

void run_backtest(const BacktestOptions& o) {
  const auto from = parse_date_flag(o.from, "--from");
  const auto to = parse_date_flag(o.to, "--to");
  if (!from) throw InputError("command line", 0, "--from", "expected a date YYYY-MM-DD");
  if (!to) throw InputError("command line", 0, "--to", "expected a date YYYY-MM-DD");
  if (*from > *to)
    throw InputError("command line", 0, "--from", fmt::format("{} is after --to {}", o.from, o.to));
  const firm::Scenario scenario = read_scenario_checked(o.scenario, o.strict).scenario;
  const std::size_t strategy = strategy_index(scenario, o.strategy);
  // The whole file: the range checks need its first and last day.
  const market::DailyHistory history = read_history_checked(o.history, o.strict);
  const study::HistoryBacktest result = study::run_history_backtest(scenario, strategy, history, *from, *to);
  std::vector<study::MonthComparison> comparison;
  if (!o.compare.empty()) comparison = study::compare_production(result, study::read_reported_production(o.compare));
  if (o.json) {
    std::cout << backtest_json(result, {o.scenario, o.history, o.compare}, comparison).dump(2) << '\n';
  } else {
    print_text(result, scenario, o);
    if (!o.compare.empty()) print_comparison(comparison, o);
  }
}

}  // namespace

constexpr const char* kBacktestHelp =
    R"(Run a scenario's firm on a REAL daily history instead of simulated markets, and report month by month
the BTC it would have mined, mining revenue, hashprice, power cost, HPC revenue, EBITDA, BTC held and cash.
Each day's market comes from the history's own columns (docs/model.md §2): price = PriceUSD;
hashprice = 86400e15 / (2^32 DiffMean) x (issuance + fees per block), issuance per block = change of
SplyCur / BlkCnt, fees per block = FeeTotNtv / BlkCnt; so BTC mined per TH/s is that hashprice / 1000
times uptime times (1 - pool fee).
Fill rule for unknown values, counted per input and reported: an unknown price, difficulty or fees per
block takes the last value known earlier in the window --from..--to; days before the window's first
known value take that first value; an unknown issuance per block is the chain's subsidy of the era the
day's opening supply lies in; an input with no known value in the window is an error. Values before
--from are not used. (Bundled history: fees unknown 2024-04-28..2025-08-10 and after 2026-03-30;
DiffMean 2025-04-18..08-09 and after 2026-04-01; BlkCnt 2025-04-17..08-10 and after 2026-03-30.)
Assumptions: the scenario's firm (treasury, debt, fleet, book values) is taken as of --from, with BTC
marked at that day's price; dated events (maturities, sales, pivots) keep their dates; the horizon is
ignored. Fixed-price sites pay their contract; index sites pay their power_price_usd_per_mwh every day
(the history has no power prices), and economic curtailment decides on that price's energy part (the
avoidable cost). The dated fleet (in_service, retire) and [[downtime]] events keep their dates.
Exit codes: 0 ok, 2 bad input (file:line: field: problem), 3 internal error.)";

void add_backtest_command(CLI::App& app, int& exit_code, const sim::ProcessGroup& /*group*/) {
  const auto [cmd, options] = add_command<BacktestOptions>(app, exit_code, "backtest", kBacktestHelp,
      [](BacktestOptions& o) { run_with_flags(kBacktestFlags, [&] { run_backtest(o); }); });
  cmd->add_option("SCENARIO", options->scenario, "Scenario file (TOML; see docs/scenario.md)")->required();
  cmd->add_option("--history", options->history,
                  "Daily history CSV in calibrate's Coin Metrics format "
                  "(e.g. data/history/btc_daily_history_coinmetrics_format.csv)")
      ->required();
  cmd->add_option("--from", options->from, "First day run (YYYY-MM-DD, inside the history)")->required();
  cmd->add_option("--to", options->to, "Last day run (YYYY-MM-DD, inside the history, not before --from)")->required();
  cmd->add_option("--strategy", options->strategy, "The scenario's strategy to run, by name (default: the first)");
  cmd->add_option("--compare", options->compare,
                  "CSV of the firm's reported monthly production (columns month YYYY-MM, btc_mined; e.g.\n"
                  "data/cango/cango_monthly_production.csv): print the model's BTC mined against it, month by\n"
                  "month, with the error and the total over the full months (JSON: \"compare\")");
  add_strict_flag(*cmd, options->strict);
  cmd->add_flag("--json", options->json,
                "Print one JSON object: btc_mined, revenue_usd, months [{month, btc_mined, revenue_usd, "
                "hashprice_usd_per_ph_day, power_cost_usd, ...}], filled_days and more");
}

}  // namespace hashpivot::cli
