#include "hashpivot/network/chain_history.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "hashpivot/chain/compact.hpp"
#include "hashpivot/chain/params.hpp"
#include "hashpivot/chain/work.hpp"
#include "hashpivot/core/csv.hpp"
#include "hashpivot/core/error.hpp"
#include "hashpivot/core/units.hpp"

namespace hashpivot::network {
namespace {

constexpr std::int64_t kSecondsPerDayInt = static_cast<std::int64_t>(kSecondsPerDay);

std::int64_t blocks_per_epoch() { return chain::ConsensusParams::mainnet().retarget_interval_blocks(); }

void read_heights(const std::filesystem::path& path, ChainHistory& out) {
  csv::Reader reader = csv::Reader::open(path);
  out.heights_source = reader.source();
  const std::size_t time = reader.column("time");
  const std::size_t first = reader.column("first_height");
  const std::size_t last = reader.column("last_height");
  csv::Row row;
  std::int64_t previous_last = ChainHistory::kUnknownHeight;
  while (reader.next(row)) {
    const auto day = parse_date(row.text(time));
    if (!day) row.fail(time, fmt::format("expected a date YYYY-MM-DD, got '{}'", row.text(time)));
    if (out.first_height.empty()) out.first_day = *day;
    const auto index = static_cast<std::int64_t>(*day) - out.first_day;
    if (index < static_cast<std::int64_t>(out.first_height.size()))
      row.fail(time, fmt::format("dates must increase: {}", row.text(time)));
    out.first_height.resize(static_cast<std::size_t>(index), ChainHistory::kUnknownHeight);
    out.last_height.resize(static_cast<std::size_t>(index), ChainHistory::kUnknownHeight);
    const std::int64_t f = row.as_int64(first), l = row.as_int64(last);
    if (f < 0 || l < f || f <= previous_last)
      row.fail(last, fmt::format("heights {}..{} do not follow {}", f, l, previous_last));
    previous_last = l;
    out.first_height.push_back(f);
    out.last_height.push_back(l);
  }
  if (out.first_height.empty()) throw InputError(out.heights_source, 0, "time", "no rows");
}

void read_epochs(const std::filesystem::path& path, ChainHistory& out) {
  csv::Reader reader = csv::Reader::open(path);
  out.epochs_source = reader.source();
  const std::size_t start_height = reader.column("start_height");
  const std::size_t bits = reader.column("nbits_hex");
  const std::size_t start_time = reader.column("start_time_unix");
  csv::Row row;
  while (reader.next(row)) {
    EpochRecord e;
    e.start_height = row.as_int64(start_height);
    if (e.start_height != static_cast<std::int64_t>(out.epochs.size()) * blocks_per_epoch())
      row.fail(start_height, fmt::format("expected epoch {} to start at height {}", out.epochs.size(),
                                         static_cast<std::int64_t>(out.epochs.size()) * blocks_per_epoch()));
    e.bits = row.as_hex_u32(bits);
    e.difficulty = chain::difficulty_from_bits(e.bits);
    if (!row.empty(start_time)) e.start_time_unix = row.as_int64(start_time);
    out.epochs.push_back(e);
  }
  if (out.epochs.empty()) throw InputError(out.epochs_source, 0, "start_height", "no rows");
}

}  // namespace

std::optional<std::int64_t> ChainHistory::next_height_at(DayNumber day) const {
  const std::int64_t index = static_cast<std::int64_t>(day) - first_day - 1;
  if (index < 0 || index >= static_cast<std::int64_t>(last_height.size())) return std::nullopt;
  const std::int64_t last = last_height[static_cast<std::size_t>(index)];
  if (last == kUnknownHeight) return std::nullopt;
  return last + 1;
}

std::optional<double> ChainHistory::difficulty_at_height(std::int64_t height) const {
  const std::int64_t epoch = height / blocks_per_epoch();
  if (height < 0 || epoch >= static_cast<std::int64_t>(epochs.size())) return std::nullopt;
  return epochs[static_cast<std::size_t>(epoch)].difficulty;
}

std::optional<ChainState> ChainHistory::state_at(DayNumber day) const {
  const auto next = next_height_at(day);
  if (!next) return std::nullopt;
  const auto epoch = static_cast<std::size_t>(*next / blocks_per_epoch());
  if (epoch >= epochs.size()) return std::nullopt;
  const EpochRecord& e = epochs[epoch];
  ChainState state;
  if (e.start_time_unix) {
    state.chain = make_daily_chain(*next, e.bits, *e.start_time_unix);
    return state;
  }
  // The day that mined the epoch's first block, and the block's place in that day.
  for (std::size_t d = 0; d < last_height.size(); ++d) {
    if (last_height[d] == kUnknownHeight || last_height[d] < e.start_height) continue;
    if (first_height[d] > e.start_height) return std::nullopt;  // the block's day is unknown
    const std::int64_t n = last_height[d] - first_height[d] + 1;
    const std::int64_t j = e.start_height - first_height[d] + 1;
    const std::int64_t day_start = (static_cast<std::int64_t>(first_day) + static_cast<std::int64_t>(d)) * kSecondsPerDayInt;
    state.chain = make_daily_chain(*next, e.bits, day_start + kSecondsPerDayInt * j / (n + 1));
    state.epoch_start_estimated = true;
    return state;
  }
  return std::nullopt;
}

ChainHistory read_chain_history(const std::filesystem::path& heights_csv, const std::filesystem::path& epochs_csv) {
  ChainHistory out;
  read_heights(heights_csv, out);
  read_epochs(epochs_csv, out);
  return out;
}

namespace {
constexpr double kRelativeDifficultyTolerance = 1e-9;  // DiffMean (15 digits) against the bits' difficulty
}  // namespace

double work_rate_ths(const market::DailyHistory& h, DayNumber first, DayNumber last) {
  double sum = 0;
  for (DayNumber d = first; d <= last; ++d) {
    const double v = h.value_on(h.hashrate_ths, d);
    if (!market::is_known(v) || v <= 0) return std::numeric_limits<double>::quiet_NaN();
    sum += v;
  }
  return sum / static_cast<double>(last - first + 1);
}

double implied_hashrate_ths(const market::DailyHistory& h, DayNumber day, double difficulty, int window_days,
                            int min_days) {
  double blocks = 0;
  int days = 0;
  for (DayNumber d = day - window_days; d < day; ++d) {
    const double diff = h.value_on(h.difficulty, d), count = h.value_on(h.block_count, d);
    if (market::is_known(diff) && market::is_known(count) &&
        std::abs(diff - difficulty) <= kRelativeDifficultyTolerance * difficulty) {
      blocks += count;
      ++days;
    }
  }
  if (days >= min_days) return difficulty * chain::kHashesPerDifficulty * blocks / (days * kSecondsPerDay) / kHashesPerTh;
  return work_rate_ths(h, day - window_days, day - 1);
}

}  // namespace hashpivot::network
