#pragma once
// AI/HPC revenue rates (docs/model.md §3, §4): the colocation lease rate, in USD per MW of critical IT
// per year with an annual escalator, and the GPU cloud rate, in USD per GPU-hour, declining as GPU
// generations turn over:
//   lease:  rate in contract year n (n = 1, 2, …) = base · (1 + g)^(n − 1)        (deterministic)
//   GPU:    price_t = price_0 · exp(−δ · t) · exp(n_t),  n_t = n_{t−1} + σ z_t,  n_0 = 0,
// t in years (day / 365), σ per day. The GPU level and σ come from ~4 weeks of marketplace
// snapshots (data/ai/README.md), which cannot identify a decline over GPU generations; δ is an
// ASSUMPTION: the cross-sectional log price gap per year of launch between A100 80GB SXM4
// (launched 2020) and H100 80GB SXM5 (launched 2022) in the same snapshots, i.e. "a GPU loses per
// year of age what an older generation trades below a newer one today".

#include "hashpivot/core/units.hpp"
#include <array>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string_view>
#include <vector>

#include "hashpivot/market/fit.hpp"
#include "hashpivot/random/philox.hpp"

namespace hashpivot::market {


/// docs/model.md §4: lease revenue ≈ $1.2–2.3M per MW-year (est from deals); the default is the midpoint.
inline constexpr double kLeaseLowUsdPerMwYear = 1.2e6;
inline constexpr double kLeaseHighUsdPerMwYear = 2.3e6;

/// A colocation lease: USD per MW of critical IT per year, escalating once a contract year.
struct ColocationLease {
  double usd_per_mw_year = 0.5 * (kLeaseLowUsdPerMwYear + kLeaseHighUsdPerMwYear);  // docs/model.md §4 midpoint
  /// g per year. docs/model.md §3 names an escalator but quotes no rate, and no deal lists one: 0 (flat)
  /// until a contract's rate is configured.
  double escalator_annual = 0.0;

  /// base · (1 + g)^(n − 1) for contract year n ≥ 1, USD per MW-year.
  [[nodiscard]] double usd_per_mw_year_in(int contract_year) const noexcept {
    return usd_per_mw_year * std::pow(1 + escalator_annual, contract_year - 1);
  }
  /// Revenue of contract day d ≥ 0 (day 0 is the first day of year 1), USD per MW:
  /// the rate of year floor(d / 365) + 1, divided by 365.
  [[nodiscard]] double usd_per_mw_day(std::int64_t contract_day) const noexcept {
    const auto year = static_cast<int>(std::floor(static_cast<double>(contract_day) / kDaysPerYear)) + 1;
    return usd_per_mw_year_in(year) / kDaysPerYear;
  }
};

/// A lease deal of docs/model.md §4, for the implied average rate total / (MW · years).
struct LeaseDeal {
  std::string_view name;
  double years;
  double mw;
  double total_usd;
};
/// The deals docs/model.md §4 lists (">200 MW" and "~500 MW" taken at 200 and 500).
inline constexpr std::array<LeaseDeal, 5> kLeaseDeals{{
    {"Core Scientific-CoreWeave", 12, 500, 8.7e9},
    {"TeraWulf-Fluidstack", 10, 200, 3.7e9},
    {"Hut 8-Fluidstack", 15, 245, 7.0e9},
    {"Cipher-Fluidstack", 10, 168, 3.0e9},
    {"Cipher-AWS", 15, 300, 5.5e9},
}};

/// GPU cloud rental price of one GPU type; no defaults (calibrate_ai_rates gives them).
struct GpuCloudRate {
  double usd_per_gpu_hour;   // price_0
  double decline_per_year;   // δ (assumption, see above)
  double sigma_log_daily;    // σ of the daily log noise

  /// n_t from n_{t−1} and the day's standard normal shock.
  [[nodiscard]] double step_log_noise(double n, double z) const noexcept { return n + sigma_log_daily * z; }
  /// price_0 · exp(−δ · day / 365 + n), USD per GPU-hour.
  [[nodiscard]] double usd_per_gpu_hour_at(double day, double log_noise) const noexcept {
    return usd_per_gpu_hour * std::exp(-decline_per_year * day / kDaysPerYear + log_noise);
  }
};

/// The AI-rate shock of (path, step): normals({kAiRates, path, step, 0})[0].
[[nodiscard]] double ai_rate_shock(const random::CounterRng& rng, std::uint32_t path, std::uint32_t step);

/// USD per GPU-hour along a path: out[0] = price_0, day t ≥ 1 uses the AI-rate shock of step t.
void simulate_gpu_usd_per_gpu_hour(const GpuCloudRate& rate, const random::CounterRng& rng, std::uint32_t path,
                                   std::span<double> out);

/// Calibrates on a GPU rental CSV (columns timestamp_utc, gpu_type, socket_type, median; USD per
/// GPU-hour). Returns two reports, factor "ai_rates":
///  1. model "gpu_cloud_decline": for each GPU type (key: gpu_type, plus "_" socket_type where
///     given, lower case, e.g. "h100_80gb_sxm5") `<key>_usd_per_gpu_hour` (median of the snapshot
///     medians; SE 1.2533 · sd / √days of the daily medians, as if days were independent) and
///     `<key>_sigma_log_daily` (sd of day-on-day log changes of the daily median of the snapshot
///     medians, UTC days; SE σ / √(2(n − 1))); and `decline_per_year` (the assumption above, NaN SE).
///     Goodness of fit per type: log change from the first to the last day, model −δ · Δt.
///  2. model "colocation_lease", method "sourced": ColocationLease{}, with each docs/model.md §4 deal's
///     implied rate total / (MW · years) as a goodness-of-fit line.
/// Throws InputError (file, line, column) for a bad timestamp, a non-numeric or non-positive median,
/// or a missing column; InputError (gpu_type) if A100_80GB SXM4 or H100_80GB SXM5 is absent.
[[nodiscard]] std::vector<FitReport> calibrate_ai_rates(const std::filesystem::path& gpu_csv);

/// The rate of GPU type `key` (as in the parameter names, e.g. "h100_80gb_sxm5") in a
/// "gpu_cloud_decline" report. Throws ParameterError naming a missing parameter.
[[nodiscard]] GpuCloudRate gpu_cloud_rate_from_report(const FitReport& report, std::string_view key);

/// The lease a "colocation_lease" report describes. Throws ParameterError naming a missing parameter.
[[nodiscard]] ColocationLease colocation_lease_from_report(const FitReport& report);

}  // namespace hashpivot::market
