#include "hashpivot/report/html_report.hpp"

#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "hashpivot/core/atomic_file.hpp"
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

// NaN and infinity have no JSON form; they become null, which the page shows as "-".
nlohmann::json number(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

nlohmann::json page_data(const io::RunRecord& r) {
  nlohmann::json strategies = nlohmann::json::array();
  for (const io::StrategySummary& s : r.strategies) strategies.push_back({{"strategy", s.strategy}});
  nlohmann::json quantiles = nlohmann::json::array();
  std::vector<std::string> months;
  for (const io::MonthlyQuantiles& q : r.monthly_quantiles) {
    quantiles.push_back({{"strategy", q.strategy ? nlohmann::json(*q.strategy) : nlohmann::json(nullptr)},
                         {"month", q.month},
                         {"series", q.series},
                         {"p5", number(q.p5)},
                         {"p25", number(q.p25)},
                         {"p50", number(q.p50)},
                         {"p75", number(q.p75)},
                         {"p95", number(q.p95)}});
    if (!q.strategy && q.series == "btc_price_usd") months.push_back(q.month);
  }
  nlohmann::json accounts = nlohmann::json::array();
  for (const io::MonthlyAccount& a : r.monthly_accounts)
    accounts.push_back({{"strategy", a.strategy}, {"month", a.month}, {"field", a.field}, {"mean", number(a.mean)}});
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

std::string millions(double usd) { return std::isfinite(usd) ? fmt::format("{:.1f}", usd / 1e6) : "-"; }
std::string dollars(double usd) { return std::isfinite(usd) ? fmt::format("{:.0f}", usd) : "-"; }
std::string percent(double p) { return std::isfinite(p) ? fmt::format("{:.1f}%", 100 * p) : "-"; }
std::string plain(double v, int decimals) { return std::isfinite(v) ? fmt::format("{:.{}f}", v, decimals) : "-"; }

std::string comparison_table(const io::RunRecord& r) {
  std::string html = "<table class=\"cmp\"><thead><tr><th></th>";
  for (const io::StrategySummary& s : r.strategies) html += "<th>" + escape_html(s.strategy) + "</th>";
  html += "</tr></thead><tbody>";
  auto row = [&](const std::string& label, auto cell, const std::string& css = "") {
    html += "<tr" + (css.empty() ? std::string() : " class=\"" + css + "\"") + "><th>" + label + "</th>";
    for (const io::StrategySummary& s : r.strategies) html += "<td>" + cell(s) + "</td>";
    html += "</tr>";
  };
  using S = io::StrategySummary;
  row("P(default)", [](const S& s) { return percent(s.p_default); }, "key");
  row("NPV to equity, mean ($M)", [](const S& s) { return millions(s.npv_mean_usd); }, "key");
  row("&nbsp;&nbsp;standard error ($M)", [](const S& s) { return millions(s.npv_se_usd); });
  row("&nbsp;&nbsp;5th / 50th / 95th percentile ($M)", [](const S& s) {
    return millions(s.npv_p5_usd) + " / " + millions(s.npv_p50_usd) + " / " + millions(s.npv_p95_usd);
  });
  row("CVaR 5%: mean of the worst 5% ($M)", [](const S& s) { return millions(s.cvar5_usd); });
  row("NPV against the first, mean ($M) [95% CI]", [](const S& s) {
    return millions(s.npv_vs_first_mean_usd) + " [" + millions(s.npv_vs_first_ci95_low_usd) + ", " +
           millions(s.npv_vs_first_ci95_high_usd) + "]";
  });
  row("&nbsp;&nbsp;paths where it does better", [](const S& s) { return percent(s.p_better); });
  row("BTC mined", [](const S& s) { return plain(s.btc_mined_mean_btc, 0); });
  row("BTC held at the horizon", [](const S& s) { return plain(s.btc_held_end_mean_btc, 0); });
  row("Cash cost per BTC mined ($)", [](const S& s) { return dollars(s.cash_cost_usd_per_btc); });
  row("All-in cost per BTC mined ($)", [](const S& s) { return dollars(s.all_in_cost_usd_per_btc); });
  row("Hashcost ($/PH/day)", [](const S& s) { return plain(s.hashcost_usd_per_ph_day, 2); });
  row("EBITDA per year ($M)", [](const S& s) { return millions(s.ebitda_mean_usd_per_year); });
  html += "</tbody></table>";
  return html;
}

// One sentence a reader can act on: which strategy survives most often and which creates most value.
std::string verdict(const io::RunRecord& r) {
  if (r.strategies.empty()) return "";
  const io::StrategySummary* best = &r.strategies.front();
  const io::StrategySummary* safest = best;
  for (const io::StrategySummary& s : r.strategies) {
    if (s.npv_mean_usd > best->npv_mean_usd) best = &s;
    if (s.p_default < safest->p_default) safest = &s;
  }
  std::string text = fmt::format("<b>{}</b> has the highest mean NPV (${}M); <b>{}</b> survives most often ({} of paths "
                                 "default).",
                                 escape_html(best->strategy), millions(best->npv_mean_usd), escape_html(safest->strategy),
                                 percent(safest->p_default));
  if (best != safest)
    text += fmt::format(" The choice trades value against survival: {} defaults on {} of paths.", escape_html(best->strategy),
                        percent(best->p_default));
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
table.cmp tr.key td { font-weight: 600; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(560px, 1fr)); gap: 12px; }
.chart { margin-bottom: 8px; }
pre { background: #f7f7f7; padding: 12px; overflow-x: auto; font-size: 0.85em; }
.note { color: #555; font-size: 0.9em; }
)css";

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
  html += "<p class=\"verdict\">" + verdict(r) + "</p>";
  html += "<h2>Strategies compared on the same paths</h2>" + comparison_table(r);
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

void write_html_report(const io::RunRecord& record, const std::string& path) {
  write_file_atomically(path, render_html(record), "--report");
}

}  // namespace hashpivot::report
