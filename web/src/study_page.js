// The Study page: `hashpivot sensitivity` on the scenario loaded on the Scenario page, as a job of
// the server's queue (POST /api/studies/sensitivity): its progress in runs, then each strategy's
// tornado (mean NPV with each input at its low and high, around the base) and, when asked for, the
// break-even BTC and power prices. Below it, `hashpivot optimize` on a strategy that declares search
// ranges (POST /api/studies/optimize, a small search): the declared point against the optimum, in
// sample and out of sample, with their standard errors. Last, a site's real options (POST
// /api/studies/options, `hashpivot options --site`): their values and the decision boundaries on the
// previous month's hashprice, month by month, as a chart.
import { h } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import htm from 'htm';
import { api, postJson } from './api.js';
import { parseFields, displayValue } from './toml_fields.js';
import { kept } from './scenario_page.js';
import { money, monthTime, palette } from './charts.js';
import { Chart } from './run_page.js';

const html = htm.bind(h);
const BAR_WIDTH_PX = 260;  // each side of the base line

function Tornado({ strategy }) {
  const base = strategy.base.npv_usd.mean;
  const reach = Math.max(1, ...strategy.tornado.flatMap((b) => [Math.abs(b.at_low.npv_usd.mean - base), Math.abs(b.at_high.npv_usd.mean - base)]));
  const bar = (value, color) => {
    const d = value - base;
    const width = (Math.abs(d) / reach) * BAR_WIDTH_PX;
    const left = d < 0 ? BAR_WIDTH_PX - width : BAR_WIDTH_PX;
    return html`<div class="bar" style=${`left:${left}px;width:${width}px;background:${color}`} title=${money(value)}></div>`;
  };
  const shown = (v) => (v == null ? '-' : Math.abs(v) >= 1000 ? v.toFixed(0) : v.toPrecision(3));
  return html`<h3>${strategy.name}: mean NPV ${money(base)} \u00b1 ${money(strategy.base.npv_usd.se)} (SE), P(default) ${(100 * strategy.base.p_default.value).toFixed(1)}%</h3>
    <table class="tornado" data-testid="tornado" data-strategy=${strategy.name}><tbody>${strategy.tornado.map((b) => html`<tr data-input=${b.input}>
      <td>${b.input}</td><td>${shown(b.low)} / ${shown(b.high)} ${b.unit}</td>
      <td><div class="bars" style=${`width:${2 * BAR_WIDTH_PX}px`}>${bar(b.at_low.npv_usd.mean, '#d62728aa')}${bar(b.at_high.npv_usd.mean, '#2ca02caa')}<div class="axis" style=${`left:${BAR_WIDTH_PX}px`}></div></div></td>
      <td>${money(b.at_low.npv_usd.mean)} / ${money(b.at_high.npv_usd.mean)}</td></tr>`)}</tbody></table>
    ${strategy.break_even_btc_price_usd && html`<p>Break-even (mean EBITDA = 0): BTC price ${breakEven(strategy.break_even_btc_price_usd, money)},
      power price ${breakEven(strategy.break_even_power_price_usd_per_mwh, (v) => v.toFixed(1) + ' $/MWh')}</p>`}`;
}
function breakEven(b, format) {
  if (!b || !b.found || b.value == null) return 'none in the bracket';
  return `${format(b.value)} \u00b1 ${format(b.se ?? 0)} (SE)`;
}

/// A study job of the queue: its state from the event stream, then its result's `key` once done.
function useStudyJob(key) {
  const [job, setJob] = useState(null);
  const [result, setResult] = useState(null);
  const [error, setError] = useState('');
  useEffect(() => {
    if (!job || !job.id) return undefined;
    const events = new EventSource(`/api/runs/${job.id}/events`);
    const update = (e) => {
      const state = JSON.parse(e.data);
      setJob(state);
      if (!['done', 'failed', 'cancelled'].includes(state.status)) return;
      events.close();
      api('/api/studies/' + state.id).then((r) => (r[key] ? setResult(r[key]) : setError(r.error || r.status)))
        .catch((e2) => setError(e2.message));
    };
    for (const name of ['progress', 'done', 'failed', 'cancelled']) events.addEventListener(name, update);
    return () => events.close();
  }, [job && job.id]);
  const start = (path, body) => {
    setResult(null);
    setError('');
    postJson(path, body).then((r) => setJob({ ...r, id: r.study_id })).catch((e) => setError(e.message));
  };
  const running = job && (job.status === 'queued' || job.status === 'running');
  return { job, result, error, start, running };
}

const OPTIMIZE_PATHS = 300;
const OPTIMIZE_EVALUATIONS = 10;

/// Declared against optimum: the objective's bars with their 95% intervals (1.96 SE), in sample (the
/// search's paths) and out of sample (fresh paths), on one scale.
function OptimizerBars({ r }) {
  const rows = [
    ['declared, in sample', r.declared], ['optimum, in sample', r.optimum],
    ['declared, out of sample', r.out_of_sample.declared],
    ['optimum, out of sample', { ...r.out_of_sample, parameters: r.best }],
  ];
  const Z95 = 1.96;
  const top = Math.max(1, ...rows.map(([, p]) => Math.abs(p.objective) + Z95 * p.objective_se));
  const px = (v) => (Math.abs(v) / top) * 2 * BAR_WIDTH_PX;
  const params = (p) => Object.entries(p.parameters || {}).map(([k, v]) => `${k} ${Number.isInteger(v) ? v : v.toFixed(1)}`).join(', ');
  return html`<table class="tornado" data-testid="optimizer"><tbody>${rows.map(([name, p]) => html`<tr data-point=${name}>
    <td>${name}</td><td>${params(p)}</td>
    <td><div class="bars" style=${`width:${2 * BAR_WIDTH_PX}px`}>
      <div class="bar" style=${`left:0;width:${px(p.objective)}px;background:${name.startsWith('optimum') ? '#2ca02caa' : '#1f77b4aa'}`}></div>
      <div class="axis" style=${`left:${px(p.objective - Z95 * p.objective_se)}px;width:${px(2 * Z95 * p.objective_se)}px;height:2px;top:50%`}></div></div></td>
    <td>${money(p.objective)} \u00b1 ${money(p.objective_se)} (SE)</td>
    <td>P(default) ${(100 * p.p_default).toFixed(1)}% \u00b1 ${(100 * p.p_default_se).toFixed(1)}</td></tr>`)}</tbody></table>`;
}

/// The strategies that declare search ranges (`search.KEY = {...}` in their [[strategies]] element, or
/// a [strategies.search] table under it): only those can be optimized without --vary.
export function searchableStrategies(text) {
  const names = [];
  let current = null;
  for (const line of text.split('\n')) {
    const header = /^\s*\[\[?\s*([A-Za-z0-9_.]+)\s*\]/.exec(line);
    if (header) {
      if (header[1] === 'strategies') current = { name: null, search: false };
      else if (header[1] === 'strategies.search' && current) current.search = true;
      else if (!header[1].startsWith('strategies.')) current = null;
      if (current && !names.includes(current)) names.push(current);
      continue;
    }
    if (!current) continue;
    const name = /^\s*name\s*=\s*(.*)$/.exec(line);
    if (name && current.name == null) current.name = displayValue(name[1].replace(/\s+#.*$/, '').trim());
    if (/^\s*search\.[A-Za-z0-9_]+\s*=/.test(line)) current.search = true;
  }
  return names.filter((c) => c.search && c.name).map((c) => c.name);
}

function OptimizerStudy() {
  const searchable = searchableStrategies(kept.text);
  const [strategy, setStrategy] = useState(searchable[0] || '');
  const { job, result, error, start, running } = useStudyJob('optimization');
  if (!searchable.length) return html`<section><h2>Study: optimizer</h2><p>No strategy of this scenario declares search ranges ([strategies.search]).</p></section>`;
  return html`<section><h2>Study: optimizer</h2>
    <div class="toolbar">
      <select data-testid="optimize-strategy" value=${strategy} onChange=${(e) => setStrategy(e.target.value)}>${searchable.map((n) => html`<option value=${n}>${n}</option>`)}</select>
      <button data-testid="optimize-run" disabled=${running} onClick=${() => start('/api/studies/optimize',
        { scenario_toml: kept.text, scenario_path: kept.path, strategy, paths: OPTIMIZE_PATHS, evaluations: OPTIMIZE_EVALUATIONS })}>Optimize (${OPTIMIZE_PATHS} paths, ${OPTIMIZE_EVALUATIONS} evaluations)</button>
      ${running && html`<span data-testid="optimize-progress">${job.status}: evaluation ${job.done} of ${job.total || '?'}</span>
        <button onClick=${() => fetch(`/api/runs/${job.id}/cancel`, { method: 'POST' })}>Cancel</button>`}
      ${error && html`<span class="error">${error}</span>`}
    </div>
    ${result && html`<p data-testid="optimize-summary">${result.strategy}: ${result.evaluations} evaluations of ${result.paths} paths (seed ${result.seed}), objective ${result.objective_name};
      out of sample ${result.out_of_sample.paths} paths, seed ${result.out_of_sample.seed}. A small search: its optimum is indicative, the out-of-sample rows say whether it holds on fresh paths.</p>
      <${OptimizerBars} r=${result} />`}</section>`;
}

/// The boundaries by month: convert when the hashprice is below (or above) the first line, idle below
/// the second, restart above the third; a month without a crossing has no point.
function boundarySpec(o) {
  const convert = o.convert ? o.convert.boundary : [];
  const months = o.shutdown.boundary.map((b) => b.month);
  const line = (label, values, color) => ({ label, stroke: color, width: 2, points: { show: true, size: 4 }, data: values });
  const lines = [
    ...(o.convert ? [line(`convert ${o.convert.mw} MW when`, convert.map((b) => b.hashprice_usd_per_ph_day), palette[0])] : []),
    line('idle below', o.shutdown.boundary.map((b) => b.idle_below_usd_per_ph_day), palette[1]),
    line('restart above', o.shutdown.boundary.map((b) => b.restart_above_usd_per_ph_day), palette[2]),
  ];
  return {
    title: `${o.site}: decision boundaries on hashprice (USD/PH/day)`, unit: '',
    series: lines.map(({ data, ...rest }) => rest),
    columns: [months.map(monthTime), ...lines.map((l) => l.data)],
    width: 900,
  };
}

function OptionsStudy() {
  const sites = parseFields(kept.text).filter((f) => f.docId === 'sites.name').map((f) => displayValue(f.raw));
  const [site, setSite] = useState(sites[0] || '');
  const { job, result, error, start, running } = useStudyJob('options');
  const value = (label, v, se) => html`<tr><td>${label}</td><td>${money(v)} \u00b1 ${money(se)} (SE)</td></tr>`;
  // Each study is one element, so that Preact keeps the page's parts in order as they fill in.
  return html`<section><h2>Study: real options of a site</h2>
    <div class="toolbar">
      <select data-testid="options-site" value=${site} onChange=${(e) => setSite(e.target.value)}>${sites.map((n) => html`<option value=${n}>${n}</option>`)}</select>
      <button data-testid="options-run" disabled=${running} onClick=${() => start('/api/studies/options',
        { scenario_toml: kept.text, scenario_path: kept.path, site })}>Value the options (4,000 + 4,000 paths)</button>
      ${running && html`<span data-testid="options-progress">${job.status}</span>`}
      ${error && html`<span class="error">${error}</span>`}
    </div>
    ${result && html`<table class="cmp" data-testid="options-values"><tbody>
        ${result.convert ? html`${value(`option to convert ${result.convert.mw} MW`, result.convert.value, result.convert.se)}
          ${value('convert now', result.convert.convert_now, result.convert.convert_now_se)}
          <tr><td>decision today</td><td>${result.convert.decision}</td></tr>` : html`<tr><td colspan="2">${result.convert_note}</td></tr>`}
        ${value(`shut down / restart flexibility, ${result.shutdown.mw.toFixed(1)} MW`, result.shutdown.value, result.shutdown.se)}
      </tbody></table>
      <p>${result.paths} pricing + ${result.fit_paths} fitting paths, seed ${result.seed}, ${result.months} monthly decisions; values in USD at the start date (docs/real_options.md).</p>
      <div class="charts" data-testid="options-charts"><${Chart} spec=${boundarySpec(result)} /></div>`}</section>`;
}

export function StudyPage() {
  const fields = kept.text ? parseFields(kept.text) : [];
  const names = fields.filter((f) => f.docId === 'strategies.name').map((f) => displayValue(f.raw));
  const [strategy, setStrategy] = useState(names[0] || '');
  const [paths, setPaths] = useState(200);
  const [breakEvens, setBreakEvens] = useState(false);
  const { job, result, error, start: startJob, running } = useStudyJob('sensitivity');
  if (!kept.text) return html`<h2>Study</h2><p>Load a scenario on the <a href="#/scenario">Scenario</a> page first.</p>`;
  const start = () => startJob('/api/studies/sensitivity',
    { scenario_toml: kept.text, scenario_path: kept.path, paths: Number(paths), strategy, break_evens: breakEvens });
  return html`<section><h2>Study: sensitivity</h2>
    <div class="toolbar">
      <select data-testid="study-strategy" value=${strategy} onChange=${(e) => setStrategy(e.target.value)}>${names.map((n) => html`<option value=${n}>${n}</option>`)}</select>
      <label>paths <input type="number" min="1" data-testid="study-paths" value=${paths} onInput=${(e) => setPaths(e.target.value)} style="width:90px" /></label>
      <label><input type="checkbox" checked=${breakEvens} onChange=${(e) => setBreakEvens(e.target.checked)} /> break-evens (dozens of runs more)</label>
      <button data-testid="study-run" disabled=${running} onClick=${start}>Run the tornado</button>
      ${running && html`<span data-testid="study-progress">${job.status}: run ${job.done} of ${job.total || '?'}</span>
        <button onClick=${() => fetch(`/api/runs/${job.id}/cancel`, { method: 'POST' })}>Cancel</button>`}
      ${error && html`<span class="error">${error}</span>`}
    </div>
    ${result && html`<p data-testid="study-summary">${result.scenario}: ${result.runs} runs of ${result.paths} paths, seed ${result.seed}, ${result.seconds.toFixed(1)} s.
      Each input moves low (red) and high (green) on the same paths; drift, volatility and hashrate growth by one standard error of the calibration, the others by ${(100 * result.relative_bump).toFixed(0)}%.</p>
      ${result.strategies.map((s) => html`<${Tornado} strategy=${s} />`)}`}</section>
    <${OptimizerStudy} />
    <${OptionsStudy} />`;
}
