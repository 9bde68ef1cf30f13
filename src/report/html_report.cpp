#include "hashpivot/report/html_report.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "hashpivot/core/atomic_file.hpp"
#include "hashpivot/report/format.hpp"
#include "hashpivot/report/strategy_table.hpp"
#include "report_assets.hpp"

namespace hashpivot::report {
namespace {

std::string escape_html(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

// JSON placed inside <script>: "</" would close the element, so it is written "<\/".
std::string json_for_script(const nlohmann::json& j) {
  std::string text = j.dump();
  for (std::size_t at = text.find("</"); at != std::string::npos; at = text.find("</", at + 3)) text.replace(at, 2, "<\\/");
  return text;
}

// What the page's script draws. NaN and infinity have no JSON form: null, which the page shows as "-".
nlohmann::json page_data(const io::RunRecord& r) {
  nlohmann::json strategies = nlohmann::json::array();
  for (const io::StrategySummary& s : r.strategies) strategies.push_back({{"strategy", s.strategy}});
  nlohmann::json quantiles = nlohmann::json::array();
  std::vector<std::string> months;
  for (const io::MonthlyQuantiles& q : r.monthly_quantiles) {
    quantiles.push_back({{"strategy", q.strategy ? nlohmann::json(*q.strategy) : nlohmann::json(nullptr)},
                         {"month", q.month},
                         {"series", q.series},
                         {"p5", number_or_null(q.p5)},
                         {"p25", number_or_null(q.p25)},
                         {"p50", number_or_null(q.p50)},
                         {"p75", number_or_null(q.p75)},
                         {"p95", number_or_null(q.p95)}});
    if (!q.strategy && q.series == "btc_price_usd") months.push_back(q.month);
  }
  nlohmann::json accounts = nlohmann::json::array();
  for (const io::MonthlyAccount& a : r.monthly_accounts)
    accounts.push_back({{"strategy", a.strategy}, {"month", a.month}, {"field", a.field}, {"mean", number_or_null(a.mean)}});
  nlohmann::json defaults = nlohmann::json::array();
  for (const io::DefaultMonth& d : r.default_months)
    defaults.push_back({{"strategy", d.strategy}, {"month", d.month}, {"paths_defaulted", d.paths_defaulted}});
  return {{"run", {{"paths", r.run.paths}}},
          {"months", months},
          {"strategies", strategies},
          {"monthly_quantiles", quantiles},
          {"monthly_accounts", accounts},
          {"default_months", defaults}};
}

/// A label's leading spaces (a sub-row's indent) kept in HTML.
std::string label_html(std::string_view label) {
  std::string html;
  while (label.starts_with(' ')) {
    html += "&nbsp;";
    label.remove_prefix(1);
  }
  return html + escape_html(label);
}

std::string table_html(const TextTable& table) {
  std::string html = "<table class=\"cmp\"><thead><tr>";
  for (const std::string& cell : table.header) html += "<th>" + escape_html(cell) + "</th>";
  html += "</tr></thead><tbody>";
  for (const std::vector<std::string>& row : table.rows) {
    html += "<tr><th>" + label_html(row.front()) + "</th>";
    for (std::size_t c = 1; c < row.size(); ++c) html += "<td>" + escape_html(row[c]) + "</td>";
    html += "</tr>";
  }
  return html + "</tbody></table>";
}

// One sentence a reader can act on: which strategy survives most often and which creates most value.
std::string verdict(const io::RunRecord& r) {
  if (r.strategies.empty()) return "";
  constexpr std::size_t kNpv = sim::metric_index("npv_mean_usd");
  constexpr std::size_t kDefault = sim::metric_index("p_default");
  const io::StrategySummary* best = &r.strategies.front();
  const io::StrategySummary* safest = best;
  for (const io::StrategySummary& s : r.strategies) {
    if (s[kNpv] > (*best)[kNpv]) best = &s;
    if (s[kDefault] < (*safest)[kDefault]) safest = &s;
  }
  std::string text = fmt::format("<b>{}</b> has the highest mean NPV (${}M); <b>{}</b> survives most often ({} of paths "
                                 "default).",
                                 escape_html(best->strategy), millions((*best)[kNpv]), escape_html(safest->strategy),
                                 percent((*safest)[kDefault]));
  if (best != safest)
    text += fmt::format(" The choice trades value against survival: {} defaults on {} of paths.", escape_html(best->strategy),
                        percent((*best)[kDefault]));
  return text;
}

constexpr std::string_view kStyle = R"css(
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px auto; max-width: 1200px; color: #222; }
h1 { font-size: 1.5em; margin-bottom: 0.2em; }
h2 { font-size: 1.15em; margin-top: 1.8em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; }
.meta { color: #666; font-size: 0.9em; }
.verdict { background: #f4f7fb; border-left: 4px solid #1f77b4; padding: 0.6em 1em; margin: 1em 0; }
table.cmp { border-collapse: collapse; font-size: 0.92em; }
table.cmp th, table.cmp td { padding: 4px 10px; border-bottom: 1px solid #eee; text-align: right; }
table.cmp thead th { text-align: right; border-bottom: 2px solid #999; }
table.cmp tbody th { text-align: left; font-weight: normal; color: #444; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(560px, 1fr)); gap: 12px; }
.chart { margin-bottom: 8px; }
pre { background: #f7f7f7; padding: 12px; overflow-x: auto; font-size: 0.85em; }
.note { color: #555; font-size: 0.9em; }
.warnings { background: #fff8e1; border-left: 4px solid #e0a800; padding: 0.6em 1em; margin: 1em 0; }
.warnings ul { margin: 0.3em 0 0 0; padding-left: 1.2em; font-family: ui-monospace, monospace; font-size: 0.88em; }
)css";

/// The box of the run's plausibility warnings, near the top (a reader must see that the inputs were
/// doubtful before reading results); "" for a run without any.
std::string warnings_html(const std::vector<std::string>& warnings) {
  if (warnings.empty()) return "";
  std::string items;
  for (const std::string& w : warnings) items += "<li>" + escape_html(w) + "</li>";
  return fmt::format("<div class=\"warnings\" id=\"warnings\"><b>{} implausible input{}</b>: valid, but far outside "
                     "what the world has seen (a wrong unit?); the results below rest on {}.<ul>{}</ul></div>",
                     warnings.size(), warnings.size() == 1 ? "" : "s", warnings.size() == 1 ? "it" : "them", items);
}

}  // namespace

std::string render_html(const io::RunRecord& r) {
  std::string market;
  for (const std::string& line : r.market_description) market += "<li>" + escape_html(line) + "</li>";
  std::string html;
  html.reserve(200'000);
  html += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">";
  html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">";
  html += "<title>hashpivot: " + escape_html(r.run.scenario_name) + "</title>";
  html += "<style>" + assets::uplot_css() + std::string(kStyle) + "</style></head><body>";
  html += "<h1>" + escape_html(r.run.scenario_name) + "</h1>";
  html += fmt::format("<p class=\"meta\">run {} &middot; {} paths &middot; seed {} &middot; from {} for {} days &middot; "
                      "hashpivot {} &middot; {} to {}</p>",
                      r.run.id, r.run.paths, r.run.seed, escape_html(r.run.start_date), r.run.horizon_days,
                      escape_html(r.run.version), escape_html(r.run.started_at), escape_html(r.run.finished_at));
  html += warnings_html(r.warnings);
  html += "<p class=\"verdict\">" + verdict(r) + "</p>";
  html += "<h2>Strategies compared on the same paths</h2>" + table_html(strategy_table(r.strategies));
  if (r.strategies.size() > 1)
    html += "<h2>Against " + escape_html(r.strategies.front().strategy) + " on the same paths (NPV difference)</h2>" +
            table_html(against_first_table(r.strategies));
  html += "<p class=\"note\">NPV to equity: what holders own at the horizon (cash + BTC at market &minus; debt + terminal "
          "value), discounted; 0 on paths where the firm defaults. CVaR 5%: the mean NPV of the worst 5% of paths.</p>";
  html += "<h2>When firms default</h2><div id=\"defaults\" class=\"grid\"></div>";
  html += "<h2>Equity</h2><div id=\"equity\" class=\"grid\"></div>";
  html += "<h2>Cash</h2><div id=\"cash\" class=\"grid\"></div>";
  html += "<h2>BTC held</h2><div id=\"btc\" class=\"grid\"></div>";
  html += "<h2>Debt</h2><div id=\"debt\" class=\"grid\"></div>";
  html += "<h2>Market (the same paths for every strategy)</h2><div id=\"market\" class=\"grid\"></div>";
  html += "<h2>Cost per BTC against the price</h2><div id=\"cost\" class=\"grid\"></div>";
  html += "<p class=\"note\">Fans: the shaded bands hold 90% and 50% of paths each month, the line is the median.</p>";
  html += "<h2>Inputs</h2><ul class=\"note\">" + market + "</ul><pre>" + escape_html(r.scenario_text) + "</pre>";
  html += "<script id=\"hp-data\" type=\"application/json\">" + json_for_script(page_data(r)) + "</script>";
  html += "<script>" + assets::uplot_js() + "</script>";
  html += "<script>" + assets::report_page_js() + "</script>";
  html += "</body></html>\n";
  return html;
}

void write_html_report(const io::RunRecord& record, const std::string& path, const std::string& field) {
  write_file_atomically(path, render_html(record), field);
}

}  // namespace hashpivot::report
