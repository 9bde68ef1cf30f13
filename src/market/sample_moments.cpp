#include "hashpivot/market/sample_moments.hpp"

#include <cassert>
#include <cmath>

namespace hashpivot::market {

SampleMoments sample_moments(std::span<const double> x) {
  assert(!x.empty());
  const auto n = static_cast<double>(x.size());
  SampleMoments m;
  m.count = x.size();
  for (double v : x) m.mean += v;
  m.mean /= n;
  double m2 = 0, m3 = 0, m4 = 0;
  for (double v : x) {
    const double d = v - m.mean;
    const double d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
  }
  m2 /= n;
  m3 /= n;
  m4 /= n;
  m.variance = m2;
  m.skewness = m3 / std::pow(m2, 1.5);
  m.excess_kurtosis = m4 / (m2 * m2) - 3.0;
  return m;
}

}  // namespace hashpivot::market
