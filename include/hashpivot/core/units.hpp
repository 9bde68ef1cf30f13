#pragma once
// Units shared by every module, so that no conversion factor is written as a bare number.
//
// Time: the model steps in days, and every annual rate (drift, volatility, interest, lease
// escalator) is converted with a 365-day year; a month of a year's figure is a twelfth of it.
// Hashrate: TH/s is the unit of machines and of the model, PH/s of hashprice (USD/PH/day), EH/s of
// scenario files; a hash is one evaluation of the block header's hash. Power: W for machines, MW
// for sites. Money: USD.

#include <cstddef>

namespace hashpivot {

// Time.
inline constexpr double kDaysPerYear = 365.0;
inline constexpr double kMonthsPerYear = 12.0;
inline constexpr std::size_t kHoursPerDay = 24;
inline constexpr double kSecondsPerMinute = 60.0;
inline constexpr double kSecondsPerHour = 3600.0;
inline constexpr double kSecondsPerDay = 86400.0;
inline constexpr double kMillisecondsPerSecond = 1e3;

// Hashrate.
inline constexpr double kThPerPh = 1e3;
inline constexpr double kPhPerEh = 1e3;
inline constexpr double kThPerEh = 1e6;
inline constexpr double kHashesPerTh = 1e12;
inline constexpr double kHashesPerPh = 1e15;

// Power.
inline constexpr double kWattsPerMegawatt = 1e6;
inline constexpr double kKilowattsPerMegawatt = 1e3;

// Money (BTC's satoshis are the chain's: chain::kSatPerBtc) and printed magnitudes.
/// Printed in thousands ($k), millions ($M, M path-days/s), billions ($B) and trillions (difficulty
/// in T).
inline constexpr double kThousand = 1e3;
inline constexpr double kMillion = 1e6;
inline constexpr double kBillion = 1e9;
inline constexpr double kTrillion = 1e12;
/// A fraction printed as a percentage.
inline constexpr double kPercentPerUnit = 100.0;

}  // namespace hashpivot
