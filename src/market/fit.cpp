#include "hashpivot/market/fit.hpp"

#include <fmt/format.h>

#include <stdexcept>

namespace hashpivot::market {

const Estimate& find_estimate(const FitReport& report, std::string_view name) {
  for (const Estimate& e : report.parameters)
    if (e.name == name) return e;
  throw std::invalid_argument(fmt::format("the {} / {} fit report has no parameter '{}'", report.factor, report.model, name));
}

double report_parameter(const FitReport& report, std::string_view name) { return find_estimate(report, name).value; }

}  // namespace hashpivot::market
