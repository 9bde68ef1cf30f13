#include "hashpivot/io/calibration_reader.hpp"

#include <fmt/format.h>

#include <array>
#include <limits>
#include <string_view>
#include <utility>

#include "hashpivot/core/error.hpp"
#include "hashpivot/io/toml_reader.hpp"

namespace hashpivot::io {
namespace {

std::size_t line_of(const toml::node& node) { return static_cast<std::size_t>(node.source().begin.line); }

// Which plausible range (core/plausibility.hpp) a parameter falls under, by the end of its name
// (mu_annual covers bull_mu_annual and bear_mu_annual).
constexpr std::array<std::pair<std::string_view, std::string_view>, 6> kParameterRanges = {{
    {"mu_annual", "calibration *mu_annual, *drift_annual"},
    {"drift_annual", "calibration *mu_annual, *drift_annual"},
    {"sigma_annual", "calibration *sigma_annual"},
    {"sigma_daily", "calibration *sigma_daily, *sigma_log_daily"},
    {"sigma_log_daily", "calibration *sigma_daily, *sigma_log_daily"},
    {"sigma_per_day", "calibration hashrate *sigma_per_day"},
}};

void check_parameter(const std::string& path, const toml::node& node, const std::string& key, std::string_view name,
                     double value, std::vector<InputWarning>& warnings) {
  for (const auto& [suffix, range] : kParameterRanges) {
    if (!name.ends_with(suffix)) continue;
    if (auto problem = implausibility(plausible_range(range), value))
      warnings.push_back({path, line_of(node), 0, key, *problem});
    return;
  }
}

}  // namespace

market::Calibration read_calibration_toml(const std::string& path) {
  std::vector<InputWarning> ignored;
  return read_calibration_toml(path, ignored);
}

market::Calibration read_calibration_toml(const std::string& path, std::vector<InputWarning>& warnings) {
  const toml::table root = parse_toml_file(path);
  market::Calibration out{path, {}};
  const toml::table* market = root["market"].as_table();
  if (market == nullptr) throw InputError(path, 1, "market", "missing: expected [market.FACTOR.MODEL] tables");
  for (const auto& [factor, models] : *market) {
    const toml::table* models_table = models.as_table();
    if (models_table == nullptr)
      throw InputError(path, line_of(models), fmt::format("market.{}", factor.str()), "expected a table of models");
    for (const auto& [model, fields] : *models_table) {
      const std::string key = fmt::format("market.{}.{}", factor.str(), model.str());
      const toml::table* fields_table = fields.as_table();
      if (fields_table == nullptr) throw InputError(path, line_of(fields), key, "expected a table of parameters");
      market::FitReport report{std::string(factor.str()), std::string(model.str()), "read from " + path, 0,
                               std::numeric_limits<double>::quiet_NaN(), {}, {}};
      const toml::table* se = (*fields_table)["se"].as_table();
      for (const auto& [name, value] : *fields_table) {
        if (name.str() == "se") continue;
        const auto number = value.value<double>();
        const std::string full_key = fmt::format("{}.{}", key, name.str());
        if (!number) throw InputError(path, line_of(value), full_key, "expected a number");
        check_parameter(path, value, full_key, name.str(), *number, warnings);
        double standard_error = std::numeric_limits<double>::quiet_NaN();
        if (se != nullptr) standard_error = (*se)[name.str()].value<double>().value_or(standard_error);
        report.parameters.push_back({std::string(name.str()), *number, standard_error});
      }
      out.reports.push_back(std::move(report));
    }
  }
  return out;
}

}  // namespace hashpivot::io
