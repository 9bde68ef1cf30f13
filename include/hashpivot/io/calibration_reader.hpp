#pragma once
// Reading back a calibration written by `hashpivot calibrate --toml`: each [market.FACTOR.MODEL]
// table becomes a market::FitReport whose parameters are the table's numbers, with standard errors
// from [market.FACTOR.MODEL.se] (NaN where absent). Scenarios include such a file
// ([market] calibration = "...") and the engine builds its processes from it.

#include <string>
#include <string_view>
#include <vector>

#include "hashpivot/core/plausibility.hpp"
#include "hashpivot/market/calibration.hpp"

namespace hashpivot::io {


/// Throws InputError (file, line, key) for a syntax error, a non-number parameter or a missing
/// [market] table.
[[nodiscard]] market::Calibration read_calibration_toml(const std::string& path);

/// Also appends a warning (file, line, key) for each drift or volatility outside its plausible
/// range (core/plausibility.hpp), e.g. a drift of 74.6 a year fitted on a history with a bad price.
[[nodiscard]] market::Calibration read_calibration_toml(const std::string& path, std::vector<InputWarning>& warnings);

}  // namespace hashpivot::io
