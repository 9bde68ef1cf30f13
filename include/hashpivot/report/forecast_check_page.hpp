#pragma once
// The HTML page of `hashpivot forecast-check --report`: one self-contained file (uPlot inlined, as in the run
// report) with the score table and, per series, the log-CRPS of the model and the two baselines by horizon and
// the coverage of the 50% and 90% bands against their nominal levels. The data is the command's JSON output.
// Like the run report, <body data-charts-expected="N" data-charts-drawn="M" data-errors="K"> lets a headless
// browser check that every chart was drawn.

#include <string>
#include <string_view>

namespace hashpivot::report {

/// The page for `json_text` (the object `hashpivot forecast-check --json` prints) with `title`.
[[nodiscard]] std::string forecast_check_html(std::string_view json_text, std::string_view title);

}  // namespace hashpivot::report
