#include "hashpivot/engine/statistics.hpp"

#include <algorithm>
#include <functional>
#include <stdexcept>

namespace hashpivot::engine {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}  // namespace

// ---- Moments ----------------------------------------------------------------------------------

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
  if (!(epsilon > 0 && epsilon < 0.5))
    throw std::invalid_argument("QuantileSketch: relative_accuracy must be in (0, 0.5)");
  if (!(options.min_magnitude > 0 && options.min_magnitude < options.max_magnitude &&
        std::isfinite(options.max_magnitude)))
    throw std::invalid_argument("QuantileSketch: need 0 < min_magnitude < max_magnitude < infinity");
  gamma_ = (1 + epsilon) / (1 - epsilon);
  const double log_gamma = std::log(gamma_);
  inverse_log_gamma_ = 1 / log_gamma;
  inverse_min_magnitude_ = 1 / options.min_magnitude;
  const double decades = std::log(options.max_magnitude / options.min_magnitude) / log_gamma;
  if (decades > 1e7) throw std::invalid_argument("QuantileSketch: more than 1e7 buckets per sign");
  buckets_per_sign_ = static_cast<std::size_t>(std::ceil(decades));
  counts_.assign(2 * buckets_per_sign_ + 3, 0);
}

void QuantileSketch::merge(const QuantileSketch& other) {
  assert(options_ == other.options_ && counts_.size() == other.counts_.size());
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    assert(counts_[i] <= std::numeric_limits<std::uint32_t>::max() - other.counts_[i]);
    counts_[i] += other.counts_[i];
  }
  count_ += other.count_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

void QuantileSketch::clear() {
  std::fill(counts_.begin(), counts_.end(), 0u);
  count_ = 0;
  min_ = std::numeric_limits<double>::infinity();
  max_ = -std::numeric_limits<double>::infinity();
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
  if (bucket == counts_.size() - 1) return max_;  // positive overflow: the exact maximum
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
  std::uint64_t seen = 0;
  for (std::size_t bucket = 0; bucket < counts_.size(); ++bucket) {
    seen += counts_[bucket];
    if (seen > k) return std::clamp(representative(bucket), min_, max_);
  }
  assert(false && "QuantileSketch: counts do not add up to count");
  return max_;
}

// ---- TailMean ---------------------------------------------------------------------------------

namespace {
std::size_t tail_capacity(double alpha, std::uint64_t max_count) {
  if (!(alpha > 0 && alpha <= 1)) throw std::invalid_argument("TailMean: alpha must be in (0, 1]");
  if (max_count == 0) throw std::invalid_argument("TailMean: max_count must be at least 1");
  const double exact = alpha * static_cast<double>(max_count);
  const double rounded_up = std::ceil(exact - exact * 1e-12);
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

std::uint64_t TailMean::tail_count() const {
  if (count_ == 0) return 0;
  const double exact = alpha_ * static_cast<double>(count_);
  const double rounded_up = std::ceil(exact - exact * 1e-12);
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

EventMonthHistogram::EventMonthHistogram(std::size_t months) : counts_(months, 0) {
  if (months == 0) throw std::invalid_argument("EventMonthHistogram: months must be at least 1");
}

void EventMonthHistogram::merge(const EventMonthHistogram& other) {
  assert(counts_.size() == other.counts_.size());
  for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  paths_ += other.paths_;
}

void EventMonthHistogram::clear() {
  std::fill(counts_.begin(), counts_.end(), std::uint64_t{0});
  paths_ = 0;
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

// ---- MonthlySeries ----------------------------------------------------------------------------

namespace {
std::size_t checked_cells(const MonthlySeriesShape& shape) {
  if (shape.strategies == 0 || shape.months == 0 || shape.series == 0)
    throw std::invalid_argument("MonthlySeries: strategies, months and series must be at least 1");
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

}  // namespace hashpivot::engine
