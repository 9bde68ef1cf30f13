#pragma once
// Time conventions shared by every module: the model steps in days, and every annual rate
// (drift, volatility, interest, lease escalator) is converted with a 365-day year.

#include <cstddef>

namespace hashpivot {

inline constexpr double kDaysPerYear = 365.0;
inline constexpr std::size_t kHoursPerDay = 24;
inline constexpr double kSecondsPerDay = 86400.0;

}  // namespace hashpivot
