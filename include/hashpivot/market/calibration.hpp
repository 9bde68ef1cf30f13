#pragma once
// A calibration as a value: the fitted processes of the market and network, each a FitReport of
// (factor, model) with parameters and standard errors. `hashpivot calibrate --toml` writes one;
// io::read_calibration_toml reads it back; the market model (model/market_model.hpp) and the
// sensitivity study build from it. No file I/O here.

#include <string>
#include <string_view>
#include <vector>

#include "hashpivot/market/fit.hpp"

namespace hashpivot::market {

struct Calibration {
  std::string source;                     // where it came from (a file name), for messages
  std::vector<FitReport> reports;         // in file order

  /// The report of FACTOR/MODEL; throws InputError naming the source and the missing table.
  [[nodiscard]] const FitReport& report(std::string_view factor, std::string_view model) const;
  [[nodiscard]] bool has(std::string_view factor, std::string_view model) const;
};

}  // namespace hashpivot::market
