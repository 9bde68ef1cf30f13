#include "hashpivot/market/calibration.hpp"

#include <fmt/format.h>

#include "hashpivot/core/error.hpp"

namespace hashpivot::market {

const FitReport& Calibration::report(std::string_view factor, std::string_view model) const {
  for (const FitReport& r : reports)
    if (r.factor == factor && r.model == model) return r;
  throw InputError(source, 0, fmt::format("market.{}.{}", factor, model),
                   "missing: the calibration has no such table (write it with `hashpivot calibrate --toml`)");
}

bool Calibration::has(std::string_view factor, std::string_view model) const {
  for (const FitReport& r : reports)
    if (r.factor == factor && r.model == model) return true;
  return false;
}

}  // namespace hashpivot::market
