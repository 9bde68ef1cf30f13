#pragma once
// One correlated shock per day across factors (docs/model.md §3): independent standard normals z are
// mapped to correlated ones by the lower Cholesky factor L of the correlation matrix R = L·Lᵀ,
//   ε = L·z,  so Cov(ε) = R.
// The factor order is fixed: price, fees, hashrate (CorrelatedFactor).

#include <array>
#include <cstddef>
#include <span>

#include "hashpivot/market/fit.hpp"
#include "hashpivot/market/history.hpp"

namespace hashpivot::market {

enum class CorrelatedFactor : std::size_t { kBtcPrice = 0, kFees = 1, kHashrate = 2 };
inline constexpr std::size_t kCorrelatedFactors = 3;

using CorrelationMatrix = std::array<std::array<double, kCorrelatedFactors>, kCorrelatedFactors>;

/// The lower Cholesky factor of a correlation matrix, applied each day to independent normals.
class CorrelatedShocks {
 public:
  /// Throws ParameterError "correlation" if `correlation` is not symmetric with unit diagonal and
  /// positive definite.
  explicit CorrelatedShocks(const CorrelationMatrix& correlation);
  /// The identity: independent factors.
  CorrelatedShocks();

  /// ε = L·z for one day. No allocation.
  [[nodiscard]] std::array<double, kCorrelatedFactors> apply(const std::array<double, kCorrelatedFactors>& z) const {
    std::array<double, kCorrelatedFactors> out{};
    for (std::size_t i = 0; i < kCorrelatedFactors; ++i)
      for (std::size_t j = 0; j <= i; ++j) out[i] += lower_[i][j] * z[j];
    return out;
  }
  [[nodiscard]] const CorrelationMatrix& lower() const { return lower_; }

 private:
  CorrelationMatrix lower_{};
};

/// The daily series whose co-movement defines the shocks, from a history: log return of the price,
/// log change of fees per block (FeeTotNtv / BlkCnt), and log change of the 7-day trailing mean
/// hashrate (the one-day HashRate is a noisy estimate from that day's block count). Days where any
/// is unknown are left out.
struct DailyShockSeries {
  std::array<std::vector<double>, kCorrelatedFactors> changes;  // aligned: same days in each
};
[[nodiscard]] DailyShockSeries daily_shock_series(const DailyHistory& history);

/// Pearson correlation of the daily changes, with the standard error (1 − r²)/√(n − 1) for each
/// pair; factor "correlation", model "daily_shocks", parameters `btc_price_fees`,
/// `btc_price_hashrate`, `fees_hashrate`. Goodness of fit: each pair's correlation on the first
/// and second half of the sample (stability).
[[nodiscard]] FitReport calibrate_correlation(const DailyHistory& history);

/// The matrix encoded in a report from calibrate_correlation.
[[nodiscard]] CorrelationMatrix correlation_from_report(const FitReport& report);

}  // namespace hashpivot::market
