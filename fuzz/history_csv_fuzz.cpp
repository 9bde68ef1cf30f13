// libFuzzer target: market::read_daily_history_csv on arbitrary bytes (seeds: slices of
// data/history/*.csv cut by scripts/fuzz.sh).
//
// Expected: a history, or an InputError. A history read must also keep the reader's contract
// (market/history.hpp): every series one value per day, values known (>= 0) or NaN, gaps inside the
// range and all-NaN; and reading it again over [first day + 1, last day − 1] must give the same
// values for the inner days. Then btc_log_returns (what the block bootstrap and the fits take) runs over it.

#include <fmt/format.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "fuzz_support.hpp"
#include "hashpivot/market/btc_price_calibration.hpp"
#include "hashpivot/market/history.hpp"

namespace {

using hashpivot::market::DailyHistory;

constexpr const char* kTarget = "history_csv";

std::vector<const std::vector<double>*> all_series(const DailyHistory& h) {
  return {&h.price_usd, &h.hashrate_ths, &h.difficulty, &h.block_count, &h.fees_btc, &h.supply_btc};
}

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

void check_contract(const DailyHistory& h) {
  using hashpivot::fuzz::finding;
  if (h.days() == 0) finding(kTarget, "a history with no day was returned instead of an InputError");
  for (const auto* series : all_series(h)) {
    if (series->size() != h.days()) finding(kTarget, "series of different lengths");
    for (const double v : *series)
      if (!(std::isnan(v) || (v >= 0 && std::isfinite(v)))) finding(kTarget, fmt::format("a value {} is neither >= 0 nor NaN", v));
  }
  for (const auto& gap : h.gaps) {
    const auto first = h.index_of(gap.first_missing);
    if (!first || gap.missing_days <= 0 || *first + static_cast<std::size_t>(gap.missing_days) > h.days())
      finding(kTarget, "a gap outside the history");
    for (std::size_t i = *first; i < *first + static_cast<std::size_t>(gap.missing_days); ++i)
      for (const auto* series : all_series(h))
        if (!std::isnan((*series)[i])) finding(kTarget, "a known value on a day reported missing");
  }
}

bool all_unknown(const DailyHistory& h, std::size_t from, std::size_t to) {  // days [from, to)
  for (const auto* series : all_series(h))
    for (std::size_t i = from; i < to; ++i)
      if (!std::isnan((*series)[i])) return false;
  return true;
}

// The window [day 1, day n−2] starts and ends at days the file lists, so it may be shorter than n−2
// days where the file skips days at its ends; those days must be unknown in the whole history.
void check_window(const DailyHistory& whole, const std::string& path) {
  using hashpivot::fuzz::finding;
  const std::size_t n = whole.days();
  if (n < 3) return;
  DailyHistory inner;
  try {
    inner = hashpivot::market::read_daily_history_csv(path, whole.day(1), whole.day(n - 2));
  } catch (const hashpivot::InputError& e) {
    if (all_unknown(whole, 1, n - 1)) return;  // the window holds no row of the file
    finding(kTarget, fmt::format("the whole file reads, its window [day 1, day {}] fails: {}", n - 2, e.what()));
  }
  const std::int64_t offset = inner.first_day - whole.first_day;
  if (offset < 1 || static_cast<std::size_t>(offset) + inner.days() > n - 1)
    finding(kTarget, fmt::format("the window [day 1, day {}] spans days {} to {}", n - 2, offset,
                                 offset + static_cast<std::int64_t>(inner.days()) - 1));
  const auto first = static_cast<std::size_t>(offset);
  if (!all_unknown(whole, 1, first) || !all_unknown(whole, first + inner.days(), n - 1))
    finding(kTarget, "the window leaves out known days");
  const auto a = all_series(whole);
  const auto b = all_series(inner);
  for (std::size_t s = 0; s < a.size(); ++s)
    for (std::size_t i = 0; i < inner.days(); ++i)
      if (!same_bits((*a[s])[first + i], (*b[s])[i])) finding(kTarget, "the window's values differ from the whole file's");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace hashpivot;
  static fuzz::TempInput file("history.csv");
  const std::string& path = file.write(data, size);
  fuzz::expect_only_input_errors(kTarget, [&] {
    const DailyHistory history = market::read_daily_history_csv(path);
    check_contract(history);
    check_window(history, path);
    (void)market::btc_log_returns(history);
  });
  return 0;
}
