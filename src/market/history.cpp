#include "hashpivot/market/history.hpp"

#include <fmt/format.h>

#include <array>
#include <cmath>
#include <limits>
#include <utility>

#include "hashpivot/core/csv.hpp"
#include "hashpivot/core/error.hpp"

namespace hashpivot::market {
namespace {

constexpr double kUnknown = std::numeric_limits<double>::quiet_NaN();

/// Collects the plausibility warnings of PriceUSD: each day's price, and each return from the day
/// before (consecutive known days only: a return across a gap spans several days).
class PriceChecks {
 public:
  PriceChecks(std::vector<InputWarning>& out, std::string source) : out_(out), source_(std::move(source)) {}

  void check(const csv::Row& row, std::size_t column, const std::string& column_name, DayNumber day, double price) {
    if (!is_known(price)) return;
    if (auto problem = implausibility(plausible_range("PriceUSD (history CSV)"), price)) add(row, column, column_name, *problem);
    if (previous_day_ + 1 == day && is_known(previous_price_) && previous_price_ > 0 && price > 0) {
      const double log_return = std::log(price / previous_price_);
      if (auto problem = implausibility(plausible_range("PriceUSD daily log return (history CSV)"), log_return))
        add(row, column, column_name,
            fmt::format("the daily log return from {} (price {:.6g}) to {} (price {:.6g}): {}; no day of BTC's history "
                        "moved so far",
                        format_date(previous_day_), previous_price_, format_date(day), price, *problem));
    }
    previous_day_ = day;
    previous_price_ = price;
  }

  /// Appends the count of warnings beyond kMaxHistoryWarnings, if any.
  void finish() {
    if (found_ > kMaxHistoryWarnings)
      out_.push_back({source_, 0, 0, "PriceUSD",
                      fmt::format("and {} more implausible prices or returns", found_ - kMaxHistoryWarnings)});
  }

 private:
  void add(const csv::Row& row, std::size_t column, const std::string& column_name, std::string problem) {
    if (++found_ <= kMaxHistoryWarnings)
      out_.push_back({source_, row.line(), column + 1, column_name, std::move(problem)});
  }

  std::vector<InputWarning>& out_;
  std::string source_;
  std::size_t found_ = 0;
  DayNumber previous_day_ = 0;
  double previous_price_ = kUnknown;
};

}  // namespace

std::optional<std::size_t> DailyHistory::index_of(DayNumber d) const {
  if (d < first_day || d >= first_day + static_cast<DayNumber>(days())) return std::nullopt;
  return static_cast<std::size_t>(d - first_day);
}

DailyHistory read_daily_history_csv(const std::filesystem::path& path, std::optional<DayNumber> from,
                                    std::optional<DayNumber> to) {
  csv::Reader reader = csv::Reader::open(path);
  const std::size_t time_column = reader.column("time");
  DailyHistory history;
  history.source = path.string();
  // Each known column and the series it fills; a column the file lacks leaves its series unknown.
  const std::array<std::pair<const char*, std::vector<double>*>, 6> series{{
      {"PriceUSD", &history.price_usd},
      {"HashRate", &history.hashrate_ths},
      {"DiffMean", &history.difficulty},
      {"BlkCnt", &history.block_count},
      {"FeeTotNtv", &history.fees_btc},
      {"SplyCur", &history.supply_btc},
  }};
  std::array<std::optional<std::size_t>, series.size()> columns;
  for (std::size_t s = 0; s < series.size(); ++s) columns[s] = reader.find_column(series[s].first);

  std::optional<DayNumber> previous;
  PriceChecks price_checks(history.warnings, history.source);
  csv::Row row;
  while (reader.next(row)) {
    const auto day = parse_date(row.text(time_column));
    if (!day) row.fail(time_column, fmt::format("expected a date YYYY-MM-DD, got '{}'", row.text(time_column)));
    if (previous && *day <= *previous)
      row.fail(time_column, fmt::format("dates must increase: {} follows {}", format_date(*day), format_date(*previous)));
    previous = day;
    if ((from && *day < *from) || (to && *day > *to)) continue;

    if (history.price_usd.empty()) {
      history.first_day = *day;
    } else {
      const DayNumber expected = history.day(history.days());
      if (*day > expected) {
        history.gaps.push_back({expected, *day - expected});
        for (DayNumber d = expected; d < *day; ++d)
          for (auto& [name, values] : series) values->push_back(kUnknown);
      }
    }
    for (std::size_t s = 0; s < series.size(); ++s) {
      double value = kUnknown;
      if (columns[s]) {
        value = row.as_optional_double(*columns[s]).value_or(kUnknown);
        if (value < 0) row.fail(*columns[s], fmt::format("expected a value >= 0, got {}", row.text(*columns[s])));
      }
      series[s].second->push_back(value);
    }
    if (columns[0]) price_checks.check(row, *columns[0], series[0].first, *day, history.price_usd.back());
  }
  price_checks.finish();
  if (history.days() == 0)
    throw InputError(history.source, 0, "time",
                     fmt::format("no rows between {} and {}", from ? format_date(*from) : "the start",
                                 to ? format_date(*to) : "the end"));
  return history;
}

}  // namespace hashpivot::market
