#include "hashpivot/report/format.hpp"

#include <fmt/format.h>

#include <cmath>

#include "hashpivot/core/units.hpp"

namespace hashpivot::report {
namespace {

/// "-0.00" → "0.00": a value that rounds to zero has no sign.
std::string unsigned_zero(std::string text) {
  if (!text.empty() && text.front() == '-' && text.find_first_not_of("-0.") == std::string::npos) text.erase(0, 1);
  return text;
}

}  // namespace

std::string fixed(double x, int decimals) {
  if (!std::isfinite(x)) return "-";
  return unsigned_zero(fmt::format("{:.{}f}", x, decimals));
}

std::string millions(double usd, int decimals) { return fixed(usd / kMillion, decimals); }

std::string dollars(double usd) { return fixed(usd, 0); }

std::string percent(double fraction, int decimals) {
  if (!std::isfinite(fraction)) return "-";
  return fixed(kPercentPerUnit * fraction, decimals) + "%";
}

std::string count(double n) { return fixed(n, 0); }

std::string significant(double x, int digits) {
  if (!std::isfinite(x)) return "-";
  return unsigned_zero(fmt::format("{:.{}g}", x, digits));
}

std::string metric_text(sim::MetricFormat format, double value) {
  switch (format) {
    case sim::MetricFormat::kMillionsUsd: return millions(value);
    case sim::MetricFormat::kDollars: return dollars(value);
    case sim::MetricFormat::kPercent: return percent(value);
    case sim::MetricFormat::kWhole: return count(value);
    case sim::MetricFormat::kFixed2: return fixed(value, 2);
  }
  return "-";
}

nlohmann::json number_or_null(double x) { return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(nullptr); }

nlohmann::json number_or_null(const std::optional<double>& x) { return x ? number_or_null(*x) : nlohmann::json(nullptr); }

}  // namespace hashpivot::report
