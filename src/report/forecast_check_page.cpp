#include "hashpivot/report/forecast_check_page.hpp"

#include <string>

#include "report_assets.hpp"

namespace hashpivot::report {
namespace {

constexpr std::string_view kStyle = R"css(
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px auto; max-width: 1200px; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.15em; margin-top: 1.6em; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; font-size: 0.9em; } th, td { padding: 3px 9px; border-bottom: 1px solid #eee; text-align: right; }
th:first-child, td:first-child { text-align: left; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(560px, 1fr)); gap: 12px; }
.note { color: #555; font-size: 0.9em; }
)css";

// Builds the table and two charts per series from the JSON in #fc-data.
constexpr std::string_view kScript = R"js(
(function () {
  const body = document.body;
  let drawn = 0, errors = 0, expected = 0;
  try {
    const data = JSON.parse(document.getElementById('fc-data').textContent);
    const names = ['btc_price', 'difficulty', 'hashrate', 'hashprice'];
    const fmt = (v, d) => (v === null || v === undefined) ? '-' : Number(v).toFixed(d);
    let rows = '';
    for (const h of data.horizons) for (const s of names) {
      const x = h.series[s];
      rows += `<tr><td>${h.months} mo</td><td>${s}</td><td>${x.n}</td><td>${fmt(x.coverage_50, 2)}</td>` +
        `<td>${fmt(x.coverage_90, 2)}</td><td>${fmt(x.crps, 4)}</td><td>${fmt(x.baselines.random_walk.crps, 4)}</td>` +
        `<td>${fmt(x.baselines.random_walk.coverage_90, 2)}</td><td>${fmt(x.baselines.last_value.crps, 4)}</td>` +
        `<td>${fmt(x.pit_p_value, 3)}</td></tr>`;
    }
    document.getElementById('table').innerHTML = '<table><thead><tr><th>horizon</th><th>series</th><th>n</th>' +
      '<th>cover 50%</th><th>cover 90%</th><th>CRPS model</th><th>CRPS random walk</th><th>RW cover 90%</th>' +
      '<th>CRPS last value</th><th>PIT p</th></tr></thead><tbody>' + rows + '</tbody></table>';
    const months = data.horizons.map(h => h.months);
    const value = (h, s, get) => { const x = h.series[s]; return x.n > 0 ? get(x) : null; };
    const plot = (el, title, labels, series, colors) => {
      expected += 1;
      const div = document.createElement('div');
      el.appendChild(div);
      new uPlot({ title, width: 560, height: 260, scales: { x: { time: false } },
        axes: [{ label: 'horizon (months)' }, {}],
        series: [{ label: 'months' }].concat(labels.map((l, i) => ({ label: l, stroke: colors[i], width: 2,
          points: { show: true } }))) }, [months].concat(series), div);
      drawn += 1;
    };
    for (const s of names) {
      plot(document.getElementById('crps'), s + ': mean CRPS of log values (lower is better)',
        ['model', 'random walk', 'last value'],
        [data.horizons.map(h => value(h, s, x => x.crps)),
         data.horizons.map(h => value(h, s, x => x.baselines.random_walk.crps)),
         data.horizons.map(h => value(h, s, x => x.baselines.last_value.crps))],
        ['#1f77b4', '#ff7f0e', '#7f7f7f']);
      plot(document.getElementById('coverage'), s + ': share of realized values inside the bands',
        ['model 90%', 'model 50%', 'random walk 90%', 'nominal 90%', 'nominal 50%'],
        [data.horizons.map(h => value(h, s, x => x.coverage_90)),
         data.horizons.map(h => value(h, s, x => x.coverage_50)),
         data.horizons.map(h => value(h, s, x => x.baselines.random_walk.coverage_90)),
         months.map(() => 0.9), months.map(() => 0.5)],
        ['#1f77b4', '#2ca02c', '#ff7f0e', '#bbbbbb', '#dddddd']);
    }
  } catch (e) {
    errors += 1;
    console.error(e);
  }
  body.dataset.chartsExpected = expected;
  body.dataset.chartsDrawn = drawn;
  body.dataset.errors = errors;
})();
)js";

std::string escape_html(std::string_view text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

// The JSON inside a <script> element: "</" would end it early.
std::string json_for_script(std::string_view json) {
  std::string text(json);
  for (std::size_t at = text.find("</"); at != std::string::npos; at = text.find("</", at + 3)) text.replace(at, 2, "<\\/");
  return text;
}

}  // namespace

std::string forecast_check_html(std::string_view json_text, std::string_view title) {
  std::string html = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">";
  html += "<title>" + escape_html(title) + "</title>";
  html += "<style>" + assets::uplot_css() + std::string(kStyle) + "</style></head><body>";
  html += "<h1>" + escape_html(title) + "</h1>";
  html += "<p class=\"note\">Rolling-origin check: at each month start the models are calibrated on the history before "
          "it, simulated from the real state, and the realized value at each horizon is scored (docs/forecast_check.md). "
          "CRPS is of log values, so years weigh alike; the random walk has zero drift and the series' historical "
          "volatility; the last value is a point forecast.</p>";
  html += "<h2>Scores</h2><div id=\"table\"></div>";
  html += "<h2>CRPS by horizon</h2><div id=\"crps\" class=\"grid\"></div>";
  html += "<h2>Coverage by horizon</h2><div id=\"coverage\" class=\"grid\"></div>";
  html += "<script id=\"fc-data\" type=\"application/json\">" + json_for_script(json_text) + "</script>";
  html += "<script>" + assets::uplot_js() + "</script>";
  html += "<script>" + std::string(kScript) + "</script>";
  html += "</body></html>\n";
  return html;
}

}  // namespace hashpivot::report
