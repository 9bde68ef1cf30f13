#include "hashpivot/market/fit.hpp"

#include <fmt/format.h>

#include "hashpivot/core/error.hpp"

namespace hashpivot::market {

const Estimate& find_estimate(const FitReport& report, std::string_view name) {
  for (const Estimate& e : report.parameters)
    if (e.name == name) return e;
  throw ParameterError(std::string(name), fmt::format("missing from the {} / {} fit report", report.factor, report.model));
}

double report_parameter(const FitReport& report, std::string_view name) { return find_estimate(report, name).value; }

}  // namespace hashpivot::market
