#pragma once
// Reading back a calibration written by `hashpivot calibrate --toml`: each [market.FACTOR.MODEL]
// table becomes a market::FitReport whose parameters are the table's numbers, with standard errors
// from [market.FACTOR.MODEL.se] (NaN where absent). Scenarios include such a file
// ([market] calibration = "...") and the engine builds its processes from it.

#include <string>
#include <string_view>
#include <vector>

#include "hashpivot/market/fit.hpp"

namespace hashpivot::io {

struct Calibration {
  std::string source;                     // the file read
  std::vector<market::FitReport> reports; // in file order

  /// The report of FACTOR/MODEL; throws InputError naming the file and the missing table.
  [[nodiscard]] const market::FitReport& report(std::string_view factor, std::string_view model) const;
  [[nodiscard]] bool has(std::string_view factor, std::string_view model) const;
};

/// Throws InputError (file, line, key) for a syntax error, a non-number parameter or a missing
/// [market] table.
[[nodiscard]] Calibration read_calibration_toml(const std::string& path);

}  // namespace hashpivot::io
