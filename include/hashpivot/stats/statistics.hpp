#pragma once
// Mergeable statistics for `hashpivot run`: accumulated as Monte Carlo paths finish, per thread,
// then merged, in memory that does not grow with the number of paths (except TailMean, bounded by
// α·N doubles, and fixed at construction).
//
// THE MERGE RULE (bit-identical results whatever the number of threads or MPI ranks):
//   1. Paths are cut into blocks of a fixed size B chosen by the run, not by the machine:
//      block k holds paths [k·B, (k+1)·B) (the last block may be shorter).
//   2. Each block is accumulated into a fresh (or clear()ed) accumulator, by one worker, adding the
//      paths in ascending path order.
//   3. Blocks are grouped into chunks of a fixed number C of blocks (chunk c holds blocks
//      [c·C, (c+1)·C)). A chunk's result is an empty accumulator into which its blocks are merged
//      in ascending block order: chunk = (((∅ ⊕ b0) ⊕ b1) ⊕ b2) …
//   4. The run's result is an empty accumulator into which the chunk results are merged in
//      ascending chunk order: total = ((∅ ⊕ c0) ⊕ c1) …  A worker that finishes block k early
//      holds it until the blocks before it are merged; MPI ranks serialize their chunks and send
//      them to the root, which merges them in chunk order. The tree depends on B and C only, so
//      every number of threads and ranks gives the same bits.
// Floating-point sums are not associative, so this rule is what makes Moments (and everything
// containing Moments) reproducible to the bit. QuantileSketch, TailMean, Probability and
// EventMonthHistogram are stronger: their state is integer counts or a sorted multiset, so any
// add/merge order gives the same bits; they are safe to accumulate per worker across blocks.
// Results also assume one binary and one libm (QuantileSketch buckets use std::log).
//
// Every type is a value type with merge(const T&) and clear(); nothing is virtual; add() never
// allocates (storage is sized at construction). Values passed to add() must not be NaN (unknown
// values are the caller's to skip or count); this is asserted.
//
// SERIALIZATION (to send a chunk's statistics from one MPI rank to another): serialize(ByteWriter&)
// writes the exact state (counts as integers, doubles as their IEEE-754 bit patterns, the sketch's
// non-zero counters, the tail's kept values in their heap order), and deserialize(ByteReader&)
// replaces the state of an object built with the same shape (options, months, α, max_count) with
// it, so that  deserialize(serialize(x)) has the same bits as x  and merges after the round trip
// equal merges before it. A shape that differs from the receiver's, or bytes that end early,
// throw SerializationError. The bytes are the same on every platform (little-endian).

#include <array>
#include <bit>
#include <cassert>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hashpivot::stats {

/// z such that Φ(z) = 0.975 (≈ 1.96): the half-width, in standard errors, of a two-sided 95%
/// normal-approximation confidence interval.
inline constexpr double kNormalQuantile975 = 1.959963984540054;

/// Serialized statistics that do not match the object they are read into (another shape, another
/// format version, or too few bytes): a sign of ranks running different binaries or inputs.
class SerializationError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Appends values to a byte buffer: fixed 8-byte little-endian integers, doubles as the 8 bytes of
/// their bit pattern (NaN payloads, ±0 and ±∞ survive), and unsigned LEB128 varints (1 byte per 7
/// bits) for counts that are usually small.
class ByteWriter {
 public:
  void write_u64(std::uint64_t value) {
    for (int i = 0; i < 8; ++i) bytes_.push_back(static_cast<std::byte>((value >> (8 * i)) & 0xffu));
  }
  void write_f64(double value) { write_u64(std::bit_cast<std::uint64_t>(value)); }
  void write_varint(std::uint64_t value) {
    while (value >= 0x80u) {
      bytes_.push_back(static_cast<std::byte>((value & 0x7fu) | 0x80u));
      value >>= 7;
    }
    bytes_.push_back(static_cast<std::byte>(value));
  }
  /// A varint length, then the characters.
  void write_string(std::string_view text) {
    write_varint(text.size());
    for (const char c : text) bytes_.push_back(static_cast<std::byte>(c));
  }
  [[nodiscard]] const std::vector<std::byte>& bytes() const { return bytes_; }
  /// Empties the buffer, keeping its capacity for the next message.
  void clear() { bytes_.clear(); }

 private:
  std::vector<std::byte> bytes_;
};

/// Reads what ByteWriter wrote, in the same order. Every read throws SerializationError when the
/// bytes end early.
class ByteReader {
 public:
  explicit ByteReader(std::span<const std::byte> bytes) : bytes_(bytes) {}
  [[nodiscard]] std::uint64_t read_u64();
  [[nodiscard]] double read_f64() { return std::bit_cast<double>(read_u64()); }
  [[nodiscard]] std::uint64_t read_varint();
  [[nodiscard]] std::string read_string();
  /// Throws SerializationError("<what>: serialized <actual>, expected <expected>") unless equal.
  static void expect(std::string_view what, std::uint64_t actual, std::uint64_t expected);
  [[nodiscard]] bool at_end() const { return position_ == bytes_.size(); }

 private:
  [[nodiscard]] std::byte next();
  std::span<const std::byte> bytes_;
  std::size_t position_ = 0;
};

/// A closed interval [lower, upper] in the units of the statistic it bounds.
struct ConfidenceInterval {
  double lower;
  double upper;
  [[nodiscard]] bool contains(double value) const { return lower <= value && value <= upper; }
};

/// Count, mean, sum of squared deviations (M2), min and max of a stream of values; Welford's update
/// for add, Chan, Golub & LeVeque's pairwise formula for merge. Units are the values' units
/// (variance: units²). Merge order matters to the last bit: follow the block rule above.
class Moments {
 public:
  /// Welford: n += 1; δ = x − mean; mean += δ/n; M2 += δ·(x − mean).
  void add(double value) {
    assert(!std::isnan(value));
    ++count_;
    const double delta = value - mean_;
    mean_ += delta / static_cast<double>(count_);
    m2_ += delta * (value - mean_);
    if (value < min_) min_ = value;
    if (value > max_) max_ = value;
  }
  /// Chan et al.: δ = mean_b − mean_a; mean = mean_a + δ·n_b/n; M2 = M2_a + M2_b + δ²·n_a·n_b/n.
  /// Merging into an empty Moments copies `other` exactly; merging an empty one changes nothing.
  void merge(const Moments& other);
  void clear() { *this = Moments{}; }
  /// The exact state: count, mean, M2, min, max (see SERIALIZATION above).
  void serialize(ByteWriter& out) const;
  void deserialize(ByteReader& in);

  [[nodiscard]] std::uint64_t count() const { return count_; }
  /// NaN when empty.
  [[nodiscard]] double mean() const { return count_ == 0 ? std::numeric_limits<double>::quiet_NaN() : mean_; }
  /// Σ(x − mean)²; 0 when empty.
  [[nodiscard]] double sum_squared_deviations() const { return m2_; }
  /// Sample variance M2/(n − 1) (unbiased); NaN when n < 2.
  [[nodiscard]] double variance() const;
  /// √variance; NaN when n < 2.
  [[nodiscard]] double standard_deviation() const { return std::sqrt(variance()); }
  /// Standard error of the mean, √(variance/n); NaN when n < 2.
  [[nodiscard]] double standard_error() const;
  /// Exact min and max seen; +∞ and −∞ when empty.
  [[nodiscard]] double min() const { return min_; }
  [[nodiscard]] double max() const { return max_; }

 private:
  std::uint64_t count_ = 0;
  double mean_ = 0;
  double m2_ = 0;
  double min_ = std::numeric_limits<double>::infinity();
  double max_ = -std::numeric_limits<double>::infinity();
};

/// The shape of a QuantileSketch, fixed at construction; two sketches merge only if equal.
struct QuantileSketchOptions {
  /// ε: the bound on the relative error of a quantile (see QuantileSketch). In (0, 0.5).
  double relative_accuracy = 0.01;
  /// Magnitudes below this share one "zero" bucket, estimated as 0 (absolute error < this).
  double min_magnitude = 1e-2;
  /// Magnitudes above this share one overflow bucket per sign (estimate: the exact min or max).
  double max_magnitude = 1e12;
  friend bool operator==(const QuantileSketchOptions&, const QuantileSketchOptions&) = default;
};

/// A fixed, signed, log-spaced histogram (as in DDSketch, Masson et al. 2019, without collapsing):
/// with γ = (1 + ε)/(1 − ε), bucket j of each sign holds magnitudes in
/// [min_magnitude·γ^j, min_magnitude·γ^(j+1)), j = 0 … J − 1, J = ⌈ln(max/min)/ln γ⌉; plus a zero
/// bucket (|x| < min_magnitude) and an overflow bucket per sign (|x| ≥ min_magnitude·γ^J). Each
/// bucket is represented by the point 2·lo·hi/(lo + hi), whose distance to any value of the bucket
/// is at most ε times that value.
///
/// Quantile definition: for q ∈ [0, 1] and N values sorted x₍₀₎ ≤ … ≤ x₍N−1₎, the q-quantile is
/// x₍k₎ with k = rank(q, N) = max(0, ⌈q·N⌉ − 1) (the nearest-rank definition; q = 0 is the min,
/// q = 1 the max).
///
/// ERROR BOUND: counts are exact, so the sketch finds the bucket of x₍k₎ exactly, and
///   |quantile(q) − x₍k₎| ≤ ε·|x₍k₎| + min_magnitude      whenever |x₍k₎| < min_magnitude·γ^J
/// (≥ max_magnitude), up to a few ulps of std::log at bucket edges. Estimates are clamped to the
/// exact [min, max] seen, and k = 0 and k = N − 1 return the exact min and max; for x₍k₎ in an
/// overflow bucket the estimate lies between max_magnitude and the exact extreme of that sign.
///
/// Memory: 2·J + 3 counters of 4 bytes, allocated at construction and fixed by the options, not the
/// count (defaults, ε = 1 % over [1e-2, 1e12]: J = 1612, 3227 buckets, 12.6 KiB). Only the span from
/// the lowest to the highest bucket reached is initialized and kept up to date, so a copy, a merge
/// and clear() cost the span (a month's values over a run reach tens to hundreds of buckets), not
/// every bucket, and the pages beyond it are never touched. At most 2³²−1 values per bucket
/// (asserted). The state is integer counts plus exact min/max, so add and merge are exactly
/// order-independent.
class QuantileSketch {
 public:
  /// Preconditions (asserted): 0 < ε < 0.5 and 0 < min_magnitude < max_magnitude < ∞.
  explicit QuantileSketch(const QuantileSketchOptions& options = {});
  /// A copy allocates its own counters and copies the span.
  QuantileSketch(const QuantileSketch& other);
  QuantileSketch& operator=(const QuantileSketch& other);
  QuantileSketch(QuantileSketch&&) noexcept = default;
  QuantileSketch& operator=(QuantileSketch&&) noexcept = default;
  ~QuantileSketch() = default;

  void add(double value) {
    assert(!std::isnan(value));
    const std::size_t bucket = bucket_of(value);
    if (bucket < span_begin_ || bucket >= span_end_) widen(bucket, bucket + 1);
    assert(counts_[bucket] < std::numeric_limits<std::uint32_t>::max());
    ++counts_[bucket];
    ++count_;
    if (value < min_) min_ = value;
    if (value > max_) max_ = value;
  }
  /// Adds the other's counts. Asserts that both have the same options.
  void merge(const QuantileSketch& other);
  /// Empties the sketch, keeping its storage (no counter is touched: the span becomes empty).
  void clear();
  /// Options, count, min, max and the non-zero counters as (gap, count) varints. deserialize
  /// throws SerializationError unless the options equal this sketch's; it does not allocate.
  void serialize(ByteWriter& out) const;
  void deserialize(ByteReader& in);

  /// The nearest-rank q-quantile estimate (see the class comment); q ∈ [0, 1]; NaN when empty.
  [[nodiscard]] double quantile(double q) const;
  /// k = max(0, ⌈q·N⌉ − 1), the 0-based rank of the q-quantile among n ≥ 1 values.
  [[nodiscard]] static std::uint64_t rank(double q, std::uint64_t n);

  [[nodiscard]] std::uint64_t count() const { return count_; }
  [[nodiscard]] double min() const { return min_; }
  [[nodiscard]] double max() const { return max_; }
  [[nodiscard]] const QuantileSketchOptions& options() const { return options_; }
  /// Number of counters (2·J + 3); fixed at construction.
  [[nodiscard]] std::size_t bucket_count() const { return bucket_count_; }
  /// Every counter, ordered from the most negative bucket to the most positive (a copy).
  [[nodiscard]] std::vector<std::uint32_t> bucket_counts() const;
  /// The buckets kept up to date: from the lowest to the highest reached since the last clear (0: none).
  [[nodiscard]] std::size_t span() const { return span_end_ - span_begin_; }

 private:
  // Layout, ascending in value: [0] negative overflow, [1 … J] negative buckets J−1 … 0,
  // [J + 1] zero, [J + 2 … 2J + 1] positive buckets 0 … J−1, [2J + 2] positive overflow.
  [[nodiscard]] std::size_t bucket_of(double value) const {
    const double magnitude = std::fabs(value);
    const std::size_t zero = buckets_per_sign_ + 1;
    if (magnitude < options_.min_magnitude) return zero;
    const double position = std::log(magnitude * inverse_min_magnitude_) * inverse_log_gamma_;
    // position ≥ 0 up to rounding; anything at or past J goes to the overflow bucket.
    const std::size_t j = position < static_cast<double>(buckets_per_sign_)
                              ? static_cast<std::size_t>(position < 0 ? 0.0 : position)
                              : buckets_per_sign_;
    return value < 0 ? zero - 1 - j : zero + 1 + j;
  }
  [[nodiscard]] double representative(std::size_t bucket) const;
  /// Extends the span to cover buckets [begin, end), zeroing the counters it adds.
  void widen(std::size_t begin, std::size_t end);

  QuantileSketchOptions options_;
  std::size_t buckets_per_sign_ = 0;  // J
  std::size_t bucket_count_ = 0;      // 2·J + 3
  double gamma_ = 0;
  double inverse_log_gamma_ = 0;
  double inverse_min_magnitude_ = 0;
  // bucket_count_ counters, of which only [span_begin_, span_end_) hold values (the rest are
  // uninitialized: never read).
  std::unique_ptr<std::uint32_t[]> counts_;
  std::size_t span_begin_ = 0;
  std::size_t span_end_ = 0;
  std::uint64_t count_ = 0;
  double min_ = std::numeric_limits<double>::infinity();
  double max_ = -std::numeric_limits<double>::infinity();
};

/// Which end of the distribution is the bad one for TailMean.
enum class TailSide { kLowest, kHighest };

/// Conditional value at risk, exactly: the mean of the worst K = ⌈α·N⌉ of N values (the lowest for
/// TailSide::kLowest, e.g. NPV in USD; the highest for kHighest, e.g. losses). Keeps the worst
/// C = ⌈α·max_count⌉ values seen in a bounded heap, preallocated at construction: memory is
/// 8·C bytes (α = 5 %, max_count = 10⁶: 50 000 doubles, 400 kB), and N must not exceed max_count
/// (asserted). The kept set is the exact multiset of the worst min(N, C) values, so add and merge
/// are order-independent and the result is bit-identical however the paths were split.
class TailMean {
 public:
  /// Preconditions (asserted): 0 < α ≤ 1 and max_count ≥ 1.
  TailMean(double alpha, std::uint64_t max_count, TailSide side = TailSide::kLowest);

  void add(double value) {
    assert(!std::isnan(value));
    ++count_;
    assert(count_ <= max_count_);
    if (kept_.size() < capacity_) {
      kept_.push_back(value);
      push_heap();
    } else if (capacity_ > 0 && is_worse(value, kept_.front())) {
      replace_heap_top(value);
    }
  }
  /// Merges the other's kept values. Asserts equal α, max_count and side.
  void merge(const TailMean& other);
  void clear();
  /// α, max_count, side, count and the kept values in heap order. deserialize throws
  /// SerializationError unless α, max_count and side equal this one's; it does not allocate.
  void serialize(ByteWriter& out) const;
  void deserialize(ByteReader& in);

  /// K = ⌈α·N⌉ (≥ 1 when N ≥ 1), with α·N that is an integer up to the rounding of α counted as
  /// that integer (relative tolerance 1e-12).
  [[nodiscard]] std::uint64_t tail_count() const;
  /// The mean of the worst K values, summed from the worst towards the K-th; NaN when empty.
  /// Sorts a copy of the kept values (allocates; not for the hot path).
  [[nodiscard]] double conditional_tail_mean() const;

  [[nodiscard]] std::uint64_t count() const { return count_; }
  [[nodiscard]] double alpha() const { return alpha_; }
  [[nodiscard]] TailSide side() const { return side_; }
  /// C = ⌈α·max_count⌉: the most values kept.
  [[nodiscard]] std::size_t capacity() const { return capacity_; }
  /// The kept values (the worst ones seen, at most capacity()), in heap order, not sorted.
  [[nodiscard]] const std::vector<double>& kept_values() const { return kept_; }

 private:
  [[nodiscard]] bool is_worse(double a, double b) const { return side_ == TailSide::kLowest ? a < b : a > b; }
  void push_heap();
  void replace_heap_top(double value);

  double alpha_;
  std::uint64_t max_count_;
  TailSide side_;
  std::size_t capacity_;
  std::uint64_t count_ = 0;
  std::vector<double> kept_;  // a heap whose top (front) is the least bad kept value
};

/// An event frequency: events/trials, e.g. the probability of default over paths.
class Probability {
 public:
  Probability() = default;
  /// From known counts; events ≤ trials (asserted).
  Probability(std::uint64_t events, std::uint64_t trials) : events_(events), trials_(trials) {
    assert(events <= trials);
  }

  void add(bool event) {
    ++trials_;
    if (event) ++events_;
  }
  void merge(const Probability& other) {
    trials_ += other.trials_;
    events_ += other.events_;
  }
  void clear() { *this = Probability{}; }
  void serialize(ByteWriter& out) const;
  void deserialize(ByteReader& in);

  [[nodiscard]] std::uint64_t events() const { return events_; }
  [[nodiscard]] std::uint64_t trials() const { return trials_; }
  /// p = events/trials; NaN when there are no trials.
  [[nodiscard]] double probability() const;
  /// Binomial standard error √(p(1 − p)/n); NaN when there are no trials.
  [[nodiscard]] double standard_error() const;

 private:
  std::uint64_t events_ = 0;
  std::uint64_t trials_ = 0;
};

/// The distribution of the month of an event (e.g. default) over paths: a count per month
/// 0 … months − 1 and a count of paths without the event. Counts only, so order-independent.
class EventMonthHistogram {
 public:
  /// Precondition (asserted): months ≥ 1.
  explicit EventMonthHistogram(std::size_t months);

  /// A path whose event happened in `month` (< months(), asserted).
  void add_event(std::size_t month) {
    assert(month < counts_.size());
    ++counts_[month];
    ++paths_;
  }
  /// A path without the event.
  void add_no_event() { ++paths_; }
  /// Asserts equal month counts.
  void merge(const EventMonthHistogram& other);
  void clear();
  /// deserialize throws SerializationError unless the month counts are equal.
  void serialize(ByteWriter& out) const;
  void deserialize(ByteReader& in);

  [[nodiscard]] std::size_t months() const { return counts_.size(); }
  [[nodiscard]] std::uint64_t paths() const { return paths_; }
  [[nodiscard]] std::uint64_t events_in_month(std::size_t month) const { return counts_.at(month); }
  [[nodiscard]] const std::vector<std::uint64_t>& counts() const { return counts_; }
  /// The probability that the event happened by the end of `month` (inclusive), with its
  /// binomial standard error.
  [[nodiscard]] Probability cumulative(std::size_t month) const;
  /// The probability of the event over the whole horizon.
  [[nodiscard]] Probability total() const { return cumulative(counts_.size() - 1); }

 private:
  std::vector<std::uint64_t> counts_;
  std::uint64_t paths_ = 0;
};

/// Strategy k against the baseline strategy 0 on the same paths (common random numbers): Moments of
/// the per-path difference candidate − baseline (in the metric's units), and how often the
/// candidate is strictly larger. Larger is taken as better; for a metric where smaller is better
/// (a loss), pass the values negated.
class PairedDifference {
 public:
  void add(double candidate, double baseline) {
    difference_.add(candidate - baseline);
    candidate_wins_.add(candidate > baseline);
  }
  /// An antithetic pair of paths (a, b) as one unit: the difference's Moments get the mean of the
  /// pair's two differences (the pair's paths are not independent, the pairs are), the wins count
  /// each path.
  void add_pair(double candidate_a, double baseline_a, double candidate_b, double baseline_b) {
    difference_.add(0.5 * ((candidate_a - baseline_a) + (candidate_b - baseline_b)));
    candidate_wins_.add(candidate_a > baseline_a);
    candidate_wins_.add(candidate_b > baseline_b);
  }
  void merge(const PairedDifference& other) {
    difference_.merge(other.difference_);
    candidate_wins_.merge(other.candidate_wins_);
  }
  void clear() { *this = PairedDifference{}; }
  void serialize(ByteWriter& out) const;
  void deserialize(ByteReader& in);

  [[nodiscard]] const Moments& difference() const { return difference_; }
  /// mean ± 1.96·SE of the difference (normal approximation); NaN bounds when n < 2.
  [[nodiscard]] ConfidenceInterval confidence_interval_95() const;
  /// Fraction of paths with candidate > baseline (ties count as not winning), with its SE.
  [[nodiscard]] const Probability& candidate_wins() const { return candidate_wins_; }

 private:
  Moments difference_;
  Probability candidate_wins_;
};

/// A PairedDifference of one strategy against each strategy of a run (entry t: this strategy's
/// value − strategy t's, on the same path; its own entry sees zeros), so that any two strategies
/// can be compared on common random numbers, not only against the first. Sized at construction;
/// add() does not allocate. Contains Moments: merge by the block rule.
class PairedDifferences {
 public:
  explicit PairedDifferences(std::size_t strategies = 0) : pairs_(strategies) {}
  /// Adds one path: `candidate` is this strategy's value, `baselines[t]` strategy t's (size() of them).
  void add(double candidate, std::span<const double> baselines) {
    assert(baselines.size() == pairs_.size());
    for (std::size_t t = 0; t < pairs_.size(); ++t) pairs_[t].add(candidate, baselines[t]);
  }
  /// An antithetic pair of paths (a, b) as one unit (PairedDifference::add_pair).
  void add_pair(double candidate_a, std::span<const double> baselines_a, double candidate_b,
                std::span<const double> baselines_b) {
    assert(baselines_a.size() == pairs_.size() && baselines_b.size() == pairs_.size());
    for (std::size_t t = 0; t < pairs_.size(); ++t)
      pairs_[t].add_pair(candidate_a, baselines_a[t], candidate_b, baselines_b[t]);
  }
  void merge(const PairedDifferences& other);
  void clear();
  void serialize(ByteWriter& out) const;
  /// Throws SerializationError unless the serialized count equals size().
  void deserialize(ByteReader& in);

  [[nodiscard]] std::size_t size() const { return pairs_.size(); }
  /// This strategy against strategy `baseline` (< size()).
  [[nodiscard]] const PairedDifference& against(std::size_t baseline) const { return pairs_.at(baseline); }

 private:
  std::vector<PairedDifference> pairs_;
};

/// The mean of Y estimated with up to kMaxControls control variates X whose means μ are known in
/// closed form (Glasserman 2004, §4.1): over n independent units (y_i, x_i),
///   β = S_xx⁻¹ S_xy,   estimate = ȳ − βᵀ(x̄ − μ),   SE = √( (S_yy − βᵀ S_xy) / (n − 1 − k) / n ),
/// where S are the sums of cross-products of deviations from the means (co-moments) and k the
/// controls used. Controls are taken in order, each left out when what the ones before it do not
/// already explain of it is under 1e−12 of its own variance (one that does not vary, or is
/// collinear with those before): S_xx is then positive definite and solved by Cholesky. Estimating β
/// from the same units biases the estimate by O(1/n), negligible at Monte Carlo sizes. Co-moments are
/// updated by Welford's rule and merged by Chan et al.'s, as Moments: merge by the block rule. With
/// no controls it is the mean of the units with their SE. The control means are its shape: fixed at
/// construction, kept by clear(), and checked by merge (asserted) and deserialize.
class ControlledMean {
 public:
  static constexpr std::size_t kMaxControls = 3;
  ControlledMean() = default;
  /// `control_means`: μ, one per control (at most kMaxControls, asserted).
  explicit ControlledMean(std::span<const double> control_means);

  /// One unit: y and its controls x (x.size() == controls(), asserted; no NaN).
  void add(double y, std::span<const double> x);
  void merge(const ControlledMean& other);
  void clear();
  void serialize(ByteWriter& out) const;
  /// Throws SerializationError unless the serialized control means equal this one's, bit for bit.
  void deserialize(ByteReader& in);

  [[nodiscard]] std::size_t controls() const { return controls_; }
  [[nodiscard]] std::uint64_t count() const { return count_; }
  /// ȳ: the units' mean, without the controls; NaN when empty.
  [[nodiscard]] double plain_mean() const;
  /// √(S_yy/(n − 1)/n): the units' SE without the controls; NaN when n < 2.
  [[nodiscard]] double plain_standard_error() const;
  /// β of each control (0 for one left out); zeros when n < 2.
  [[nodiscard]] std::array<double, kMaxControls> coefficients() const;
  /// ȳ − βᵀ(x̄ − μ); NaN when empty.
  [[nodiscard]] double estimate() const;
  /// The SE of estimate(); NaN when n < 2 + the controls used.
  [[nodiscard]] double standard_error() const;

 private:
  static constexpr std::size_t kValues = 1 + kMaxControls;  // y, then the controls
  [[nodiscard]] double comoment(std::size_t i, std::size_t j) const { return comoment_[i * kValues + j]; }
  /// Which controls are used, and how many.
  [[nodiscard]] std::array<bool, kMaxControls> used_controls() const;
  /// S_xx, symmetric (its lower triangle mirrored).
  [[nodiscard]] std::array<double, kMaxControls * kMaxControls> control_comoments() const;

  std::size_t controls_ = 0;
  std::array<double, kMaxControls> control_means_{};
  std::uint64_t count_ = 0;
  std::array<double, kValues> mean_{};
  std::array<double, kValues * kValues> comoment_{};  // S_ij = Σ (v_i − v̄_i)(v_j − v̄_j), symmetric
};

/// Extent of a MonthlySeries.
struct MonthlySeriesShape {
  std::size_t strategies = 1;
  std::size_t months = 1;
  std::size_t series = 1;  // e.g. cash (USD), BTC held (BTC), debt (USD), NPV (USD)
  friend bool operator==(const MonthlySeriesShape&, const MonthlySeriesShape&) = default;
};

/// For each (strategy, month, series): a QuantileSketch (for the 5/25/50/75/95 % bands) and Moments
/// of the value at that month across paths. All storage is allocated at construction
/// (strategies·months·series·(bucket_count·4 + ~100) bytes: 3 × 120 × 4 sketches with the default
/// options take about 18 MiB); add() does not allocate. Contains Moments: merge by the block rule.
class MonthlySeries {
 public:
  /// Preconditions (asserted): every extent ≥ 1, and QuantileSketch's on the options.
  explicit MonthlySeries(const MonthlySeriesShape& shape, const QuantileSketchOptions& options = {});

  /// Indices must be below the shape's extents (asserted).
  void add(std::size_t strategy, std::size_t month, std::size_t series, double value) {
    const std::size_t at = index(strategy, month, series);
    sketches_[at].add(value);
    moments_[at].add(value);
  }
  /// Asserts equal shapes and options.
  void merge(const MonthlySeries& other);
  void clear();
  /// deserialize throws SerializationError unless the shape and the sketch options are equal.
  void serialize(ByteWriter& out) const;
  void deserialize(ByteReader& in);

  [[nodiscard]] const MonthlySeriesShape& shape() const { return shape_; }
  [[nodiscard]] const QuantileSketch& sketch(std::size_t strategy, std::size_t month, std::size_t series) const {
    return sketches_[index(strategy, month, series)];
  }
  [[nodiscard]] const Moments& moments(std::size_t strategy, std::size_t month, std::size_t series) const {
    return moments_[index(strategy, month, series)];
  }
  [[nodiscard]] double quantile(std::size_t strategy, std::size_t month, std::size_t series, double q) const {
    return sketch(strategy, month, series).quantile(q);
  }

 private:
  [[nodiscard]] std::size_t index(std::size_t strategy, std::size_t month, std::size_t series) const {
    assert(strategy < shape_.strategies && month < shape_.months && series < shape_.series);
    return (strategy * shape_.months + month) * shape_.series + series;
  }

  MonthlySeriesShape shape_;
  std::vector<QuantileSketch> sketches_;
  std::vector<Moments> moments_;
};

}  // namespace hashpivot::stats
