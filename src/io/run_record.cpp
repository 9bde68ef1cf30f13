#include "hashpivot/io/run_record.hpp"

#include <fmt/format.h>

#include <array>
#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "hashpivot/core/date.hpp"
#include "hashpivot/sim/metrics.hpp"

namespace hashpivot::io {
namespace {

// Series names as `hashpivot run --json` writes them; each carries its unit (io::series_unit).
constexpr std::array<std::pair<sim::MarketSeries, const char*>, 4> kMarketSeriesNames = {{
    {sim::MarketSeries::kBtcPriceUsd, "btc_price_usd"},
    {sim::MarketSeries::kHashpriceUsdPerPhDay, "hashprice_usd_per_ph_day"},
    {sim::MarketSeries::kDifficultyT, "difficulty_t"},
    {sim::MarketSeries::kFeesBtcPerBlock, "fees_btc_per_block"},
}};
constexpr std::array<std::pair<sim::FirmSeries, const char*>, 4> kFirmSeriesNames = {{
    {sim::FirmSeries::kCashUsd, "cash_usd"},
    {sim::FirmSeries::kBtcHeld, "btc_held"},
    {sim::FirmSeries::kDebtUsd, "debt_usd"},
    {sim::FirmSeries::kEquityUsd, "equity_usd"},
}};
static_assert(kMarketSeriesNames.size() == static_cast<std::size_t>(sim::MarketSeries::kCount));
static_assert(kFirmSeriesNames.size() == static_cast<std::size_t>(sim::FirmSeries::kCount));

io::MonthlyQuantiles quantiles_of(const stats::MonthlySeries& series, std::size_t strategy, std::size_t month,
                                  std::size_t which) {
  io::MonthlyQuantiles q;
  q.p5 = series.quantile(strategy, month, which, 0.05);
  q.p25 = series.quantile(strategy, month, which, 0.25);
  q.p50 = series.quantile(strategy, month, which, 0.50);
  q.p75 = series.quantile(strategy, month, which, 0.75);
  q.p95 = series.quantile(strategy, month, which, 0.95);
  q.mean = series.moments(strategy, month, which).mean();
  return q;
}

/// Appends the month-by-month bands of `names` in `bands`' row `row` to `out`: the market's
/// (`strategy` std::nullopt) or a strategy's.
template <class Names>
void append_quantiles(const stats::MonthlySeries& bands, std::size_t row, const std::optional<std::string>& strategy,
                      const std::vector<std::string>& months, const Names& names,
                      std::vector<io::MonthlyQuantiles>& out) {
  for (std::size_t m = 0; m < months.size(); ++m) {
    for (const auto& [series, name] : names) {
      io::MonthlyQuantiles q = quantiles_of(bands, row, m, static_cast<std::size_t>(series));
      q.strategy = strategy;
      q.month = months[m];
      q.series = name;
      out.push_back(std::move(q));
    }
  }
}

}  // namespace

std::string format_utc_timestamp(std::chrono::system_clock::time_point time) {
  using namespace std::chrono;
  const auto ms = floor<milliseconds>(time);
  const auto day = floor<days>(ms);
  const year_month_day ymd{day};
  const hh_mm_ss<milliseconds> clock{ms - day};
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), clock.hours().count(),
                     clock.minutes().count(), clock.seconds().count(), clock.subseconds().count());
}

io::RunRecord make_run_record(const firm::Scenario& scenario_as_read, const std::string& scenario_text,
                              const sim::RunResult& result, std::chrono::system_clock::time_point started,
                              std::chrono::system_clock::time_point finished, const std::string& version) {
  io::RunRecord record;
  io::RunInfo& info = record.run;
  info.scenario_name = result.scenario_name.empty() ? scenario_as_read.run.name : result.scenario_name;
  info.scenario_path = scenario_as_read.source;
  info.seed = result.seed;
  info.paths = result.paths;
  info.threads = result.threads;
  info.version = version;
  info.started_at = format_utc_timestamp(started);
  info.finished_at = format_utc_timestamp(finished);
  info.start_date = format_date(result.start_day);
  info.horizon_days = result.horizon_days;
  info.variance_reduction = result.variance_reduction;
  record.scenario_text = scenario_text;
  record.market_description = result.market_description;

  for (const sim::StrategyStatistics& s : result.strategies) record.strategies.push_back({s.name, sim::metric_values(s)});

  const std::size_t months = result.months.size();
  append_quantiles(result.market_series, 0, std::nullopt, result.months, kMarketSeriesNames, record.monthly_quantiles);
  for (std::size_t k = 0; k < result.strategies.size(); ++k)
    append_quantiles(result.firm_series, k, result.strategies[k].name, result.months, kFirmSeriesNames,
                     record.monthly_quantiles);

  for (std::size_t k = 0; k < result.strategies.size(); ++k) {
    const std::string& strategy = result.strategies[k].name;
    for (std::size_t m = 0; m < months; ++m) {
      for (std::size_t f = 0; f < sim::MonthlyAccounts::kFields; ++f) {
        const auto field = static_cast<sim::AccountsField>(f);
        record.monthly_accounts.push_back({strategy, result.months[m], accounts_field_name(field),
                                           result.accounts.at(k, m, field).mean()});
      }
    }
  }

  for (const sim::StrategyStatistics& s : result.strategies) {
    const std::size_t tracked = std::min(months, s.default_month.months());
    for (std::size_t m = 0; m < tracked; ++m) {
      record.default_months.push_back(
          {s.name, result.months[m], static_cast<std::int64_t>(s.default_month.events_in_month(m))});
    }
  }
  return record;
}

std::int64_t record_run(const std::string& db, const firm::Scenario& scenario_as_read, const std::string& scenario_text,
                        const sim::RunResult& result, std::chrono::system_clock::time_point started,
                        std::chrono::system_clock::time_point finished, const std::string& version) {
  const io::RunRecord record = make_run_record(scenario_as_read, scenario_text, result, started, finished, version);
  return io::open_result_store(db, io::StoreAccess::kCreate)->save(record);
}

}  // namespace hashpivot::io
