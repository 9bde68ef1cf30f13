#include "hashpivot/report/html_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <utility>
#include <vector>
#include <nlohmann/json.hpp>

#include "hashpivot/core/atomic_file.hpp"
#include "hashpivot/core/error.hpp"
#include "hashpivot/io/scenario_reader.hpp"
#include "hashpivot/report/format.hpp"
#include "hashpivot/report/inputs_summary.hpp"
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

/// The least width of a chart's y axis (labels, ticks and gap): "$400.0M" needs about 60 px at the
/// page's 12 px font; the page widens it for longer labels.
constexpr int kYAxisMinSizePx = 72;
/// A fan is drawn on a log scale when its positive values span at least this many decades; values
/// more than kLogScaleFloorDecades below its largest (zero after a default, negative cash) are drawn
/// at that floor, which the chart's title states.
constexpr int kLogScaleMinDecades = 2;
constexpr int kLogScaleFloorDecades = 4;

// JSON placed inside <script>: "</" would close the element, so it is written "<\/".
std::string json_for_script(const nlohmann::json& j) {
  std::string text = j.dump();
  for (std::size_t at = text.find("</"); at != std::string::npos; at = text.find("</", at + 3)) text.replace(at, 2, "<\\/");
  return text;
}

// Whether the run's scenario has shares (shares issued is known, not NaN, for its strategies).
bool has_shares(const io::RunRecord& r) {
  constexpr std::size_t kSharesIssued = sim::metric_index("shares_issued_mean");
  return std::ranges::any_of(r.strategies, [](const io::StrategySummary& s) { return std::isfinite(s[kSharesIssued]); });
}

// What the page's script draws. NaN and infinity have no JSON form: null, which the page shows as "-".
}  // namespace

nlohmann::json chart_data_json(const io::RunRecord& r) {
  constexpr std::size_t kHashcost = sim::metric_index("hashcost_usd_per_ph_day");
  constexpr std::size_t kDefault = sim::metric_index("p_default");
  constexpr std::size_t kSharesIssued = sim::metric_index("shares_issued_mean");
  nlohmann::json strategies = nlohmann::json::array();
  for (const io::StrategySummary& s : r.strategies)
    strategies.push_back({{"strategy", s.strategy},
                          {"hashcost_usd_per_ph_day", number_or_null(s[kHashcost])},
                          {"p_default", number_or_null(s[kDefault])},
                          {"shares_issued_mean", number_or_null(s[kSharesIssued])}});
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
  return {{"run", {{"id", r.run.id}, {"paths", r.run.paths}}},
          {"layout", {{"y_axis_min_size_px", kYAxisMinSizePx}, {"log_scale_min_decades", kLogScaleMinDecades},
                      {"log_scale_floor_decades", kLogScaleFloorDecades}}},
          {"months", months},
          {"strategies", strategies},
          {"monthly_quantiles", quantiles},
          {"monthly_accounts", accounts},
          {"default_months", defaults}};
}

namespace {

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
.wide { display: block; }
.chart { margin-bottom: 8px; }
h3 { font-size: 1em; margin: 1em 0 0.3em; }
.scroll { overflow-x: auto; }
details { margin: 0.5em 0; }
summary { cursor: pointer; color: #1f4f7b; }
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

/// "<tr><th>label</th><td>value</td>…</tr>" of escaped cells.
std::string row_html(std::string_view label, const std::vector<std::string>& cells) {
  std::string html = "<tr><th>" + escape_html(label) + "</th>";
  for (const std::string& c : cells) html += "<td>" + escape_html(c) + "</td>";
  return html + "</tr>";
}

std::string fleet_html(const nlohmann::json& fleet) {
  std::string html = fmt::format("<p>Fleet: <b>{} EH/s</b> at <b>{} J/TH</b> (hashrate-weighted), {} MW at the meter.</p>",
                                 significant(fleet["hashrate_ehs"].get<double>(), 3),
                                 fleet["efficiency_j_per_th"].is_null() ? "-" : fixed(fleet["efficiency_j_per_th"].get<double>(), 1),
                                 fixed(fleet["power_mw"].get<double>(), 1));
  html += "<table class=\"cmp\" id=\"inputs-fleet\"><thead><tr><th>machine</th><th>site</th><th>count</th><th>EH/s</th>"
          "<th>J/TH</th><th>uptime</th><th>MW</th></tr></thead><tbody>";
  for (const nlohmann::json& e : fleet["entries"])
    html += row_html(e["machine"].get<std::string>(),
                     {e["site"].get<std::string>(), count(e["count"].get<double>()), significant(e["hashrate_ehs"].get<double>(), 3),
                      fixed(e["efficiency_j_per_th"].get<double>(), 1), percent(e["uptime"].get<double>(), 0),
                      fixed(e["power_mw"].get<double>(), 1)});
  return html + "</tbody></table>";
}

std::string sites_html(const nlohmann::json& sites) {
  std::string html = "<table class=\"cmp\" id=\"inputs-sites\"><thead><tr><th>site</th><th>MW</th><th>contract</th>"
                     "<th>$/MWh</th><th>PUE</th><th>credit $/MWh</th></tr></thead><tbody>";
  std::string conversions;
  for (const nlohmann::json& site : sites) {
    html += row_html(site["name"].get<std::string>(),
                     {fixed(site["capacity_mw"].get<double>(), 1), site["power_contract"].get<std::string>(),
                      fixed(site["power_price_usd_per_mwh"].get<double>(), 2), fixed(site["pue"].get<double>(), 2),
                      fixed(site["curtailment_credit_usd_per_mwh"].get<double>(), 2)});
    if (!site["conversion"].is_null())
      conversions += "<li>" + escape_html(site["name"].get<std::string>()) + ": " +
                     escape_html(site["conversion"].get<std::string>()) + "</li>";
  }
  html += "</tbody></table>";
  return conversions.empty() ? html : html + "<ul class=\"note\">" + conversions + "</ul>";
}

std::string debt_html(const nlohmann::json& debt) {
  if (debt.empty()) return "<p>No debt.</p>";
  std::string html = "<table class=\"cmp\" id=\"inputs-debt\"><thead><tr><th>debt (by maturity)</th><th>kind</th>"
                     "<th>principal ($M)</th><th>rate</th><th>maturity</th><th>amortization</th><th>terms</th></tr>"
                     "</thead><tbody>";
  for (const nlohmann::json& d : debt)
    html += row_html(d["name"].get<std::string>(),
                     {d["kind"].get<std::string>(), millions(d["principal_usd"].get<double>()),
                      percent(d["rate_annual"].get<double>(), 2), d["maturity"].get<std::string>(),
                      d["amortization"].get<std::string>(), d["terms"].get<std::string>()});
  return html + "</tbody></table>";
}

/// The inputs a reader needs, from the scenario as recorded: fleet, sites, debt, the strategies in
/// a sentence each. The scenario is read again from its recorded text, its relative paths against
/// the recorded path; when that no longer reads (a file moved, an older format), a note says so and
/// the raw text below stands alone.
std::string inputs_html(const io::RunRecord& r) {
  nlohmann::json summary;
  try {
    std::vector<InputWarning> ignored;
    summary = inputs_summary_json(io::read_scenario_text(r.scenario_text, r.run.scenario_path, ignored));
  } catch (const InputError& e) {
    return "<p class=\"note\" id=\"inputs-unread\">The summary is not available: the recorded scenario no longer "
           "reads (" + escape_html(e.what()) + "); the file as run is below.</p>";
  }
  std::string strategies;
  for (const nlohmann::json& st : summary["strategies"])
    strategies += "<li><b>" + escape_html(st["name"].get<std::string>()) + "</b>: " +
                  escape_html(st["sentence"].get<std::string>()) + "</li>";
  return "<div id=\"inputs-summary\">" + fleet_html(summary["fleet"]) + "<h3>Sites</h3>" + sites_html(summary["sites"]) +
         "<h3>Debt</h3>" + debt_html(summary["debt"]) + "<h3>Strategies</h3><ul id=\"inputs-strategies\">" + strategies +
         "</ul></div>";
}

/// A monthly account's mean as the accounts table shows it: USD in $M (two decimals), BTC with
/// two decimals, counts whole.
std::string account_text(std::string_view field, double mean) {
  if (field.ends_with("_usd")) return millions(mean, 2);
  if (field.starts_with("btc")) return fixed(mean, 2);
  return count(mean);
}

/// Per strategy (a <details> each, the first open), its monthly accounts: a row per month, a column
/// per recorded field, the mean over paths (defaulted paths count with their zero days).
std::string accounts_html(const io::RunRecord& r) {
  std::vector<std::string> fields;
  for (const io::MonthlyAccount& a : r.monthly_accounts)
    if (std::ranges::find(fields, a.field) == fields.end()) fields.push_back(a.field);
  std::string html;
  for (const io::StrategySummary& s : r.strategies) {
    html += fmt::format("<details class=\"accounts\"{}><summary>{}</summary><div class=\"scroll\"><table class=\"cmp\">"
                        "<thead><tr><th>month</th>",
                        &s == &r.strategies.front() ? " open" : "", escape_html(s.strategy));
    for (const std::string& f : fields)
      html += "<th>" + escape_html(f.ends_with("_usd") ? f.substr(0, f.size() - 4) + " ($M)" : f) + "</th>";
    html += "</tr></thead><tbody>";
    // Months in recorded order, each a cell per field ("-" for a field the run did not record).
    std::vector<std::pair<std::string, std::vector<std::string>>> months;
    for (const io::MonthlyAccount& a : r.monthly_accounts) {
      if (a.strategy != s.strategy) continue;
      if (months.empty() || months.back().first != a.month)
        months.emplace_back(a.month, std::vector<std::string>(fields.size(), "-"));
      const auto f = static_cast<std::size_t>(std::ranges::find(fields, a.field) - fields.begin());
      months.back().second[f] = account_text(a.field, a.mean);
    }
    for (const auto& [month, cells] : months) html += row_html(month, cells);
    html += "</tbody></table></div></details>";
  }
  return html;
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
  // A run made with --no-record has no id (0): the header does not invent one.
  const std::string run_label = r.run.id > 0 ? fmt::format("run {}", r.run.id) : "not recorded";
  html += fmt::format("<p class=\"meta\">{} &middot; {} paths{} &middot; seed {} &middot; from {} for {} days &middot; "
                      "hashpivot {} &middot; {} to {}</p>",
                      run_label, r.run.paths,
                      r.run.variance_reduction.value_or(false) ? " (antithetic pairs, control variates)" : "",
                      r.run.seed, escape_html(r.run.start_date), r.run.horizon_days,
                      escape_html(r.run.version), escape_html(r.run.started_at), escape_html(r.run.finished_at));
  html += warnings_html(r.warnings);
  html += "<p class=\"verdict\">" + verdict(r) + "</p>";
  html += "<h2>Strategies compared on the same paths</h2>" + table_html(strategy_table(r.strategies));
  if (r.strategies.size() > 1)
    html += "<h2>Against " + escape_html(r.strategies.front().strategy) + " on the same paths (NPV difference)</h2>" +
            table_html(against_first_table(r.strategies));
  html += "<p class=\"note\">NPV to equity: what holders own at the horizon (cash + BTC at market &minus; debt + terminal "
          "value), discounted; 0 on paths where the firm defaults, and floored at 0 where it survives under water, so its "
          "5% tail is often 0 for every strategy. The tail is shown instead by the net worth of the surviving paths (the "
          "same value, not floored: negative when the firm ends under water): its 5th percentile and CVaR 5% (the mean of "
          "its worst 5%), read beside P(default), which counts the rest.</p>";
  html += "<h2>When firms default</h2><div id=\"defaults\" class=\"wide\"></div>";
  if (has_shares(r))
    html += "<h2>Dilution against default risk</h2><p class=\"note\">One point per strategy: its probability of "
            "default over the horizon and the shares it issues on average (ATM sales and conversions), on the same "
            "paths.</p><div id=\"dilution\" class=\"wide\"></div>";
  html += "<h2>Equity</h2><div id=\"equity\" class=\"grid\"></div>";
  html += "<h2>Cash</h2><p class=\"note\">After a default, cash stays as it stood on the day of default (the shortfall "
          "that caused it, often negative), while equity counts as 0: the creditors own what is left.</p>"
          "<div id=\"cash\" class=\"grid\"></div>";
  html += "<h2>BTC held</h2><div id=\"btc\" class=\"grid\"></div>";
  html += "<h2>Debt</h2><div id=\"debt\" class=\"grid\"></div>";
  html += "<h2>Market (the same paths for every strategy)</h2><div id=\"market\" class=\"grid\"></div>";
  html += "<h2>Cost per BTC against the price</h2><div id=\"cost\" class=\"wide\"></div>";
  html += fmt::format("<p class=\"note\">Fans: the shaded bands hold 90% and 50% of paths each month, the line is the "
                      "median. A fan whose positive values span {} decades or more is drawn on a log scale (\"log\" in "
                      "its title); there, values more than {} decades below its largest (0 after a default, negative "
                      "cash) are shown at that floor, which the title states.</p>",
                      kLogScaleMinDecades, kLogScaleFloorDecades);
  html += "<h2>Monthly accounts (mean over paths)</h2><div id=\"accounts\">" + accounts_html(r) + "</div>";
  html += "<h2>Inputs</h2>" + inputs_html(r) + "<ul class=\"note\">" + market + "</ul>";
  html += "<details id=\"scenario-text\"><summary>The scenario file as run</summary><pre>" + escape_html(r.scenario_text) +
          "</pre></details>";
  html += "<script id=\"hp-data\" type=\"application/json\">" + json_for_script(chart_data_json(r)) + "</script>";
  html += "<script>" + assets::uplot_js() + "</script>";
  html += "<script>" + assets::report_page_js() + "</script>";
  html += "</body></html>\n";
  return html;
}

void write_html_report(const io::RunRecord& record, const std::string& path, const std::string& field) {
  write_file_atomically(path, render_html(record), field);
}

}  // namespace hashpivot::report
