#include "hashpivot/io/calibration_reader.hpp"

#include <fmt/format.h>

#include <limits>

#include "hashpivot/core/error.hpp"
#include "hashpivot/io/toml_reader.hpp"

namespace hashpivot::io {
namespace {

std::size_t line_of(const toml::node& node) { return static_cast<std::size_t>(node.source().begin.line); }

}  // namespace

market::Calibration read_calibration_toml(const std::string& path) {
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
        if (!number)
          throw InputError(path, line_of(value), fmt::format("{}.{}", key, name.str()), "expected a number");
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
