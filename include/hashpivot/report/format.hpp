#pragma once
// How numbers are written for people (terminal tables, the HTML report) and in JSON: one module for
// every command. Each text function writes "-" for a value that is not finite (NaN: unknown;
// ±infinity: e.g. a cost per BTC when nothing was mined), and never a negative zero ("-0.0"
// when a small negative value rounds to zero is written "0.0").

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "hashpivot/sim/metrics.hpp"

namespace hashpivot::report {

/// USD in millions: millions(12'345'678) = "12.3"; `decimals` after the point.
[[nodiscard]] std::string millions(double usd, int decimals = 1);
/// Whole dollars: dollars(41'234.6) = "41235".
[[nodiscard]] std::string dollars(double usd);
/// A fraction as a percentage: percent(0.125) = "12.5%"; `decimals` after the point.
[[nodiscard]] std::string percent(double fraction, int decimals = 1);
/// `decimals` digits after the point: fixed(3.14159, 2) = "3.14"; fixed(2.5, 0) = "2".
[[nodiscard]] std::string fixed(double x, int decimals);
/// A count, or a mean count, rounded to a whole number: count(2.6) = "3".
[[nodiscard]] std::string count(double n);
/// `digits` significant digits: significant(0.000123456, 3) = "0.000123".
[[nodiscard]] std::string significant(double x, int digits);

/// A metric's value as its table shows it (sim::MetricFormat).
[[nodiscard]] std::string metric_text(sim::MetricFormat format, double value);

/// A number in JSON: null when it is not finite (JSON has no NaN or infinity).
[[nodiscard]] nlohmann::json number_or_null(double x);
/// An optional number in JSON: null when absent (a scenario key left to the calibration).
[[nodiscard]] nlohmann::json number_or_null(const std::optional<double>& x);

}  // namespace hashpivot::report
