// The run page's charts with uPlot, after the static report's (src/report/report_page.js): money
// formatting, y axes as wide as their labels, fans drawn on a log scale when they span decades.
import uPlot from 'uplot';

export const palette = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#8c564b', '#e377c2'];
const Y_AXIS_MIN_PX = 72;
const LOG_MIN_DECADES = 2;    // a fan spanning this many decades is drawn on a log scale
const LOG_FLOOR_DECADES = 4;  // values this far below its top (0 after default) are drawn at the floor

export function monthTime(month) {
  const [y, m] = month.split('-').map(Number);
  return Date.UTC(y, m - 1, 1) / 1000;
}

/// "$1.2M", "-$342.0k": the sign before the dollar.
export function money(v) {
  if (v == null || !isFinite(v)) return '-';
  const a = Math.abs(v);
  const sign = v < 0 ? '-$' : '$';
  if (a >= 1e9) return sign + (a / 1e9).toFixed(2) + 'B';
  if (a >= 1e6) return sign + (a / 1e6).toFixed(1) + 'M';
  if (a >= 1e3) return sign + (a / 1e3).toFixed(1) + 'k';
  return sign + a.toFixed(0);
}

export function formatValue(unit) {
  return (u, v) => {
    if (v == null || !isFinite(v)) return '-';
    if (unit === 'USD') return money(v);
    if (unit === '%') return v.toFixed(1) + '%';
    const a = Math.abs(v);
    if (a >= 1e6) return (v / 1e6).toFixed(2) + 'M';
    if (a >= 1e3) return (v / 1e3).toFixed(1) + 'k';
    return a >= 10 ? v.toFixed(0) : v.toFixed(2);
  };
}

function hasPoints(columns) {
  for (let s = 1; s < columns.length; s++)
    for (const v of columns[s]) if (v != null && isFinite(v)) return true;
  return false;
}

/// Draws one chart into `box` (a div); marks it data-points="yes" when a series has a value.
export function drawChart(box, { title, unit, series, columns, options, width }) {
  const f = formatValue(unit);
  const extra = options || {};
  const opts = Object.assign({
    title, width: width || 560, height: 240,
    scales: { x: { time: true } },
    axes: [{}, {
      values: (u, splits) => splits.map((v) => f(u, v)),
      size: (u, values) => Math.max(Y_AXIS_MIN_PX, Math.ceil(7.5 * Math.max(0, ...(values || []).map((v) => String(v).length))) + 18),
    }],
    series: [{}].concat(series.map((s) => Object.assign({ value: f }, s))),
    legend: { live: false },
  }, extra);
  box.dataset.title = title;
  box.dataset.scale = opts.scales.y && opts.scales.y.distr === 3 ? 'log' : 'linear';
  box.dataset.points = hasPoints(columns) ? 'yes' : 'no';
  return new uPlot(opts, columns, box);
}

function logScale(columns) {
  let top = 0;
  columns.forEach((c) => c.forEach((v) => { if (v != null && isFinite(v)) top = Math.max(top, v); }));
  if (!(top > 0)) return null;
  const floor = top / Math.pow(10, LOG_FLOOR_DECADES);
  let low = Infinity;
  columns.forEach((c) => c.forEach((v) => { if (v != null && v > floor) low = Math.min(low, v); }));
  if (!(top / low >= Math.pow(10, LOG_MIN_DECADES))) return null;
  return { floor, columns: columns.map((c) => c.map((v) => (v == null || !isFinite(v) ? v : Math.max(v, floor)))) };
}

export function quantiles(data, strategy, series) {
  const rows = data.monthly_quantiles.filter((q) => q.series === series && q.strategy === strategy);
  const pick = (k) => rows.map((q) => q[k]);
  return { t: rows.map((q) => monthTime(q.month)), p5: pick('p5'), p25: pick('p25'), p50: pick('p50'), p75: pick('p75'), p95: pick('p95') };
}

/// A fan's chart spec: 5-95% and 25-75% bands around the median, with optional dashed lines.
export function fanSpec(data, title, unit, strategy, series, color, extraLines) {
  const q = quantiles(data, strategy, series);
  let values = [q.p5, q.p25, q.p50, q.p75, q.p95].concat((extraLines || []).map((e) => e.values));
  const log = logScale(values);
  const options = { bands: [{ series: [5, 1], fill: color + '22' }, { series: [4, 2], fill: color + '44' }] };
  if (log) {
    values = log.columns;
    options.scales = { x: { time: true }, y: { distr: 3 } };
  }
  return {
    title: title + (log ? ` (log; < ${formatValue(unit)(null, log.floor)} shown at it)` : ''), unit, options,
    series: [
      { label: '5%', stroke: color + '55', width: 1 }, { label: '25%', stroke: color + '99', width: 1 },
      { label: 'median', stroke: color, width: 2 }, { label: '75%', stroke: color + '99', width: 1 },
      { label: '95%', stroke: color + '55', width: 1 },
    ].concat((extraLines || []).map((e) => ({ label: e.label, stroke: e.color, width: 1.5, dash: [6, 3] }))),
    columns: [q.t].concat(values),
  };
}

/// The cumulative probability of default by month, one line per strategy (%).
export function defaultSpec(data) {
  const months = data.months;
  const columns = [months.map(monthTime)];
  const series = [];
  data.strategies.forEach((s, i) => {
    let cumulative = 0;
    columns.push(months.map((m) => {
      for (const d of data.default_months) if (d.strategy === s.strategy && d.month === m) cumulative += d.paths_defaulted;
      return (100 * cumulative) / data.run.paths;
    }));
    series.push({ label: s.strategy, stroke: palette[i % palette.length], width: 2 });
  });
  return { title: 'Probability of default by then (%)', unit: '%', series, columns };
}

/// Hashprice's fan with each strategy's hashcost (its cash cost per PH/s-day) as a flat line.
export function hashpriceSpec(data) {
  const t = quantiles(data, null, 'hashprice_usd_per_ph_day').t;
  const lines = data.strategies.filter((s) => s.hashcost_usd_per_ph_day != null).map((s, i) => ({
    label: s.strategy + ' hashcost', color: palette[i % palette.length], values: t.map(() => s.hashcost_usd_per_ph_day),
  }));
  return fanSpec(data, "Hashprice and the fleet's hashcost (USD per PH/s per day)", 'USD', null, 'hashprice_usd_per_ph_day', '#8c564b', lines);
}

/// Cash cost per BTC mined by month (power + opex - curtailment credit, over BTC mined) against the median price.
export function costSpec(data) {
  const months = data.months;
  const price = quantiles(data, null, 'btc_price_usd');
  const columns = [months.map(monthTime), price.p50];
  const series = [{ label: 'BTC price (median)', stroke: '#444444', width: 2 }];
  const index = new Map(data.monthly_accounts.map((a) => [`${a.strategy}|${a.month}|${a.field}`, a.mean]));
  data.strategies.forEach((s, i) => {
    columns.push(months.map((m) => {
      const field = (name) => index.get(`${s.strategy}|${m}|${name}`) ?? NaN;
      const mined = field('btc_mined');
      const cost = field('power_cost_usd') + field('opex_usd') - field('curtailment_credit_usd');
      return mined > 0 ? cost / mined : null;
    }));
    series.push({ label: s.strategy + ' cash cost', stroke: palette[i % palette.length], width: 1.5, dash: [6, 3] });
  });
  return { title: 'Cash cost per BTC mined vs BTC price (USD)', unit: 'USD', series, columns };
}
