#include "fit_output.hpp"

#include <fmt/format.h>

#include <cmath>

#include "hashpivot/report/format.hpp"

namespace hashpivot::cli {
namespace {

constexpr int kSignificantDigits = 6;
std::string number(double value) { return report::significant(value, kSignificantDigits); }

}  // namespace

std::string fit_reports_text(const std::vector<market::FitReport>& reports) {
  std::string out;
  for (const auto& r : reports) {
    out += fmt::format("{} / {}  ({}; {} observations{})\n", r.factor, r.model, r.method, r.observations,
                       std::isnan(r.log_likelihood) ? "" : fmt::format("; log-likelihood {:.2f}", r.log_likelihood));
    for (const auto& p : r.parameters)
      out += fmt::format("  {:<28} {:>14}  ± {}\n", p.name, number(p.value), number(p.se));
    if (!r.fit.empty()) out += fmt::format("  {:<56} {:>12} {:>12}\n", "goodness of fit", "model", "history");
    for (const auto& f : r.fit)
      out += fmt::format("  {:<56} {:>12} {:>12}{}\n", f.name, number(f.model), number(f.history),
                         f.note.empty() ? "" : "  " + f.note);
    out += '\n';
  }
  return out;
}

nlohmann::json fit_reports_json(const std::vector<market::FitReport>& reports) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& r : reports) {
    nlohmann::json model = nlohmann::json::object();
    nlohmann::json se = nlohmann::json::object();
    for (const auto& p : r.parameters) {
      model[p.name] = p.value;
      se[p.name] = p.se;
    }
    model["se"] = se;
    model["method"] = r.method;
    model["observations"] = r.observations;
    model["log_likelihood"] = r.log_likelihood;
    nlohmann::json fit = nlohmann::json::array();
    for (const auto& f : r.fit) fit.push_back({{"name", f.name}, {"model", f.model}, {"history", f.history}, {"note", f.note}});
    model["fit"] = fit;
    out[r.factor][r.model] = model;
  }
  return out;
}

std::string fit_reports_toml(const std::vector<market::FitReport>& reports, const std::vector<std::string>& header) {
  std::string out;
  for (const auto& line : header) out += "# " + line + "\n";
  for (const auto& r : reports) {
    out += fmt::format("\n# {} / {}: {}, {} observations\n[market.{}.{}]\n", r.factor, r.model, r.method,
                       r.observations, r.factor, r.model);
    for (const auto& p : r.parameters)
      if (!std::isnan(p.value)) out += fmt::format("{} = {:.17g}\n", p.name, p.value);
    bool any_se = false;
    for (const auto& p : r.parameters) any_se = any_se || !std::isnan(p.se);
    if (!any_se) continue;
    out += fmt::format("\n[market.{}.{}.se]\n", r.factor, r.model);
    for (const auto& p : r.parameters)
      if (!std::isnan(p.se)) out += fmt::format("{} = {:.17g}\n", p.name, p.se);
  }
  return out;
}

}  // namespace hashpivot::cli
