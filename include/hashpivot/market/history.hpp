#pragma once
// A daily history of the Bitcoin network and market in the Coin Metrics community format
// (columns `time`, `PriceUSD`, `HashRate`, `DiffMean`, `BlkCnt`, `FeeTotNtv`, `SplyCur`; others
// ignored), held as structure-of-arrays on a contiguous daily grid.
//
// Unknown values (an empty cell, a column the file lacks, a day the file skips) are NaN, never zero.
// Days missing from the file are inserted as all-NaN rows and reported in `gaps`.

#include <cmath>
#include <cstddef>
#include <filesystem>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "hashpivot/core/date.hpp"
#include "hashpivot/core/plausibility.hpp"

namespace hashpivot::market {

/// At most this many plausibility warnings are listed per file; one more counts the rest (a file in
/// the wrong unit would otherwise list every row).
inline constexpr std::size_t kMaxHistoryWarnings = 10;

struct DateGap {
  DayNumber first_missing;  // first day absent from the file
  int missing_days;
};

struct DailyHistory {
  std::string source;                    // the file it was read from
  DayNumber first_day = 0;               // date of index 0; index i is first_day + i
  std::vector<double> price_usd;         // PriceUSD: USD per BTC
  std::vector<double> hashrate_ths;      // HashRate: TH/s, mean over the day
  std::vector<double> difficulty;        // DiffMean: mean difficulty of the day's blocks
  std::vector<double> block_count;       // BlkCnt: blocks mined that day
  std::vector<double> fees_btc;          // FeeTotNtv: total fees paid that day, BTC
  std::vector<double> supply_btc;        // SplyCur: BTC in circulation
  std::vector<DateGap> gaps;             // days the file skipped
  std::vector<InputWarning> warnings;    // implausible prices and daily returns, each at its line and column

  [[nodiscard]] std::size_t days() const { return price_usd.size(); }
  [[nodiscard]] DayNumber day(std::size_t index) const { return first_day + static_cast<DayNumber>(index); }
  /// Index of `day`, or std::nullopt outside the history.
  [[nodiscard]] std::optional<std::size_t> index_of(DayNumber day) const;
  /// `column`'s value on `day` (one of this history's columns), NaN outside the history.
  [[nodiscard]] double value_on(const std::vector<double>& column, DayNumber day) const {
    const auto i = index_of(day);
    return i ? column[*i] : std::numeric_limits<double>::quiet_NaN();
  }
};

[[nodiscard]] inline bool is_known(double value) { return !std::isnan(value); }

/// Reads a history CSV, keeping days in [from, to] (inclusive; unbounded where absent).
/// Throws InputError naming the file, line and column for a malformed or negative value, a bad
/// date, dates out of order or repeated, a missing `time` column, or an empty selection.
/// A price outside the plausible range, or a daily log return beyond any in BTC's history
/// (core/plausibility.hpp), is a warning in `warnings` (the first kMaxHistoryWarnings, then one
/// that counts the rest), checked on the days kept.
[[nodiscard]] DailyHistory read_daily_history_csv(const std::filesystem::path& path,
                                                  std::optional<DayNumber> from = std::nullopt,
                                                  std::optional<DayNumber> to = std::nullopt);

}  // namespace hashpivot::market
