#include "hashpivot/market/history.hpp"

#include <fmt/format.h>

#include <array>
#include <limits>

#include "hashpivot/core/csv.hpp"
#include "hashpivot/core/error.hpp"

namespace hashpivot::market {
namespace {

constexpr double kUnknown = std::numeric_limits<double>::quiet_NaN();

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
  }
  if (history.days() == 0)
    throw InputError(history.source, 0, "time",
                     fmt::format("no rows between {} and {}", from ? format_date(*from) : "the start",
                                 to ? format_date(*to) : "the end"));
  return history;
}

}  // namespace hashpivot::market
