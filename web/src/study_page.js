// The Study page: `hashpivot sensitivity` on the scenario loaded on the Scenario page, as a job of
// the server's queue (POST /api/studies/sensitivity): its progress in runs, then each strategy's
// tornado (mean NPV with each input at its low and high, around the base) and, when asked for, the
// break-even BTC and power prices.
import { h } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import htm from 'htm';
import { api, postJson } from './api.js';
import { parseFields, displayValue } from './toml_fields.js';
import { kept } from './scenario_page.js';
import { money } from './charts.js';

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

export function StudyPage() {
  const fields = kept.text ? parseFields(kept.text) : [];
  const names = fields.filter((f) => f.docId === 'strategies.name').map((f) => displayValue(f.raw));
  const [strategy, setStrategy] = useState(names[0] || '');
  const [paths, setPaths] = useState(200);
  const [breakEvens, setBreakEvens] = useState(false);
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
      api('/api/studies/' + state.id).then((r) => (r.sensitivity ? setResult(r.sensitivity) : setError(r.error || r.status)))
        .catch((e2) => setError(e2.message));
    };
    for (const name of ['progress', 'done', 'failed', 'cancelled']) events.addEventListener(name, update);
    return () => events.close();
  }, [job && job.id]);
  if (!kept.text) return html`<h2>Study</h2><p>Load a scenario on the <a href="#/scenario">Scenario</a> page first.</p>`;
  const start = () => {
    setResult(null);
    setError('');
    postJson('/api/studies/sensitivity', { scenario_toml: kept.text, scenario_path: kept.path, paths: Number(paths), strategy, break_evens: breakEvens })
      .then((r) => setJob({ ...r, id: r.study_id })).catch((e) => setError(e.message));
  };
  const running = job && (job.status === 'queued' || job.status === 'running');
  return html`<h2>Study: sensitivity</h2>
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
      ${result.strategies.map((s) => html`<${Tornado} strategy=${s} />`)}`}`;
}
