#include "hashpivot/market/correlation.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <string>

#include "hashpivot/core/error.hpp"

namespace hashpivot::market {
namespace {

/// Rounding allowed in a correlation matrix's unit diagonal and symmetry (a matrix read back from
/// text keeps 17 digits, far inside it).
constexpr double kMatrixTolerance = 1e-12;
/// Days of complete daily changes below which a correlation is mostly noise (SE ≈ 1/√n > 0.18).
constexpr std::size_t kMinDays = 30;

constexpr std::array<const char*, 3> kPairNames{"btc_price_fees", "btc_price_hashrate", "fees_hashrate"};
constexpr std::array<std::pair<std::size_t, std::size_t>, 3> kPairs{{{0, 1}, {0, 2}, {1, 2}}};
constexpr int kHashrateSmoothingDays = 7;

double pearson(std::span<const double> x, std::span<const double> y) {
  const auto n = static_cast<double>(x.size());
  double mx = 0, my = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  double sxy = 0, sxx = 0, syy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
    syy += (y[i] - my) * (y[i] - my);
  }
  return sxy / std::sqrt(sxx * syy);
}

}  // namespace

CorrelatedShocks::CorrelatedShocks() {
  for (std::size_t i = 0; i < kCorrelatedFactors; ++i) lower_[i][i] = 1.0;
}

CorrelatedShocks::CorrelatedShocks(const CorrelationMatrix& r) {
  for (std::size_t i = 0; i < kCorrelatedFactors; ++i) {
    require(std::abs(r[i][i] - 1.0) <= kMatrixTolerance, "correlation", "a correlation matrix has ones on its diagonal");
    for (std::size_t j = 0; j < i; ++j)
      require(std::abs(r[i][j] - r[j][i]) <= kMatrixTolerance, "correlation", "a correlation matrix is symmetric");
  }
  // Cholesky–Banachiewicz.
  for (std::size_t i = 0; i < kCorrelatedFactors; ++i)
    for (std::size_t j = 0; j <= i; ++j) {
      double sum = r[i][j];
      for (std::size_t k = 0; k < j; ++k) sum -= lower_[i][k] * lower_[j][k];
      if (i == j) {
        require(sum > 0, "correlation", "the correlation matrix is not positive definite");
        lower_[i][i] = std::sqrt(sum);
      } else {
        lower_[i][j] = sum / lower_[j][j];
      }
    }
}

DailyShockSeries daily_shock_series(const DailyHistory& h) {
  const std::size_t n = h.days();
  std::vector<double> fee_per_block(n, std::numeric_limits<double>::quiet_NaN());
  std::vector<double> smoothed_hashrate(n, std::numeric_limits<double>::quiet_NaN());
  for (std::size_t i = 0; i < n; ++i) {
    if (is_known(h.fees_btc[i]) && is_known(h.block_count[i]) && h.block_count[i] > 0 && h.fees_btc[i] > 0)
      fee_per_block[i] = h.fees_btc[i] / h.block_count[i];
    if (i + 1 >= kHashrateSmoothingDays) {
      double sum = 0;
      bool known = true;
      for (std::size_t k = i + 1 - kHashrateSmoothingDays; k <= i; ++k) {
        known = known && is_known(h.hashrate_ths[k]) && h.hashrate_ths[k] > 0;
        sum += h.hashrate_ths[k];
      }
      if (known) smoothed_hashrate[i] = sum / kHashrateSmoothingDays;
    }
  }
  const std::array<const std::vector<double>*, kCorrelatedFactors> levels{&h.price_usd, &fee_per_block,
                                                                           &smoothed_hashrate};
  DailyShockSeries out;
  for (std::size_t i = 1; i < n; ++i) {
    bool known = true;
    for (const auto* level : levels)
      known = known && is_known((*level)[i]) && is_known((*level)[i - 1]) && (*level)[i] > 0 && (*level)[i - 1] > 0;
    if (!known) continue;
    for (std::size_t f = 0; f < kCorrelatedFactors; ++f)
      out.changes[f].push_back(std::log((*levels[f])[i] / (*levels[f])[i - 1]));
  }
  return out;
}

FitReport calibrate_correlation(const DailyHistory& history) {
  const DailyShockSeries series = daily_shock_series(history);
  const std::size_t n = series.changes[0].size();
  if (n < kMinDays)
    throw InputError(history.source, 0, "",
                     fmt::format("fewer than {} days with price, fees and hashrate all known", kMinDays));
  FitReport report{"correlation", "daily_shocks", "Pearson correlation of daily log changes", static_cast<int>(n),
                   std::numeric_limits<double>::quiet_NaN(), {}, {}};
  const std::size_t half = n / 2;
  for (std::size_t p = 0; p < kPairs.size(); ++p) {
    const auto [a, b] = kPairs[p];
    const std::span<const double> x = series.changes[a];
    const std::span<const double> y = series.changes[b];
    const double r = pearson(x, y);
    report.parameters.push_back({kPairNames[p], r, (1 - r * r) / std::sqrt(static_cast<double>(n - 1))});
    report.fit.push_back({std::string(kPairNames[p]) + ": first half vs second half of the sample",
                          pearson(x.first(half), y.first(half)), pearson(x.subspan(half), y.subspan(half)),
                          "model = first half, history = second half"});
  }
  return report;
}

CorrelationMatrix correlation_from_report(const FitReport& report) {
  CorrelationMatrix r{};
  for (std::size_t i = 0; i < kCorrelatedFactors; ++i) r[i][i] = 1.0;
  for (std::size_t p = 0; p < kPairs.size(); ++p) {
    r[kPairs[p].first][kPairs[p].second] = r[kPairs[p].second][kPairs[p].first] = report_parameter(report, kPairNames[p]);
  }
  return r;
}

}  // namespace hashpivot::market
