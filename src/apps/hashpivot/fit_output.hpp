#pragma once
// How fit reports leave the program: a readable text block, a JSON object keyed by factor and
// model, and a TOML fragment that a scenario can include.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hashpivot/market/fit.hpp"

namespace hashpivot::cli {

/// A block of text per report: header line, one line per parameter (value ± se), fit lines.
[[nodiscard]] std::string fit_reports_text(const std::vector<market::FitReport>& reports);

/// {factor: {model: {param: value, …, "se": {param: se}, "method", "observations", "log_likelihood",
/// "fit": [{"name", "model", "history", "note"}]}}}; NaN becomes null.
[[nodiscard]] nlohmann::json fit_reports_json(const std::vector<market::FitReport>& reports);

/// `[market.<factor>.<model>]` tables with the values and `[market.<factor>.<model>.se]` with the
/// standard errors; `header` lines become comments at the top. NaN values are left out.
[[nodiscard]] std::string fit_reports_toml(const std::vector<market::FitReport>& reports,
                                           const std::vector<std::string>& header);

}  // namespace hashpivot::cli
