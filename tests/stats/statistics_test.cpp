#include "hashpivot/stats/statistics.hpp"

#include <array>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <stdexcept>
#include <numeric>
#include <vector>

#include "hashpivot/random/philox.hpp"
#include "support/allocation_counter.hpp"

namespace hashpivot::stats {
namespace {

using random::CounterRng;
using random::Stream;

const CounterRng kRng(20240611);

double uniform(std::uint32_t i, std::uint32_t step = 0) { return kRng.uniforms({Stream::kTest, i, step})[0]; }
double normal(std::uint32_t i, std::uint32_t step = 0) { return kRng.normals({Stream::kTest, i, step})[0]; }

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

double relative_difference(double a, double b) { return std::abs(a - b) / std::max(std::abs(b), 1e-300); }

// ---- Moments ----------------------------------------------------------------------------------

struct TwoPass {
  double mean;
  double variance;
};
TwoPass two_pass(const std::vector<double>& values) {
  long double sum = 0;
  for (const double v : values) sum += v;
  const long double mean = sum / static_cast<long double>(values.size());
  long double squares = 0;
  for (const double v : values) squares += (v - mean) * (v - mean);
  return {static_cast<double>(mean), static_cast<double>(squares / static_cast<long double>(values.size() - 1))};
}

std::vector<double> offset_normals(std::uint32_t n, double mean, double sd) {
  std::vector<double> values(n);
  for (std::uint32_t i = 0; i < n; ++i) values[i] = mean + sd * normal(i, 1);
  return values;
}

TEST(Moments, mean_and_variance_equal_a_two_pass_computation) {
  for (const double offset : {0.0, 1e3, 1e7}) {
    const auto values = offset_normals(100'000, offset, 25.0);
    Moments moments;
    for (const double v : values) moments.add(v);
    const TwoPass reference = two_pass(values);
    EXPECT_EQ(moments.count(), values.size());
    EXPECT_LE(relative_difference(moments.mean(), reference.mean), 1e-12) << offset;
    // Welford's relative error grows with |mean|/sd (here up to 4e5 for the 1e7 offset).
    const double variance_tolerance = offset < 1e4 ? 1e-12 : 1e-11;
    EXPECT_LE(relative_difference(moments.variance(), reference.variance), variance_tolerance) << offset;
    EXPECT_EQ(moments.standard_error(), std::sqrt(moments.variance() / 1e5));
    EXPECT_EQ(moments.min(), *std::min_element(values.begin(), values.end()));
    EXPECT_EQ(moments.max(), *std::max_element(values.begin(), values.end()));
  }
}

TEST(Moments, merging_two_parts_equals_one_pass_within_rounding) {
  const auto values = offset_normals(100'000, 1e3, 25.0);
  Moments one_pass, first, second;
  for (std::size_t i = 0; i < values.size(); ++i) {
    one_pass.add(values[i]);
    (i < 37'000 ? first : second).add(values[i]);
  }
  first.merge(second);
  EXPECT_EQ(first.count(), one_pass.count());
  EXPECT_LE(relative_difference(first.mean(), one_pass.mean()), 1e-13);
  EXPECT_LE(relative_difference(first.variance(), one_pass.variance()), 1e-12);
  EXPECT_EQ(first.min(), one_pass.min());
  EXPECT_EQ(first.max(), one_pass.max());
}

TEST(Moments, empty_and_single_value_edge_cases) {
  Moments empty;
  EXPECT_TRUE(std::isnan(empty.mean()));
  EXPECT_TRUE(std::isnan(empty.variance()));
  Moments one;
  one.add(3.5);
  EXPECT_EQ(one.mean(), 3.5);
  EXPECT_TRUE(std::isnan(one.standard_error()));
  Moments copy;
  copy.merge(one);  // merging into an empty one copies exactly
  copy.merge(empty);
  EXPECT_TRUE(same_bits(copy.mean(), one.mean()));
  EXPECT_EQ(copy.count(), 1u);
}

// ---- QuantileSketch ---------------------------------------------------------------------------

std::vector<double> sample(const char* name, std::uint32_t n) {
  std::vector<double> values(n);
  const std::string kind = name;
  for (std::uint32_t i = 0; i < n; ++i) {
    if (kind == "uniform") {
      values[i] = -500.0 + 2000.0 * uniform(i);
    } else if (kind == "lognormal") {
      values[i] = std::exp(10.0 + 3.5 * normal(i));  // ~1e-1 … 1e10
    } else if (kind == "mix_with_negatives") {
      const double u = uniform(i, 2);
      if (u < 0.3)
        values[i] = -std::exp(8.0 + 2.0 * normal(i));  // negative NPV / cash
      else if (u < 0.4)
        values[i] = 0.05 * normal(i);  // near zero, partly below min_magnitude
      else if (u < 0.45)
        values[i] = 0.0;
      else
        values[i] = std::exp(14.0 + 4.0 * normal(i));  // up to ~1e12
    } else {
      ADD_FAILURE() << kind;
    }
  }
  return values;
}

// Only the span of buckets between the lowest and highest value is kept up to date (initialized,
// merged, cleared): none for a new sketch, a few dozen for values within a factor of 2; a merge or a
// far value widens it. The counters equal a dense histogram counted here, and clear() empties it.
TEST(QuantileSketch, keeps_only_the_span_of_buckets_its_values_reach) {
  QuantileSketch sketch;
  EXPECT_EQ(sketch.span(), 0u);
  // The bucket of v > 0 by the class comment's definition, j = ⌊ln(v / min) / ln γ⌋, evaluated as
  // the sketch does (the same rounding at bucket edges), into a dense histogram of every bucket.
  const double inverse_log_gamma = 1 / std::log((1 + 0.01) / (1 - 0.01));
  std::vector<std::uint32_t> dense(sketch.bucket_count(), 0u);
  const std::size_t zero = (sketch.bucket_count() - 3) / 2 + 1;
  const auto dense_add = [&](double v) {
    const auto j = static_cast<std::size_t>(std::log(v * (1 / 1e-2)) * inverse_log_gamma);
    ++dense[zero + 1 + j];
  };
  for (int i = 0; i < 1000; ++i) {
    const double v = 100.0 + 0.1 * i;  // 100 … 199.9: ln 2 / ln γ ≈ 35 buckets
    sketch.add(v);
    dense_add(v);
  }
  EXPECT_LE(sketch.span(), 36u);
  EXPECT_EQ(sketch.bucket_counts(), dense);
  QuantileSketch far;
  far.add(-5e6);
  far.add(3e9);
  sketch.merge(far);
  const std::vector<std::uint32_t> merged = sketch.bucket_counts();
  EXPECT_EQ(std::accumulate(merged.begin(), merged.end(), std::uint64_t{0}), 1002u);
  EXPECT_EQ(sketch.quantile(0.0), -5e6);
  EXPECT_EQ(sketch.quantile(1.0), 3e9);
  EXPECT_NEAR(sketch.quantile(0.5), 150.0, 0.01 * 150.0);
  EXPECT_GT(sketch.span(), 36u);
  sketch.clear();
  EXPECT_EQ(sketch.span(), 0u);
  EXPECT_EQ(sketch.bucket_counts(), std::vector<std::uint32_t>(sketch.bucket_count(), 0u));
  // A cleared sketch counts afresh: no stale counter survives in the buckets it had spanned.
  sketch.add(120.0);
  sketch.add(-5e6);
  const std::vector<std::uint32_t> again = sketch.bucket_counts();
  EXPECT_EQ(std::accumulate(again.begin(), again.end(), std::uint64_t{0}), 2u);
  QuantileSketch copy = sketch;
  EXPECT_EQ(copy.bucket_counts(), again);
  EXPECT_EQ(copy.quantile(0.5), sketch.quantile(0.5));
}

TEST(QuantileSketch, each_quantile_is_within_the_documented_bound_of_the_exact_one) {
  const QuantileSketchOptions options;  // ε = 1 %, magnitudes 1e-2 … 1e12
  const double epsilon = options.relative_accuracy;
  const std::size_t expected_buckets =
      2 * static_cast<std::size_t>(std::ceil(std::log(options.max_magnitude / options.min_magnitude) /
                                             std::log((1 + epsilon) / (1 - epsilon)))) +
      3;
  const std::uint32_t n = 100'000;
  for (const char* name : {"uniform", "lognormal", "mix_with_negatives"}) {
    std::vector<double> values = sample(name, n);
    QuantileSketch sketch(options);
    EXPECT_EQ(sketch.bucket_count(), expected_buckets);
    for (const double v : values) sketch.add(v);
    EXPECT_EQ(sketch.bucket_count(), expected_buckets) << "memory does not grow with the count";
    EXPECT_EQ(sketch.count(), n);
    double worst_share_of_bound = 0;
    for (const double q : {0.0, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 1.0}) {
      const auto k = static_cast<std::ptrdiff_t>(QuantileSketch::rank(q, n));
      std::nth_element(values.begin(), values.begin() + k, values.end());
      const double exact = values[static_cast<std::size_t>(k)];
      const double estimate = sketch.quantile(q);
      const double bound = epsilon * std::abs(exact) * (1 + 1e-9) + options.min_magnitude;
      EXPECT_LE(std::abs(estimate - exact), bound) << name << " q=" << q << " exact=" << exact;
      worst_share_of_bound = std::max(worst_share_of_bound, std::abs(estimate - exact) / bound);
      if (q == 0.0 || q == 1.0) {
        EXPECT_EQ(estimate, exact) << "the extremes are exact";
      }
    }
    // The bound is not vacuous: some quantile uses a good part of it.
    EXPECT_GT(worst_share_of_bound, 0.05) << name;
  }
}

TEST(QuantileSketch, nearest_rank_definition_and_small_cases) {
  EXPECT_EQ(QuantileSketch::rank(0.0, 10), 0u);
  EXPECT_EQ(QuantileSketch::rank(0.05, 100'000), 4'999u);
  EXPECT_EQ(QuantileSketch::rank(0.5, 10), 4u);
  EXPECT_EQ(QuantileSketch::rank(0.51, 10), 5u);
  EXPECT_EQ(QuantileSketch::rank(1.0, 10), 9u);
  QuantileSketch sketch;
  EXPECT_TRUE(std::isnan(sketch.quantile(0.5)));
  for (const double v : {-2e13, -5.0, 0.0, 0.001, 7.0, 3e13}) sketch.add(v);
  EXPECT_EQ(sketch.quantile(0.0), -2e13);
  EXPECT_EQ(sketch.quantile(1.0), 3e13);
  EXPECT_NEAR(sketch.quantile(0.3), -5.0, 0.05);   // rank 1
  EXPECT_EQ(sketch.quantile(0.5), 0.0);             // rank 2: the zero bucket
  EXPECT_EQ(sketch.quantile(0.6), 0.0);             // rank 3: 0.001 < min_magnitude
  EXPECT_NEAR(sketch.quantile(0.8), 7.0, 0.07);    // rank 4
}

#ifndef NDEBUG
// Shapes and options are the code's choices, never a user's: out-of-domain ones are bugs (asserted).
TEST(StatisticsDeathTest, out_of_domain_shapes_and_options_are_bugs) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(QuantileSketch({.relative_accuracy = 0.0}), "");
  EXPECT_DEATH(QuantileSketch({.relative_accuracy = 0.01, .min_magnitude = 1.0, .max_magnitude = 0.5}), "");
  EXPECT_DEATH(TailMean(0.0, 10), "");
  EXPECT_DEATH(TailMean(0.05, 0), "");
  EXPECT_DEATH(MonthlySeries({.strategies = 0}), "");
}
#endif

TEST(QuantileSketch, add_does_not_allocate_and_merge_is_order_free) {
  const auto values = sample("mix_with_negatives", 20'000);
  QuantileSketch forward, backward, merged, part;
  const std::uint64_t before = testing::heap_allocations();
  for (const double v : values) forward.add(v);
  EXPECT_EQ(testing::heap_allocations(), before);
  for (auto it = values.rbegin(); it != values.rend(); ++it) backward.add(*it);
  for (std::size_t i = 0; i < values.size(); ++i) {
    part.add(values[i]);
    if (i % 1000 == 999) merged.merge(part), part.clear();
  }
  EXPECT_EQ(forward.bucket_counts(), backward.bucket_counts());
  EXPECT_EQ(forward.bucket_counts(), merged.bucket_counts());
  for (const double q : {0.05, 0.25, 0.5, 0.75, 0.95})
    EXPECT_TRUE(same_bits(forward.quantile(q), merged.quantile(q)));
}

// ---- TailMean ---------------------------------------------------------------------------------

double brute_force_tail_mean(std::vector<double> values, double alpha, TailSide side) {
  if (side == TailSide::kLowest)
    std::sort(values.begin(), values.end());
  else
    std::sort(values.begin(), values.end(), std::greater<>());
  const auto tail = static_cast<std::size_t>(std::ceil(alpha * static_cast<double>(values.size())));
  double sum = 0;
  for (std::size_t i = 0; i < tail; ++i) sum += values[i];
  return sum / static_cast<double>(tail);
}

TEST(TailMean, equals_the_brute_force_mean_of_the_worst_five_percent_exactly) {
  const std::uint32_t n = 100'000;
  auto values = sample("mix_with_negatives", n);
  for (std::uint32_t i = 0; i < 5'000; ++i) values[i] = std::round(values[i] / 1000);  // ties
  for (const TailSide side : {TailSide::kLowest, TailSide::kHighest}) {
    TailMean one_pass(0.05, n, side), merged(0.05, n, side), block(0.05, n, side);
    EXPECT_EQ(one_pass.capacity(), 5'000u);
    const std::uint64_t before = testing::heap_allocations();
    for (const double v : values) one_pass.add(v);
    EXPECT_EQ(testing::heap_allocations(), before) << "add does not allocate";
    for (std::size_t i = 0; i < values.size(); ++i) {
      block.add(values[i]);
      if (i % 4096 == 4095 || i + 1 == values.size()) merged.merge(block), block.clear();
    }
    EXPECT_EQ(one_pass.tail_count(), 5'000u);
    const double expected = brute_force_tail_mean(values, 0.05, side);
    EXPECT_EQ(one_pass.conditional_tail_mean(), expected);
    EXPECT_EQ(merged.conditional_tail_mean(), expected);
  }
}

TEST(TailMean, tail_count_rounds_up_and_uses_fewer_paths_than_the_maximum) {
  TailMean tail(0.05, 1000);
  EXPECT_TRUE(std::isnan(tail.conditional_tail_mean()));
  for (int i = 1; i <= 21; ++i) tail.add(i);
  EXPECT_EQ(tail.tail_count(), 2u);  // ⌈1.05⌉
  EXPECT_EQ(tail.conditional_tail_mean(), 1.5);
  TailMean round(0.07, 100);
  for (int i = 0; i < 100; ++i) round.add(i);
  EXPECT_EQ(round.tail_count(), 7u);  // 0.07·100 is 7 up to the rounding of 0.07
}

// ---- Probability, EventMonthHistogram, PairedDifference ----------------------------------------

TEST(Probability, standard_error_is_the_binomial_one) {
  Probability p;
  EXPECT_TRUE(std::isnan(p.probability()));
  const std::uint32_t n = 10'000;
  std::uint64_t events = 0;
  for (std::uint32_t i = 0; i < n; ++i) {
    const bool event = uniform(i, 3) < 0.2;
    events += event ? 1 : 0;
    p.add(event);
  }
  const double expected = static_cast<double>(events) / n;
  EXPECT_EQ(p.events(), events);
  EXPECT_EQ(p.probability(), expected);
  EXPECT_DOUBLE_EQ(p.standard_error(), std::sqrt(expected * (1 - expected) / n));
  EXPECT_NEAR(p.probability(), 0.2, 5 * p.standard_error());
}

TEST(EventMonthHistogram, counts_and_cumulative_probabilities_match_brute_force) {
  EventMonthHistogram histogram(24);
  std::vector<int> default_month(5'000, -1);
  for (std::uint32_t i = 0; i < default_month.size(); ++i) {
    if (uniform(i, 4) < 0.3) {
      default_month[i] = static_cast<int>(uniform(i, 5) * 24);
      histogram.add_event(static_cast<std::size_t>(default_month[i]));
    } else {
      histogram.add_no_event();
    }
  }
  EXPECT_EQ(histogram.paths(), 5'000u);
  for (std::size_t month = 0; month < 24; ++month) {
    const auto by_month = std::count_if(default_month.begin(), default_month.end(),
                                        [&](int m) { return m >= 0 && static_cast<std::size_t>(m) <= month; });
    EXPECT_EQ(histogram.cumulative(month).events(), static_cast<std::uint64_t>(by_month));
    EXPECT_EQ(histogram.cumulative(month).trials(), 5'000u);
  }
  const auto total = std::count_if(default_month.begin(), default_month.end(), [](int m) { return m >= 0; });
  EXPECT_EQ(histogram.total().events(), static_cast<std::uint64_t>(total));
}

TEST(PairedDifferences, each_pair_is_the_brute_force_difference_and_survives_merge_and_serialization) {
  // Three strategies' values on 1,000 paths, with ties (both 0, as two defaulted firms' NPVs).
  constexpr std::size_t kStrategies = 3;
  constexpr std::uint32_t kPaths = 1000;
  const auto value = [](std::uint32_t path, std::size_t s) {
    return path % 7 == 0 ? 0.0 : std::exp(1.0 + normal(path, static_cast<std::uint32_t>(20 + s)));
  };
  std::vector<PairedDifferences> whole(kStrategies, PairedDifferences(kStrategies));
  std::vector<PairedDifferences> first_half(kStrategies, PairedDifferences(kStrategies));
  std::vector<PairedDifferences> second_half(kStrategies, PairedDifferences(kStrategies));
  for (std::uint32_t path = 0; path < kPaths; ++path) {
    std::array<double, kStrategies> values{};
    for (std::size_t s = 0; s < kStrategies; ++s) values[s] = value(path, s);
    for (std::size_t s = 0; s < kStrategies; ++s) {
      whole[s].add(values[s], values);
      (path < kPaths / 2 ? first_half : second_half)[s].add(values[s], values);
    }
  }
  for (std::size_t a = 0; a < kStrategies; ++a) {
    first_half[a].merge(second_half[a]);
    ByteWriter out;
    first_half[a].serialize(out);
    PairedDifferences read(kStrategies);
    ByteReader in(out.bytes());
    read.deserialize(in);
    for (std::size_t b = 0; b < kStrategies; ++b) {
      double sum = 0;
      std::uint64_t wins = 0;
      for (std::uint32_t path = 0; path < kPaths; ++path) {
        sum += value(path, a) - value(path, b);
        wins += value(path, a) > value(path, b) ? 1U : 0U;
      }
      EXPECT_NEAR(whole[a].against(b).difference().mean(), sum / kPaths, 1e-12) << a << " vs " << b;
      EXPECT_EQ(whole[a].against(b).candidate_wins().events(), wins);
      EXPECT_NEAR(read.against(b).difference().mean(), whole[a].against(b).difference().mean(), 1e-12);
      EXPECT_EQ(read.against(b).candidate_wins().events(), wins);
      // a against b is minus b against a, with the same spread; wins exclude ties both ways.
      EXPECT_NEAR(whole[a].against(b).difference().mean(), -whole[b].against(a).difference().mean(), 1e-12);
      EXPECT_NEAR(whole[a].against(b).difference().standard_error(), whole[b].against(a).difference().standard_error(), 1e-9);
    }
    EXPECT_EQ(whole[a].against(a).difference().mean(), 0.0);
  }
  ByteWriter out;
  whole[0].serialize(out);
  PairedDifferences other_shape(2);
  ByteReader in(out.bytes());
  EXPECT_THROW(other_shape.deserialize(in), SerializationError);
}

TEST(PairedDifference, confidence_interval_contains_the_true_mean_difference) {
  // Candidate = baseline + 0.3 + noise: true mean difference 0.3, the baseline itself is wide.
  const double true_difference = 0.3;
  PairedDifference paired;
  std::uint64_t wins = 0;
  const std::uint32_t n = 10'000;
  for (std::uint32_t i = 0; i < n; ++i) {
    const double baseline = std::exp(5.0 + normal(i, 6));
    const double candidate = baseline + true_difference + normal(i, 7);
    wins += candidate > baseline ? 1 : 0;
    paired.add(candidate, baseline);
  }
  const ConfidenceInterval ci = paired.confidence_interval_95();
  EXPECT_TRUE(ci.contains(true_difference)) << ci.lower << " " << ci.upper;
  EXPECT_NEAR(ci.upper - ci.lower, 2 * 1.96 * paired.difference().standard_error(), 1e-5);
  EXPECT_NEAR(paired.difference().standard_error(), 1 / std::sqrt(double{n}), 1e-3);
  EXPECT_EQ(paired.candidate_wins().events(), wins);
  EXPECT_EQ(paired.candidate_wins().trials(), n);

  // Coverage over 400 independent replications of 100 paths: about 95 %.
  int covered = 0;
  for (std::uint32_t replication = 0; replication < 400; ++replication) {
    PairedDifference small;
    for (std::uint32_t i = 0; i < 100; ++i) {
      const std::uint32_t path = 100'000 + replication * 100 + i;
      small.add(true_difference + normal(path, 8), 0.0);
    }
    covered += small.confidence_interval_95().contains(true_difference) ? 1 : 0;
  }
  EXPECT_NEAR(covered / 400.0, 0.95, 0.035);  // ±3.2 binomial SE, allowing for t vs normal at n = 100
}

// ---- MonthlySeries ----------------------------------------------------------------------------

TEST(MonthlySeries, cells_are_independent_and_add_does_not_allocate) {
  const MonthlySeriesShape shape{.strategies = 2, .months = 3, .series = 4};
  MonthlySeries series(shape);
  QuantileSketch reference;
  Moments reference_moments;
  const std::uint64_t before = testing::heap_allocations();
  for (std::uint32_t path = 0; path < 2'000; ++path)
    for (std::size_t s = 0; s < 2; ++s)
      for (std::size_t m = 0; m < 3; ++m)
        for (std::size_t k = 0; k < 4; ++k) {
          const double value = static_cast<double>(1000 * s + 100 * m + 10 * k) + normal(path, 9);
          series.add(s, m, k, value);
          if (s == 1 && m == 2 && k == 3) reference.add(value), reference_moments.add(value);
        }
  EXPECT_EQ(testing::heap_allocations(), before);
  EXPECT_EQ(series.sketch(1, 2, 3).bucket_counts(), reference.bucket_counts());
  EXPECT_TRUE(same_bits(series.moments(1, 2, 3).mean(), reference_moments.mean()));
  for (std::size_t s = 0; s < 2; ++s)
    for (std::size_t m = 0; m < 3; ++m)
      for (std::size_t k = 0; k < 4; ++k) {
        const double centre = static_cast<double>(1000 * s + 100 * m + 10 * k);
        EXPECT_NEAR(series.quantile(s, m, k, 0.5), centre, 0.15 + 0.01 * centre);
        EXPECT_NEAR(series.moments(s, m, k).mean(), centre, 0.1);
      }
}

// ---- Bit-identical results whatever the number of workers -------------------------------------

constexpr std::uint32_t kPaths = 10'000;
constexpr std::uint32_t kBlockSize = 128;  // 79 blocks, the last one of 16 paths
constexpr std::size_t kMonths = 6;
constexpr std::size_t kSeries = 2;

struct RunStatistics {
  Moments npv;
  QuantileSketch npv_sketch;
  TailMean npv_tail{0.05, kPaths};
  PairedDifference candidate_vs_baseline;
  Probability default_probability;
  EventMonthHistogram default_month{kMonths};
  MonthlySeries monthly{{.strategies = 2, .months = kMonths, .series = kSeries}};

  void add_path(std::uint32_t path) {
    const double baseline = 1e6 * normal(path, 10) + 2e5;
    const double candidate = baseline + 5e4 * normal(path, 11) + 1e4;
    npv.add(candidate);
    npv_sketch.add(candidate);
    npv_tail.add(candidate);
    candidate_vs_baseline.add(candidate, baseline);
    const bool defaulted = uniform(path, 12) < 0.1;
    default_probability.add(defaulted);
    if (defaulted)
      default_month.add_event(static_cast<std::size_t>(uniform(path, 13) * kMonths));
    else
      default_month.add_no_event();
    for (std::size_t s = 0; s < 2; ++s)
      for (std::size_t m = 0; m < kMonths; ++m)
        for (std::size_t k = 0; k < kSeries; ++k)
          monthly.add(s, m, k,
                      std::exp(3 * normal(path, static_cast<std::uint32_t>(20 + m))) - 10.0 * static_cast<double>(k + s));
  }
  void merge(const RunStatistics& other) {
    npv.merge(other.npv);
    npv_sketch.merge(other.npv_sketch);
    npv_tail.merge(other.npv_tail);
    candidate_vs_baseline.merge(other.candidate_vs_baseline);
    default_probability.merge(other.default_probability);
    default_month.merge(other.default_month);
    monthly.merge(other.monthly);
  }
  void clear() {
    npv.clear();
    npv_sketch.clear();
    npv_tail.clear();
    candidate_vs_baseline.clear();
    default_probability.clear();
    default_month.clear();
    monthly.clear();
  }
};

// Workers take blocks round-robin, each reusing one scratch accumulator (cleared per block); the
// block results are then merged in block order.
RunStatistics run_with_workers(std::uint32_t workers) {
  const std::uint32_t blocks = (kPaths + kBlockSize - 1) / kBlockSize;
  std::vector<RunStatistics> block_results(blocks);
  std::vector<RunStatistics> scratch(workers);
  for (std::uint32_t first = 0; first < blocks; first += workers)
    for (std::uint32_t w = 0; w < workers && first + w < blocks; ++w) {
      const std::uint32_t block = first + w;
      RunStatistics& accumulator = scratch[w];
      accumulator.clear();
      for (std::uint32_t path = block * kBlockSize; path < std::min(kPaths, (block + 1) * kBlockSize); ++path)
        accumulator.add_path(path);
      block_results[block] = accumulator;
    }
  RunStatistics total;
  for (const auto& block : block_results) total.merge(block);
  return total;
}

void expect_same_bits(const Moments& a, const Moments& b) {
  EXPECT_EQ(a.count(), b.count());
  EXPECT_TRUE(same_bits(a.mean(), b.mean()));
  EXPECT_TRUE(same_bits(a.sum_squared_deviations(), b.sum_squared_deviations()));
  EXPECT_TRUE(same_bits(a.min(), b.min()));
  EXPECT_TRUE(same_bits(a.max(), b.max()));
}

TEST(Determinism, block_ordered_merge_is_bit_identical_for_1_2_3_and_7_workers) {
  const RunStatistics reference = run_with_workers(1);
  EXPECT_EQ(reference.npv.count(), kPaths);
  for (const std::uint32_t workers : {2u, 3u, 7u}) {
    SCOPED_TRACE(workers);
    const RunStatistics run = run_with_workers(workers);
    expect_same_bits(run.npv, reference.npv);
    EXPECT_EQ(run.npv_sketch.bucket_counts(), reference.npv_sketch.bucket_counts());
    for (const double q : {0.05, 0.25, 0.5, 0.75, 0.95})
      EXPECT_TRUE(same_bits(run.npv_sketch.quantile(q), reference.npv_sketch.quantile(q)));
    EXPECT_TRUE(same_bits(run.npv_tail.conditional_tail_mean(), reference.npv_tail.conditional_tail_mean()));
    expect_same_bits(run.candidate_vs_baseline.difference(), reference.candidate_vs_baseline.difference());
    EXPECT_EQ(run.candidate_vs_baseline.candidate_wins().events(),
              reference.candidate_vs_baseline.candidate_wins().events());
    EXPECT_EQ(run.default_probability.events(), reference.default_probability.events());
    EXPECT_EQ(run.default_month.counts(), reference.default_month.counts());
    for (std::size_t s = 0; s < 2; ++s)
      for (std::size_t m = 0; m < kMonths; ++m)
        for (std::size_t k = 0; k < kSeries; ++k) {
          expect_same_bits(run.monthly.moments(s, m, k), reference.monthly.moments(s, m, k));
          EXPECT_EQ(run.monthly.sketch(s, m, k).bucket_counts(), reference.monthly.sketch(s, m, k).bucket_counts());
        }
  }
}

TEST(Determinism, count_based_statistics_are_identical_in_any_merge_order) {
  // Per-worker accumulation across blocks, merged in reverse: still identical for the exact types.
  const RunStatistics reference = run_with_workers(1);
  for (const std::uint32_t workers : {3u, 7u}) {
    std::vector<RunStatistics> per_worker(workers);
    for (std::uint32_t path = 0; path < kPaths; ++path) per_worker[(path / kBlockSize) % workers].add_path(path);
    RunStatistics total;
    for (auto it = per_worker.rbegin(); it != per_worker.rend(); ++it) total.merge(*it);
    EXPECT_EQ(total.npv_sketch.bucket_counts(), reference.npv_sketch.bucket_counts());
    EXPECT_TRUE(same_bits(total.npv_tail.conditional_tail_mean(), reference.npv_tail.conditional_tail_mean()));
    EXPECT_EQ(total.default_month.counts(), reference.default_month.counts());
    EXPECT_EQ(total.default_probability.events(), reference.default_probability.events());
    // Moments agree within rounding (not necessarily to the bit: that is what the block rule is for).
    EXPECT_LE(relative_difference(total.npv.mean(), reference.npv.mean()), 1e-12);
    EXPECT_LE(relative_difference(total.npv.variance(), reference.npv.variance()), 1e-12);
  }
}

// ---- Serialization (what MPI ranks send each other) ----------------------------------------------

template <typename T>
std::vector<std::byte> bytes_of(const T& statistic) {
  ByteWriter out;
  statistic.serialize(out);
  return out.bytes();
}

// Reads `bytes` into `into` and checks that every byte was consumed.
template <typename T>
void read_into(T& into, const std::vector<std::byte>& bytes) {
  ByteReader in(bytes);
  into.deserialize(in);
  EXPECT_TRUE(in.at_end());
}

TEST(Serialization, bytes_round_trip_integers_varints_strings_and_every_kind_of_double) {
  const std::vector<std::uint64_t> integers{0, 1, 127, 128, 300, 16383, 16384, std::uint64_t{1} << 35,
                                            std::numeric_limits<std::uint64_t>::max()};
  const std::vector<double> doubles{0.0, -0.0, 1.5, -3e-310, std::numeric_limits<double>::infinity(),
                                    -std::numeric_limits<double>::infinity(), std::numeric_limits<double>::quiet_NaN(),
                                    std::numeric_limits<double>::denorm_min(), std::numeric_limits<double>::max()};
  ByteWriter out;
  for (const std::uint64_t i : integers) out.write_varint(i), out.write_u64(i);
  for (const double d : doubles) out.write_f64(d);
  out.write_string("hold \xe2\x82\xbf");
  ByteReader in(out.bytes());
  for (const std::uint64_t i : integers) {
    EXPECT_EQ(in.read_varint(), i);
    EXPECT_EQ(in.read_u64(), i);
  }
  for (const double d : doubles) EXPECT_TRUE(same_bits(in.read_f64(), d)) << d;
  EXPECT_EQ(in.read_string(), "hold \xe2\x82\xbf");
  EXPECT_TRUE(in.at_end());
  EXPECT_THROW(static_cast<void>(in.read_u64()), SerializationError);
  // Little-endian on every platform: the first byte of 0x0102 is 0x02.
  ByteWriter two;
  two.write_u64(0x0102);
  EXPECT_EQ(two.bytes().front(), std::byte{0x02});
}

TEST(Serialization, moments_round_trip_to_the_bit_and_merge_as_before) {
  Moments a, b, empty;
  for (std::uint32_t i = 0; i < 1000; ++i) a.add(1e6 * normal(i, 3));
  for (std::uint32_t i = 1000; i < 1500; ++i) b.add(-2e5 + 1e5 * normal(i, 3));
  for (const Moments* original : {&a, &b, &empty}) {
    Moments copy;
    copy.add(42);  // overwritten
    read_into(copy, bytes_of(*original));
    expect_same_bits(copy, *original);
  }
  Moments before = a, after = a, b_copy;
  read_into(b_copy, bytes_of(b));
  before.merge(b);
  after.merge(b_copy);
  expect_same_bits(after, before);
}

TEST(Serialization, quantile_sketch_round_trips_counts_min_max_and_does_not_allocate) {
  const auto values = sample("mix_with_negatives", 5'000);
  QuantileSketch a, b, copy, empty;
  for (std::size_t i = 0; i < values.size(); ++i) (i % 3 == 0 ? a : b).add(values[i]);
  const std::vector<std::byte> bytes = bytes_of(a);
  copy.add(7);  // overwritten
  const std::uint64_t before = testing::heap_allocations();
  read_into(copy, bytes);
  EXPECT_EQ(testing::heap_allocations(), before);
  EXPECT_EQ(copy.bucket_counts(), a.bucket_counts());
  EXPECT_EQ(copy.count(), a.count());
  EXPECT_TRUE(same_bits(copy.min(), a.min()));
  EXPECT_TRUE(same_bits(copy.max(), a.max()));
  // Sparse: far fewer bytes than one 4-byte counter per bucket.
  EXPECT_LT(bytes.size(), 4 * a.bucket_count());
  read_into(copy, bytes_of(empty));
  EXPECT_EQ(copy.count(), 0u);
  EXPECT_EQ(copy.bucket_counts(), empty.bucket_counts());
  EXPECT_TRUE(std::isinf(copy.min()) && copy.min() > 0);
  QuantileSketch merged_before = b, merged_after = b;
  QuantileSketch a_copy;
  read_into(a_copy, bytes);
  merged_before.merge(a);
  merged_after.merge(a_copy);
  EXPECT_EQ(merged_after.bucket_counts(), merged_before.bucket_counts());
  for (const double q : {0.05, 0.5, 0.95}) EXPECT_TRUE(same_bits(merged_after.quantile(q), merged_before.quantile(q)));
}

TEST(Serialization, tail_mean_keeps_the_kept_values_in_heap_order) {
  TailMean a(0.05, 4000), b(0.05, 4000), copy(0.05, 4000);
  for (std::uint32_t i = 0; i < 3000; ++i) (i % 2 == 0 ? a : b).add(1e6 * normal(i, 5));
  copy.add(1);  // overwritten
  const std::vector<std::byte> bytes = bytes_of(a);
  const std::uint64_t before = testing::heap_allocations();
  read_into(copy, bytes);
  EXPECT_EQ(testing::heap_allocations(), before);
  EXPECT_EQ(copy.count(), a.count());
  ASSERT_EQ(copy.kept_values().size(), a.kept_values().size());
  for (std::size_t i = 0; i < a.kept_values().size(); ++i)
    EXPECT_TRUE(same_bits(copy.kept_values()[i], a.kept_values()[i])) << i;
  TailMean merged_before = b, merged_after = b;
  merged_before.merge(a);
  merged_after.merge(copy);
  EXPECT_EQ(merged_after.kept_values(), merged_before.kept_values());
  EXPECT_TRUE(same_bits(merged_after.conditional_tail_mean(), merged_before.conditional_tail_mean()));
}

TEST(Serialization, probability_histogram_and_paired_difference_round_trip) {
  Probability p;
  EventMonthHistogram months(12), months_copy(12);
  PairedDifference paired, paired_copy;
  for (std::uint32_t i = 0; i < 700; ++i) {
    const double u = uniform(i, 7);
    p.add(u < 0.3);
    if (u < 0.2) months.add_event(i % 12); else months.add_no_event();
    paired.add(normal(i, 8) + 0.1, normal(i, 9));
  }
  Probability p_copy;
  read_into(p_copy, bytes_of(p));
  EXPECT_EQ(p_copy.events(), p.events());
  EXPECT_EQ(p_copy.trials(), p.trials());
  read_into(months_copy, bytes_of(months));
  EXPECT_EQ(months_copy.counts(), months.counts());
  EXPECT_EQ(months_copy.paths(), months.paths());
  read_into(paired_copy, bytes_of(paired));
  expect_same_bits(paired_copy.difference(), paired.difference());
  EXPECT_EQ(paired_copy.candidate_wins().events(), paired.candidate_wins().events());
  EXPECT_EQ(paired_copy.candidate_wins().trials(), paired.candidate_wins().trials());
}

TEST(Serialization, monthly_series_round_trips_every_cell) {
  const MonthlySeriesShape shape{2, 3, 2};
  MonthlySeries series(shape), copy(shape);
  for (std::uint32_t i = 0; i < 400; ++i)
    series.add(i % 2, i % 3, (i / 6) % 2, 1e3 * normal(i, 11));
  read_into(copy, bytes_of(series));
  for (std::size_t s = 0; s < 2; ++s)
    for (std::size_t m = 0; m < 3; ++m)
      for (std::size_t k = 0; k < 2; ++k) {
        expect_same_bits(copy.moments(s, m, k), series.moments(s, m, k));
        EXPECT_EQ(copy.sketch(s, m, k).bucket_counts(), series.sketch(s, m, k).bucket_counts());
      }
}

TEST(Serialization, another_shape_or_too_few_bytes_throw) {
  QuantileSketch sketch;
  sketch.add(3);
  QuantileSketch coarser(QuantileSketchOptions{.relative_accuracy = 0.02});
  EXPECT_THROW(read_into(coarser, bytes_of(sketch)), SerializationError);
  TailMean tail(0.05, 100);
  tail.add(1);
  TailMean other_alpha(0.1, 100), other_count(0.05, 200), other_side(0.05, 100, TailSide::kHighest);
  EXPECT_THROW(read_into(other_alpha, bytes_of(tail)), SerializationError);
  EXPECT_THROW(read_into(other_count, bytes_of(tail)), SerializationError);
  EXPECT_THROW(read_into(other_side, bytes_of(tail)), SerializationError);
  EventMonthHistogram twelve(12), eleven(11);
  EXPECT_THROW(read_into(eleven, bytes_of(twelve)), SerializationError);
  MonthlySeries series({1, 2, 3}), other_series({1, 3, 2});
  EXPECT_THROW(read_into(other_series, bytes_of(series)), SerializationError);
  // Every proper prefix of a serialized sketch ends early.
  const std::vector<std::byte> bytes = bytes_of(sketch);
  for (std::size_t size = 0; size < bytes.size(); ++size) {
    QuantileSketch into;
    ByteReader in(std::span<const std::byte>(bytes.data(), size));
    EXPECT_THROW(into.deserialize(in), SerializationError) << size;
  }
}


// ---- ControlledMean (control variates) -----------------------------------------------------------

namespace controlled {

struct Unit {
  double y;
  std::array<double, 2> x;
};

// y = 3 + 2·x1 − x2 + noise, with x1 and x2 correlated: enough structure for both coefficients.
std::vector<Unit> units(std::uint32_t n) {
  std::vector<Unit> out;
  for (std::uint32_t i = 0; i < n; ++i) {
    const double x1 = normal(i, 1);
    const double x2 = 0.5 * x1 + normal(i, 2);
    out.push_back({3 + 2 * x1 - x2 + 0.3 * normal(i, 3), {x1, x2}});
  }
  return out;
}

// The textbook two-pass computation: means, centred cross-products, β by Cramer's rule, the
// residual variance over n − 3.
struct Reference {
  double estimate, se, plain_mean;
};
Reference reference(const std::vector<Unit>& data, const std::array<double, 2>& mu) {
  const double n = static_cast<double>(data.size());
  double my = 0, m1 = 0, m2 = 0;
  for (const Unit& u : data) {
    my += u.y;
    m1 += u.x[0];
    m2 += u.x[1];
  }
  my /= n;
  m1 /= n;
  m2 /= n;
  double s11 = 0, s22 = 0, s12 = 0, sy1 = 0, sy2 = 0, syy = 0;
  for (const Unit& u : data) {
    const double dy = u.y - my, d1 = u.x[0] - m1, d2 = u.x[1] - m2;
    s11 += d1 * d1;
    s22 += d2 * d2;
    s12 += d1 * d2;
    sy1 += dy * d1;
    sy2 += dy * d2;
    syy += dy * dy;
  }
  const double det = s11 * s22 - s12 * s12;
  const double b1 = (sy1 * s22 - sy2 * s12) / det;
  const double b2 = (sy2 * s11 - sy1 * s12) / det;
  double residual = 0;
  for (const Unit& u : data) {
    const double e = (u.y - my) - b1 * (u.x[0] - m1) - b2 * (u.x[1] - m2);
    residual += e * e;
  }
  return {my - b1 * (m1 - mu[0]) - b2 * (m2 - mu[1]), std::sqrt(residual / (n - 3) / n), my};
}

}  // namespace controlled

TEST(ControlledMean, equals_the_two_pass_least_squares_estimate_and_merges_and_serializes) {
  const std::vector<controlled::Unit> data = controlled::units(3000);
  const std::array<double, 2> mu{0.1, -0.2};
  const controlled::Reference ref = controlled::reference(data, mu);
  ControlledMean whole(mu);
  std::array<ControlledMean, 3> parts{ControlledMean(mu), ControlledMean(mu), ControlledMean(mu)};
  for (std::size_t i = 0; i < data.size(); ++i) {
    whole.add(data[i].y, data[i].x);
    parts[i * 3 / data.size()].add(data[i].y, data[i].x);
  }
  EXPECT_NEAR(whole.estimate(), ref.estimate, 1e-12 * std::abs(ref.estimate));
  EXPECT_NEAR(whole.standard_error(), ref.se, 1e-9 * ref.se);
  EXPECT_NEAR(whole.plain_mean(), ref.plain_mean, 1e-12 * std::abs(ref.plain_mean));
  EXPECT_NEAR(whole.coefficients()[0], 2.0, 0.05);
  EXPECT_NEAR(whole.coefficients()[1], -1.0, 0.05);
  EXPECT_LT(whole.standard_error(), 0.2 * whole.plain_standard_error());

  ControlledMean merged(mu);
  for (const ControlledMean& p : parts) merged.merge(p);
  EXPECT_EQ(merged.count(), whole.count());
  EXPECT_NEAR(merged.estimate(), ref.estimate, 1e-12 * std::abs(ref.estimate));
  EXPECT_NEAR(merged.standard_error(), ref.se, 1e-9 * ref.se);

  ControlledMean copy(mu);
  read_into(copy, bytes_of(merged));
  EXPECT_TRUE(same_bits(copy.estimate(), merged.estimate()));
  EXPECT_TRUE(same_bits(copy.standard_error(), merged.standard_error()));
  ControlledMean other_means(std::array<double, 2>{0.1, 0.0});
  const std::vector<std::byte> bytes = bytes_of(merged);
  ByteReader in(bytes);
  EXPECT_THROW(other_means.deserialize(in), SerializationError);
  merged.clear();
  EXPECT_EQ(merged.count(), 0u);
  EXPECT_TRUE(std::isnan(merged.estimate()));
}

// A control that does not vary (a given price path) is left out: the plain mean and its SE; so is a
// second control collinear with the first.
TEST(ControlledMean, a_constant_or_collinear_control_is_left_out) {
  const std::vector<controlled::Unit> data = controlled::units(500);
  ControlledMean constant(std::array<double, 1>{1.0});
  ControlledMean collinear(std::array<double, 2>{0.0, 0.0});
  ControlledMean single(std::array<double, 1>{0.0});
  for (const controlled::Unit& u : data) {
    constant.add(u.y, std::array<double, 1>{1.0});
    collinear.add(u.y, std::array<double, 2>{u.x[0], 2 * u.x[0]});
    single.add(u.y, std::array<double, 1>{u.x[0]});
  }
  EXPECT_EQ(constant.estimate(), constant.plain_mean());
  EXPECT_EQ(constant.standard_error(), constant.plain_standard_error());
  EXPECT_EQ(collinear.coefficients()[1], 0.0);
  EXPECT_EQ(collinear.estimate(), single.estimate());
  EXPECT_EQ(collinear.standard_error(), single.standard_error());
  // A third control that is the sum of the first two adds nothing: the two-control estimate.
  const std::array<double, 2> mu{0.1, -0.2};
  ControlledMean two(mu);
  ControlledMean three(std::array<double, 3>{mu[0], mu[1], mu[0] + mu[1]});
  for (const controlled::Unit& u : data) {
    two.add(u.y, u.x);
    three.add(u.y, std::array<double, 3>{u.x[0], u.x[1], u.x[0] + u.x[1]});
  }
  EXPECT_EQ(three.coefficients()[2], 0.0);
  EXPECT_NEAR(three.estimate(), two.estimate(), 1e-12 * std::abs(two.estimate()));
  EXPECT_NEAR(three.standard_error(), two.standard_error(), 1e-9 * two.standard_error());
}

// Closed form: Y = e^{Z/2} with the control X = Z, E[X] = 0 known, so E[Y] = e^{1/8}. Over 400
// independent experiments of 1,000 units, the controlled 95% intervals cover e^{1/8} about 95% of the
// time, and the SE over the plain one is √(1 − ρ²), ρ² = a²/(e^{a²} − 1) for Y = e^{aZ} (≈ 0.35). (With
// Y = e^Z and 400 units the intervals cover about 92%: the skew of a lognormal is slow to average out.)
TEST(ControlledMean, its_intervals_cover_a_closed_form_mean_and_are_narrower) {
  constexpr double kA = 0.5;
  const double truth = std::exp(kA * kA / 2);
  int covered = 0;
  double se_ratio_sum = 0;
  constexpr int kExperiments = 400;
  constexpr std::uint32_t kUnits = 1000;
  for (int e = 0; e < kExperiments; ++e) {
    ControlledMean m(std::array<double, 1>{0.0});
    for (std::uint32_t i = 0; i < kUnits; ++i) {
      const double z = normal(static_cast<std::uint32_t>(e) * kUnits + i, 7);
      m.add(std::exp(kA * z), std::array<double, 1>{z});
    }
    covered += std::abs(m.estimate() - truth) <= kNormalQuantile975 * m.standard_error();
    se_ratio_sum += m.standard_error() / m.plain_standard_error();
  }
  EXPECT_GE(covered, 0.92 * kExperiments);
  EXPECT_LE(covered, 0.98 * kExperiments);
  EXPECT_NEAR(se_ratio_sum / kExperiments, std::sqrt(1 - kA * kA / std::expm1(kA * kA)), 0.01);
}

// An antithetic pair is one unit of the paired difference; each path counts in the wins.
TEST(PairedDifference, a_pair_adds_its_mean_difference_once_and_both_wins) {
  PairedDifference d;
  d.add_pair(5, 1, 2, 4);  // differences +4 and −2: mean +1; one win of two
  d.add_pair(3, 3, 7, 1);  // 0 and +6: +3; one win
  EXPECT_EQ(d.difference().count(), 2u);
  EXPECT_DOUBLE_EQ(d.difference().mean(), 2.0);
  EXPECT_EQ(d.candidate_wins().trials(), 4u);
  EXPECT_EQ(d.candidate_wins().events(), 2u);
}

}  // namespace
}  // namespace hashpivot::stats
