#pragma once
// Moments of a sample, as the calibrations report them next to their models' closed forms.

#include <cstddef>
#include <span>

namespace hashpivot::market {

struct SampleMoments {
  std::size_t count = 0;
  double mean = 0;
  double variance = 0;         // (1/n) Σ (x − mean)², the maximum-likelihood estimate
  double skewness = 0;         // m3 / m2^1.5
  double excess_kurtosis = 0;  // m4 / m2² − 3

  /// The unbiased (1/(n − 1)) variance.
  [[nodiscard]] double unbiased_variance() const {
    return count > 1 ? variance * static_cast<double>(count) / static_cast<double>(count - 1) : 0.0;
  }
};

/// Two-pass moments of `x`. Precondition: x is not empty.
[[nodiscard]] SampleMoments sample_moments(std::span<const double> x);

}  // namespace hashpivot::market
