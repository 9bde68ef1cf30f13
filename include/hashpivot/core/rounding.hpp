#pragma once
// Rounding the hot loops need without a library call.

#include <cstdint>

namespace hashpivot {

/// floor(x) as an integer, exactly std::floor's value for every x in (−2^63, 2^63) (truncation
/// toward zero, then one down for a negative non-integer); x outside that range or NaN is undefined
/// behaviour, as for the cast it replaces. std::floor is a library call on x86-64's baseline (SSE2 has
/// no rounding instruction; SSE4.1's roundsd is not assumed), and the market's day calls it seven
/// times (docs/speed.md).
[[nodiscard]] inline std::int64_t floor_to_int64(double x) {
  const auto truncated = static_cast<std::int64_t>(x);
  return static_cast<double>(truncated) > x ? truncated - 1 : truncated;
}

}  // namespace hashpivot
