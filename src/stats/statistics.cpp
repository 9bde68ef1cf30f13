#include "hashpivot/stats/statistics.hpp"

#include <algorithm>
#include <cassert>
#include <functional>
#include <string>

namespace hashpivot::stats {

// The statistics' shapes and options are the code's choices (sim's constants, a run's calendar),
// never a user's: out-of-domain ones are bugs, asserted.

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
/// A sketch's buckets per sign at most: 80 MB of counts, far above any useful accuracy and range.
constexpr double kMaxBucketsPerSign = 1e7;
/// ⌈α·n⌉ is taken of α·n less this relative rounding, so that an α·n that is a whole number up to
/// the rounding of the product (0.07 × 100 = 7.000000000000001) is not rounded up past it.
constexpr double kTailCountRounding = 1e-12;
}  // namespace

// ---- ByteReader -------------------------------------------------------------------------------

std::byte ByteReader::next() {
  if (position_ >= bytes_.size()) throw SerializationError("serialized statistics end early");
  return bytes_[position_++];
}

std::uint64_t ByteReader::read_u64() {
  std::uint64_t value = 0;
  for (int i = 0; i < 8; ++i) value |= std::to_integer<std::uint64_t>(next()) << (8 * i);
  return value;
}

std::uint64_t ByteReader::read_varint() {
  std::uint64_t value = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    const auto byte = std::to_integer<std::uint64_t>(next());
    value |= (byte & 0x7fu) << shift;
    if ((byte & 0x80u) == 0) return value;
  }
  throw SerializationError("serialized statistics: a varint longer than 64 bits");
}

std::string ByteReader::read_string() {
  const std::uint64_t size = read_varint();
  if (size > bytes_.size() - position_) throw SerializationError("serialized statistics end early");
  std::string text(size, '\0');
  for (char& c : text) c = static_cast<char>(std::to_integer<unsigned char>(next()));
  return text;
}

void ByteReader::expect(std::string_view what, std::uint64_t actual, std::uint64_t expected) {
  if (actual != expected)
    throw SerializationError(std::string(what) + ": serialized " + std::to_string(actual) + ", expected " +
                             std::to_string(expected));
}

namespace {
void expect_same_bits(std::string_view what, double actual, double expected) {
  if (std::bit_cast<std::uint64_t>(actual) != std::bit_cast<std::uint64_t>(expected))
    throw SerializationError(std::string(what) + ": serialized " + std::to_string(actual) + ", expected " +
                             std::to_string(expected));
}
}  // namespace

// ---- Moments ----------------------------------------------------------------------------------

void Moments::serialize(ByteWriter& out) const {
  out.write_u64(count_);
  out.write_f64(mean_);
  out.write_f64(m2_);
  out.write_f64(min_);
  out.write_f64(max_);
}

void Moments::deserialize(ByteReader& in) {
  count_ = in.read_u64();
  mean_ = in.read_f64();
  m2_ = in.read_f64();
  min_ = in.read_f64();
  max_ = in.read_f64();
}

void Moments::merge(const Moments& other) {
  if (other.count_ == 0) return;
  if (count_ == 0) {
    *this = other;
    return;
  }
  const double count_a = static_cast<double>(count_);
  const double count_b = static_cast<double>(other.count_);
  const double count_total = count_a + count_b;
  const double delta = other.mean_ - mean_;
  mean_ += delta * (count_b / count_total);
  m2_ += other.m2_ + delta * delta * (count_a * count_b / count_total);
  count_ += other.count_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

double Moments::variance() const {
  if (count_ < 2) return kNaN;
  return m2_ / static_cast<double>(count_ - 1);
}

double Moments::standard_error() const {
  if (count_ < 2) return kNaN;
  return std::sqrt(variance() / static_cast<double>(count_));
}

// ---- QuantileSketch ---------------------------------------------------------------------------

QuantileSketch::QuantileSketch(const QuantileSketchOptions& options) : options_(options) {
  const double epsilon = options.relative_accuracy;
  assert(epsilon > 0 && epsilon < 0.5);
  assert(options.min_magnitude > 0 && options.min_magnitude < options.max_magnitude &&
         std::isfinite(options.max_magnitude));
  gamma_ = (1 + epsilon) / (1 - epsilon);
  const double log_gamma = std::log(gamma_);
  inverse_log_gamma_ = 1 / log_gamma;
  inverse_min_magnitude_ = 1 / options.min_magnitude;
  const double decades = std::log(options.max_magnitude / options.min_magnitude) / log_gamma;
  assert(decades <= kMaxBucketsPerSign);
  buckets_per_sign_ = static_cast<std::size_t>(std::ceil(decades));
  bucket_count_ = 2 * buckets_per_sign_ + 3;
  // Default-initialized: the pages no value reaches are never written, so never made resident.
  counts_ = std::make_unique_for_overwrite<std::uint32_t[]>(bucket_count_);
}

// The counters of the same size, then everything else by the assignment (which copies the span).
QuantileSketch::QuantileSketch(const QuantileSketch& other)
    : bucket_count_(other.bucket_count_),
      counts_(std::make_unique_for_overwrite<std::uint32_t[]>(other.bucket_count_)) {
  *this = other;
}

QuantileSketch& QuantileSketch::operator=(const QuantileSketch& other) {
  if (this == &other) return *this;
  // Same options, same size: the counters' storage is reused, as a vector's would be.
  if (bucket_count_ != other.bucket_count_) counts_ = std::make_unique_for_overwrite<std::uint32_t[]>(other.bucket_count_);
  options_ = other.options_;
  buckets_per_sign_ = other.buckets_per_sign_;
  bucket_count_ = other.bucket_count_;
  gamma_ = other.gamma_;
  inverse_log_gamma_ = other.inverse_log_gamma_;
  inverse_min_magnitude_ = other.inverse_min_magnitude_;
  span_begin_ = other.span_begin_;
  span_end_ = other.span_end_;
  std::copy(other.counts_.get() + span_begin_, other.counts_.get() + span_end_, counts_.get() + span_begin_);
  count_ = other.count_;
  min_ = other.min_;
  max_ = other.max_;
  return *this;
}

void QuantileSketch::widen(std::size_t begin, std::size_t end) {
  assert(begin < end && end <= bucket_count_);
  std::uint32_t* counts = counts_.get();
  if (span_begin_ == span_end_) {
    std::fill(counts + begin, counts + end, 0u);
    span_begin_ = begin;
    span_end_ = end;
    return;
  }
  if (begin < span_begin_) {
    std::fill(counts + begin, counts + span_begin_, 0u);
    span_begin_ = begin;
  }
  if (end > span_end_) {
    std::fill(counts + span_end_, counts + end, 0u);
    span_end_ = end;
  }
}

std::vector<std::uint32_t> QuantileSketch::bucket_counts() const {
  std::vector<std::uint32_t> all(bucket_count_, 0u);
  std::copy(counts_.get() + span_begin_, counts_.get() + span_end_,
            all.begin() + static_cast<std::ptrdiff_t>(span_begin_));
  return all;
}

void QuantileSketch::merge(const QuantileSketch& other) {
  assert(options_ == other.options_ && bucket_count_ == other.bucket_count_);
  if (other.span_begin_ < other.span_end_) {
    widen(other.span_begin_, other.span_end_);
    for (std::size_t i = other.span_begin_; i < other.span_end_; ++i) {
      assert(counts_[i] <= std::numeric_limits<std::uint32_t>::max() - other.counts_[i]);
      counts_[i] += other.counts_[i];
    }
  }
  count_ += other.count_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

void QuantileSketch::clear() {
  span_begin_ = span_end_ = 0;
  count_ = 0;
  min_ = std::numeric_limits<double>::infinity();
  max_ = -std::numeric_limits<double>::infinity();
}

void QuantileSketch::serialize(ByteWriter& out) const {
  out.write_f64(options_.relative_accuracy);
  out.write_f64(options_.min_magnitude);
  out.write_f64(options_.max_magnitude);
  out.write_varint(bucket_count_);
  out.write_u64(count_);
  out.write_f64(min_);
  out.write_f64(max_);
  const std::uint32_t* const begin = counts_.get() + span_begin_;
  const std::uint32_t* const end = counts_.get() + span_end_;
  const auto non_zero = static_cast<std::uint64_t>(std::count_if(begin, end, [](std::uint32_t c) { return c != 0; }));
  out.write_varint(non_zero);
  std::size_t next = 0;  // the gap is counted from the bucket after the previous non-zero one
  for (std::size_t i = span_begin_; i < span_end_; ++i) {
    if (counts_[i] == 0) continue;
    out.write_varint(i - next);
    out.write_varint(counts_[i]);
    next = i + 1;
  }
}

void QuantileSketch::deserialize(ByteReader& in) {
  expect_same_bits("QuantileSketch relative_accuracy", in.read_f64(), options_.relative_accuracy);
  expect_same_bits("QuantileSketch min_magnitude", in.read_f64(), options_.min_magnitude);
  expect_same_bits("QuantileSketch max_magnitude", in.read_f64(), options_.max_magnitude);
  ByteReader::expect("QuantileSketch buckets", in.read_varint(), bucket_count_);
  const std::uint64_t count = in.read_u64();
  const double min = in.read_f64();
  const double max = in.read_f64();
  const std::uint64_t non_zero = in.read_varint();
  if (non_zero > bucket_count_) throw SerializationError("QuantileSketch: more non-zero buckets than buckets");
  span_begin_ = span_end_ = 0;
  std::uint64_t total = 0;
  std::uint64_t next = 0;
  for (std::uint64_t k = 0; k < non_zero; ++k) {
    const std::uint64_t bucket = next + in.read_varint();
    const std::uint64_t bucket_count = in.read_varint();
    if (bucket >= bucket_count_ || bucket_count == 0 || bucket_count > std::numeric_limits<std::uint32_t>::max())
      throw SerializationError("QuantileSketch: a bucket or count out of range");
    widen(static_cast<std::size_t>(bucket), static_cast<std::size_t>(bucket) + 1);  // ascending: the span's end
    counts_[bucket] = static_cast<std::uint32_t>(bucket_count);
    total += bucket_count;
    next = bucket + 1;
  }
  ByteReader::expect("QuantileSketch count (sum of the buckets)", total, count);
  count_ = count;
  min_ = min;
  max_ = max;
}

std::uint64_t QuantileSketch::rank(double q, std::uint64_t n) {
  assert(q >= 0 && q <= 1 && n >= 1);
  const double nearest = std::ceil(q * static_cast<double>(n));
  const std::uint64_t k = nearest <= 1 ? 0 : static_cast<std::uint64_t>(nearest) - 1;
  return std::min(k, n - 1);
}

double QuantileSketch::representative(std::size_t bucket) const {
  const std::size_t zero = buckets_per_sign_ + 1;
  if (bucket == zero) return 0.0;
  if (bucket == 0) return min_;                    // negative overflow: the exact minimum
  if (bucket == bucket_count_ - 1) return max_;  // positive overflow: the exact maximum
  const std::size_t j = bucket < zero ? zero - 1 - bucket : bucket - zero - 1;
  const double lower_edge = options_.min_magnitude * std::pow(gamma_, static_cast<double>(j));
  const double magnitude = lower_edge * (2 * gamma_ / (1 + gamma_));  // 2·lo·hi/(lo + hi)
  return bucket < zero ? -magnitude : magnitude;
}

double QuantileSketch::quantile(double q) const {
  assert(q >= 0 && q <= 1);
  if (count_ == 0) return kNaN;
  const std::uint64_t k = rank(q, count_);
  if (k == 0) return min_;
  if (k == count_ - 1) return max_;
  std::uint64_t seen = 0;  // the buckets outside the span are empty
  for (std::size_t bucket = span_begin_; bucket < span_end_; ++bucket) {
    seen += counts_[bucket];
    if (seen > k) return std::clamp(representative(bucket), min_, max_);
  }
  assert(false && "QuantileSketch: counts do not add up to count");
  return max_;
}

// ---- TailMean ---------------------------------------------------------------------------------

namespace {
std::size_t tail_capacity(double alpha, std::uint64_t max_count) {
  assert(alpha > 0 && alpha <= 1 && max_count >= 1);
  const double exact = alpha * static_cast<double>(max_count);
  const double rounded_up = std::ceil(exact - exact * kTailCountRounding);
  return std::clamp<std::size_t>(static_cast<std::size_t>(rounded_up), 1, static_cast<std::size_t>(max_count));
}
}  // namespace

TailMean::TailMean(double alpha, std::uint64_t max_count, TailSide side)
    : alpha_(alpha), max_count_(max_count), side_(side), capacity_(tail_capacity(alpha, max_count)) {
  kept_.reserve(capacity_);
}

void TailMean::push_heap() {
  std::push_heap(kept_.begin(), kept_.end(), [this](double a, double b) { return is_worse(a, b); });
}

void TailMean::replace_heap_top(double value) {
  const auto worse = [this](double a, double b) { return is_worse(a, b); };
  std::pop_heap(kept_.begin(), kept_.end(), worse);
  kept_.back() = value;
  std::push_heap(kept_.begin(), kept_.end(), worse);
}

void TailMean::merge(const TailMean& other) {
  assert(alpha_ == other.alpha_ && max_count_ == other.max_count_ && side_ == other.side_);
  for (const double value : other.kept_) {
    if (kept_.size() < capacity_) {
      kept_.push_back(value);
      push_heap();
    } else if (is_worse(value, kept_.front())) {
      replace_heap_top(value);
    }
  }
  count_ += other.count_;
  assert(count_ <= max_count_);
}

void TailMean::clear() {
  kept_.clear();
  count_ = 0;
}

void TailMean::serialize(ByteWriter& out) const {
  out.write_f64(alpha_);
  out.write_u64(max_count_);
  out.write_varint(side_ == TailSide::kLowest ? 0 : 1);
  out.write_u64(count_);
  out.write_varint(kept_.size());
  for (const double value : kept_) out.write_f64(value);
}

void TailMean::deserialize(ByteReader& in) {
  expect_same_bits("TailMean alpha", in.read_f64(), alpha_);
  ByteReader::expect("TailMean max_count", in.read_u64(), max_count_);
  ByteReader::expect("TailMean side", in.read_varint(), side_ == TailSide::kLowest ? 0 : 1);
  const std::uint64_t count = in.read_u64();
  const std::uint64_t kept = in.read_varint();
  if (count > max_count_ || kept > capacity_ || kept > count)
    throw SerializationError("TailMean: more values than the capacity or the count");
  kept_.clear();  // capacity_ is reserved: no allocation
  for (std::uint64_t i = 0; i < kept; ++i) kept_.push_back(in.read_f64());
  count_ = count;
}

std::uint64_t TailMean::tail_count() const {
  if (count_ == 0) return 0;
  const double exact = alpha_ * static_cast<double>(count_);
  const double rounded_up = std::ceil(exact - exact * kTailCountRounding);
  return std::clamp<std::uint64_t>(static_cast<std::uint64_t>(rounded_up), 1, count_);
}

double TailMean::conditional_tail_mean() const {
  const std::uint64_t tail = tail_count();
  if (tail == 0) return kNaN;
  assert(tail <= kept_.size());
  std::vector<double> worst_first = kept_;
  std::sort(worst_first.begin(), worst_first.end(), [this](double a, double b) { return is_worse(a, b); });
  double sum = 0;
  for (std::size_t i = 0; i < tail; ++i) sum += worst_first[i];
  return sum / static_cast<double>(tail);
}

// ---- Probability, EventMonthHistogram, PairedDifference ----------------------------------------

double Probability::probability() const {
  if (trials_ == 0) return kNaN;
  return static_cast<double>(events_) / static_cast<double>(trials_);
}

double Probability::standard_error() const {
  if (trials_ == 0) return kNaN;
  const double p = probability();
  return std::sqrt(p * (1 - p) / static_cast<double>(trials_));
}

void Probability::serialize(ByteWriter& out) const {
  out.write_varint(events_);
  out.write_varint(trials_);
}

void Probability::deserialize(ByteReader& in) {
  const std::uint64_t events = in.read_varint();
  const std::uint64_t trials = in.read_varint();
  if (events > trials) throw SerializationError("Probability: more events than trials");
  events_ = events;
  trials_ = trials;
}

EventMonthHistogram::EventMonthHistogram(std::size_t months) : counts_(months, 0) { assert(months >= 1); }

void EventMonthHistogram::merge(const EventMonthHistogram& other) {
  assert(counts_.size() == other.counts_.size());
  for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  paths_ += other.paths_;
}

void EventMonthHistogram::clear() {
  std::fill(counts_.begin(), counts_.end(), std::uint64_t{0});
  paths_ = 0;
}

void EventMonthHistogram::serialize(ByteWriter& out) const {
  out.write_varint(counts_.size());
  out.write_varint(paths_);
  for (const std::uint64_t c : counts_) out.write_varint(c);
}

void EventMonthHistogram::deserialize(ByteReader& in) {
  ByteReader::expect("EventMonthHistogram months", in.read_varint(), counts_.size());
  paths_ = in.read_varint();
  for (std::uint64_t& c : counts_) c = in.read_varint();
}

Probability EventMonthHistogram::cumulative(std::size_t month) const {
  assert(month < counts_.size());
  std::uint64_t events = 0;
  for (std::size_t i = 0; i <= month; ++i) events += counts_[i];
  return Probability(events, paths_);
}

ConfidenceInterval PairedDifference::confidence_interval_95() const {
  const double mean = difference_.mean();
  const double half_width = kNormalQuantile975 * difference_.standard_error();
  return {mean - half_width, mean + half_width};
}

void PairedDifference::serialize(ByteWriter& out) const {
  difference_.serialize(out);
  candidate_wins_.serialize(out);
}

void PairedDifference::deserialize(ByteReader& in) {
  difference_.deserialize(in);
  candidate_wins_.deserialize(in);
}

void PairedDifferences::merge(const PairedDifferences& other) {
  assert(other.pairs_.size() == pairs_.size());
  for (std::size_t t = 0; t < pairs_.size(); ++t) pairs_[t].merge(other.pairs_[t]);
}

void PairedDifferences::clear() {
  for (PairedDifference& pair : pairs_) pair.clear();
}

void PairedDifferences::serialize(ByteWriter& out) const {
  out.write_u64(pairs_.size());
  for (const PairedDifference& pair : pairs_) pair.serialize(out);
}

void PairedDifferences::deserialize(ByteReader& in) {
  ByteReader::expect("PairedDifferences count", in.read_u64(), pairs_.size());
  for (PairedDifference& pair : pairs_) pair.deserialize(in);
}

// ---- MonthlySeries ----------------------------------------------------------------------------

namespace {
std::size_t checked_cells(const MonthlySeriesShape& shape) {
  assert(shape.strategies >= 1 && shape.months >= 1 && shape.series >= 1);
  return shape.strategies * shape.months * shape.series;
}
}  // namespace

MonthlySeries::MonthlySeries(const MonthlySeriesShape& shape, const QuantileSketchOptions& options)
    : shape_(shape), sketches_(checked_cells(shape), QuantileSketch(options)), moments_(sketches_.size()) {}

void MonthlySeries::merge(const MonthlySeries& other) {
  assert(shape_ == other.shape_);
  for (std::size_t i = 0; i < sketches_.size(); ++i) {
    sketches_[i].merge(other.sketches_[i]);
    moments_[i].merge(other.moments_[i]);
  }
}

void MonthlySeries::clear() {
  for (auto& sketch : sketches_) sketch.clear();
  for (auto& moments : moments_) moments.clear();
}

void MonthlySeries::serialize(ByteWriter& out) const {
  out.write_varint(shape_.strategies);
  out.write_varint(shape_.months);
  out.write_varint(shape_.series);
  for (std::size_t i = 0; i < sketches_.size(); ++i) {
    sketches_[i].serialize(out);
    moments_[i].serialize(out);
  }
}

void MonthlySeries::deserialize(ByteReader& in) {
  ByteReader::expect("MonthlySeries strategies", in.read_varint(), shape_.strategies);
  ByteReader::expect("MonthlySeries months", in.read_varint(), shape_.months);
  ByteReader::expect("MonthlySeries series", in.read_varint(), shape_.series);
  for (std::size_t i = 0; i < sketches_.size(); ++i) {
    sketches_[i].deserialize(in);
    moments_[i].deserialize(in);
  }
}

}  // namespace hashpivot::stats

namespace hashpivot::stats {

ControlledMean::ControlledMean(std::span<const double> control_means) : controls_(control_means.size()) {
  assert(control_means.size() <= kMaxControls);
  for (std::size_t i = 0; i < controls_; ++i) control_means_[i] = control_means[i];
}

void ControlledMean::add(double y, std::span<const double> x) {
  assert(x.size() == controls_ && !std::isnan(y));
  std::array<double, kValues> value{};
  value[0] = y;
  for (std::size_t i = 0; i < controls_; ++i) value[1 + i] = x[i];
  ++count_;
  const double n = static_cast<double>(count_);
  std::array<double, kValues> before{};  // v − the old mean
  for (std::size_t i = 0; i <= controls_; ++i) {
    before[i] = value[i] - mean_[i];
    mean_[i] += before[i] / n;
  }
  for (std::size_t i = 0; i <= controls_; ++i)
    for (std::size_t j = 0; j <= controls_; ++j) comoment_[i * kValues + j] += before[i] * (value[j] - mean_[j]);
}

void ControlledMean::merge(const ControlledMean& other) {
  assert(controls_ == other.controls_);
  if (other.count_ == 0) return;
  if (count_ == 0) {
    *this = other;
    return;
  }
  const double count_a = static_cast<double>(count_);
  const double count_b = static_cast<double>(other.count_);
  const double count_total = count_a + count_b;
  std::array<double, kValues> delta{};
  for (std::size_t i = 0; i <= controls_; ++i) delta[i] = other.mean_[i] - mean_[i];
  for (std::size_t i = 0; i <= controls_; ++i)
    for (std::size_t j = 0; j <= controls_; ++j)
      comoment_[i * kValues + j] +=
          other.comoment_[i * kValues + j] + delta[i] * delta[j] * (count_a * count_b / count_total);
  for (std::size_t i = 0; i <= controls_; ++i) mean_[i] += delta[i] * (count_b / count_total);
  count_ += other.count_;
}

void ControlledMean::clear() {
  count_ = 0;
  mean_ = {};
  comoment_ = {};
}

void ControlledMean::serialize(ByteWriter& out) const {
  out.write_varint(controls_);
  for (std::size_t i = 0; i < controls_; ++i) out.write_f64(control_means_[i]);
  out.write_u64(count_);
  for (const double m : mean_) out.write_f64(m);
  for (const double c : comoment_) out.write_f64(c);
}

void ControlledMean::deserialize(ByteReader& in) {
  ByteReader::expect("ControlledMean controls", in.read_varint(), controls_);
  for (std::size_t i = 0; i < controls_; ++i)
    ByteReader::expect("ControlledMean control mean", in.read_u64(), std::bit_cast<std::uint64_t>(control_means_[i]));
  count_ = in.read_u64();
  for (double& m : mean_) m = in.read_f64();
  for (double& c : comoment_) c = in.read_f64();
}

double ControlledMean::plain_mean() const { return count_ == 0 ? kNaN : mean_[0]; }

double ControlledMean::plain_standard_error() const {
  if (count_ < 2) return kNaN;
  const double n = static_cast<double>(count_);
  return std::sqrt(comoment(0, 0) / (n - 1) / n);
}

namespace {

/// The Cholesky factor of a k × k symmetric matrix (row-major, k ≤ 3) over the rows and columns in
/// `used`, built in order; a row whose pivot is ≤ 1e−12 of its diagonal is dropped from `used`.
template <std::size_t N>
std::array<double, N * N> cholesky_dropping_collinear(const std::array<double, N * N>& a, std::array<bool, N>& used) {
  std::array<double, N * N> lower{};
  for (std::size_t i = 0; i < N; ++i) {
    if (!used[i]) continue;
    for (std::size_t j = 0; j < i; ++j) {
      if (!used[j]) continue;
      double sum = a[i * N + j];
      for (std::size_t k = 0; k < j; ++k)
        if (used[k]) sum -= lower[i * N + k] * lower[j * N + k];
      lower[i * N + j] = sum / lower[j * N + j];
    }
    double pivot = a[i * N + i];
    for (std::size_t k = 0; k < i; ++k)
      if (used[k]) pivot -= lower[i * N + k] * lower[i * N + k];
    if (!(pivot > 1e-12 * a[i * N + i])) {
      used[i] = false;
      for (std::size_t k = 0; k < i; ++k) lower[i * N + k] = 0;
      continue;
    }
    lower[i * N + i] = std::sqrt(pivot);
  }
  return lower;
}

}  // namespace

std::array<double, ControlledMean::kMaxControls * ControlledMean::kMaxControls> ControlledMean::control_comoments() const {
  // S_xx is symmetric in exact arithmetic; Welford's update makes S_ij and S_ji differ in the last
  // bits, so the lower triangle (S_ij, i ≥ j) is read for both.
  std::array<double, kMaxControls * kMaxControls> sxx{};
  for (std::size_t i = 0; i < kMaxControls; ++i)
    for (std::size_t j = 0; j < kMaxControls; ++j)
      sxx[i * kMaxControls + j] = i >= j ? comoment(1 + i, 1 + j) : comoment(1 + j, 1 + i);
  return sxx;
}

std::array<bool, ControlledMean::kMaxControls> ControlledMean::used_controls() const {
  std::array<bool, kMaxControls> used{};
  if (count_ < 2) return used;
  for (std::size_t i = 0; i < controls_; ++i) used[i] = comoment(1 + i, 1 + i) > 0;
  (void)cholesky_dropping_collinear<kMaxControls>(control_comoments(), used);
  return used;
}

std::array<double, ControlledMean::kMaxControls> ControlledMean::coefficients() const {
  std::array<double, kMaxControls> beta{};
  if (count_ < 2) return beta;
  std::array<bool, kMaxControls> used{};
  for (std::size_t i = 0; i < controls_; ++i) used[i] = comoment(1 + i, 1 + i) > 0;
  const std::array<double, kMaxControls * kMaxControls> lower =
      cholesky_dropping_collinear<kMaxControls>(control_comoments(), used);
  // L Lᵀ β = S_xy: forward, then back substitution over the used controls.
  std::array<double, kMaxControls> forward{};
  for (std::size_t i = 0; i < kMaxControls; ++i) {
    if (!used[i]) continue;
    double sum = comoment(0, 1 + i);
    for (std::size_t k = 0; k < i; ++k)
      if (used[k]) sum -= lower[i * kMaxControls + k] * forward[k];
    forward[i] = sum / lower[i * kMaxControls + i];
  }
  for (std::size_t i = kMaxControls; i-- > 0;) {
    if (!used[i]) continue;
    double sum = forward[i];
    for (std::size_t k = i + 1; k < kMaxControls; ++k)
      if (used[k]) sum -= lower[k * kMaxControls + i] * beta[k];
    beta[i] = sum / lower[i * kMaxControls + i];
  }
  return beta;
}

double ControlledMean::estimate() const {
  if (count_ == 0) return kNaN;
  const std::array<double, kMaxControls> beta = coefficients();
  double value = mean_[0];
  for (std::size_t i = 0; i < controls_; ++i) value -= beta[i] * (mean_[1 + i] - control_means_[i]);
  return value;
}

double ControlledMean::standard_error() const {
  const std::array<bool, kMaxControls> used = used_controls();
  const auto k = static_cast<std::uint64_t>(std::count(used.begin(), used.end(), true));
  if (count_ < 2 + k) return kNaN;
  const std::array<double, kMaxControls> beta = coefficients();
  double residual = comoment(0, 0);
  for (std::size_t i = 0; i < controls_; ++i) residual -= beta[i] * comoment(0, 1 + i);
  const double n = static_cast<double>(count_);
  return std::sqrt(std::max(0.0, residual) / (n - 1 - static_cast<double>(k)) / n);
}

}  // namespace hashpivot::stats
