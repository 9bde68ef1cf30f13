#pragma once
// The energy price a site pays (docs/model.md §3), in USD per MWh: either a fixed contract price (a PPA
// or a hosting rate) or an index, a daily log-OU process with spikes (fees.hpp, LogOuSpikes) and a
// deterministic hourly shape:
//   ln P_{d,h} = x_d + s_h,   h = 0 … 23 (hour ending 01:00 … 24:00),   Σ_h s_h = 0,
//   x_{d+1} = x_d + κ (θ − x_d) + σ z_d + J_d.
// The model has no intraday noise: within a day, hours differ only by the shape.
//
// Calibration on ERCOT day-ahead hourly settlement point prices (data/energy/README.md). ERCOT
// prices can be zero or negative; for the log fit every hourly price below kLogPriceFloorUsdPerMwh
// is raised to it (the report says how many hours were affected). Mean and tail statistics of the
// history use the prices as published.

#include "hashpivot/core/units.hpp"
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "hashpivot/core/date.hpp"
#include "hashpivot/market/fees.hpp"
#include "hashpivot/market/fit.hpp"
#include "hashpivot/random/philox.hpp"

namespace hashpivot::market {


/// The hub the calibration uses by default: ERCOT West hub (HB_WEST), the column of that name in
/// data/energy/electricity_ercot_dam_spp_hourly_2021_2025.csv (the brief's choice: West Texas is
/// where Texan mining load sits; any column of the file can be passed instead).
inline constexpr std::string_view kErcotDefaultColumn = "hb_west_usd_per_mwh";

/// Hourly prices below this are raised to it before taking logs. A method choice, not a market
/// figure: 1 USD/MWh keeps ln P finite and bounded (ln 1 = 0) for the 4% of ERCOT West hours at or
/// below zero in 2021–2025.
inline constexpr double kLogPriceFloorUsdPerMwh = 1.0;

/// A fixed-price contract: the same price every hour.
struct FixedEnergyPrice {
  double price_usd_per_mwh;
};

/// The index: daily log level x_d (ln USD/MWh) and the hourly shape s_h.
struct EnergyIndex {
  LogOuSpikes log_daily;                      // x_d in ln USD per MWh
  std::array<double, kHoursPerDay> hourly_shape{};  // s_h, ln; index 0 = hour ending 01:00

  [[nodiscard]] double step_log(double x, const SpikeShocks& s) const noexcept { return log_daily.step(x, s); }
  /// P_{d,h} = exp(x_d + s_h), USD per MWh. Precondition: hour < 24.
  [[nodiscard]] double price_usd_per_mwh(double x, std::size_t hour) const noexcept {
    return std::exp(x + hourly_shape[hour]);
  }
};

using EnergyPriceModel = std::variant<FixedEnergyPrice, EnergyIndex>;

/// Price in USD/MWh of hour `hour` of a day whose index log level is `x` (ignored for a fixed price).
[[nodiscard]] inline double hourly_price_usd_per_mwh(const EnergyPriceModel& model, double x, std::size_t hour) noexcept {
  if (const auto* fixed = std::get_if<FixedEnergyPrice>(&model)) return fixed->price_usd_per_mwh;
  return std::get<EnergyIndex>(model).price_usd_per_mwh(x, hour);
}

/// The energy shocks of (path, step), from Stream::kEnergyPrice (z) and Stream::kEnergySpikes.
[[nodiscard]] SpikeShocks energy_shocks(const random::CounterRng& rng, std::uint32_t path, std::uint32_t step);

/// Hourly prices along a path, USD/MWh: day d fills out[24 d … 24 d + 23]; day 0 has the log level
/// x0, day d ≥ 1 moves by the energy shocks of step d. Precondition: out.size() is a multiple of 24.
void simulate_energy_hourly_usd_per_mwh(const EnergyIndex& index, const random::CounterRng& rng, std::uint32_t path,
                                        double x0, std::span<double> out);

/// An hourly price table on a contiguous daily grid: 24 values per day, NaN where an hour is absent
/// (the spring-forward hour); a repeated fall-back hour is the mean of its two prices.
struct HourlyPrices {
  std::string source;                 // file (or a description for synthetic data)
  std::string column;                 // the price column read
  DayNumber first_day = 0;            // date of day 0
  std::vector<double> usd_per_mwh;    // size 24 · days; [24 d + h] is hour ending h + 1 of day d

  [[nodiscard]] std::size_t days() const { return usd_per_mwh.size() / kHoursPerDay; }
};

/// Reads an ERCOT DAM hourly CSV (columns delivery_date, hour_ending "HH:00" 01…24,
/// repeated_hour_flag, and `column`). Days absent from the file are all-NaN days. Throws InputError
/// naming file, line and column for a missing column, a bad date or hour, a non-numeric price, dates
/// out of order, or an hour repeated without the repeated-hour flag.
[[nodiscard]] HourlyPrices read_ercot_hourly_csv(const std::filesystem::path& csv, const std::string& column);

/// Calibrates EnergyIndex on hourly prices: floor at kLogPriceFloorUsdPerMwh, y = ln P;
/// s_h = mean over complete days of (y_{d,h} − mean_h y_{d,h}) (SE: sd across days / √days, as if
/// days were independent); x_d = mean over the day's known hours of (y_{d,h} − s_h); then
/// fit_log_ou_spikes on x. Factor "energy", model "log_ou_spikes_hourly"; parameters kappa_per_day,
/// theta_log_usd_per_mwh, theta_usd_per_mwh, sigma_daily, spike_prob_daily, spike_mean_log,
/// spike_sd_log, hour_01_shape … hour_24_shape. Goodness of fit: mean price, sd of the daily log
/// level, share of hours above twice their day's mean price, share of hours at or below zero, hour of
/// the highest shape against the hour of the highest mean price.
[[nodiscard]] FitReport calibrate_energy_index(const HourlyPrices& prices);

/// read_ercot_hourly_csv then calibrate_energy_index: one report, for `column`.
[[nodiscard]] std::vector<FitReport> calibrate_energy_ercot(const std::filesystem::path& csv, const std::string& column);

/// The index a report from calibrate_energy_index describes. Throws ParameterError naming a
/// missing parameter.
[[nodiscard]] EnergyIndex energy_index_from_report(const FitReport& report);

}  // namespace hashpivot::market
