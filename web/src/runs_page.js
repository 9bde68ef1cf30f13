// The Runs page: the store's runs (and this server's queued or running ones), filtered by a search
// text; open one, tick two to compare, export one as JSON or CSV, delete one. The Compare page:
// two runs side by side, the scenario keys whose values differ, then both results.
import { h } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import htm from 'htm';
import { api, download } from './api.js';
import { parseFields } from './toml_fields.js';
import { StrategyTable } from './run_page.js';
import { money } from './charts.js';

const html = htm.bind(h);

/// One CSV row per strategy, one column per metric (nested metrics as "npv_usd.mean").
export function strategiesCsv(run) {
  const flat = (o, prefix, out) => {
    for (const [k, v] of Object.entries(o)) {
      if (k === 'months') continue;
      const name = prefix ? `${prefix}.${k}` : k;
      if (v && typeof v === 'object' && !Array.isArray(v)) flat(v, name, out);
      else out[name] = Array.isArray(v) ? v.join(' ') : v;
    }
    return out;
  };
  const rows = run.strategies.map((s) => flat(s, '', {}));
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const quote = (v) => (v == null ? '' : /[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
  return [['run_id', ...columns].join(','), ...rows.map((r) => [run.id, ...columns.map((c) => quote(r[c]))].join(','))].join('\n') + '\n';
}

export function RunsPage() {
  const [list, setList] = useState(null);
  const [filter, setFilter] = useState('');
  const [picked, setPicked] = useState([]);
  const [error, setError] = useState('');
  const reload = () => api('/api/runs').then(setList).catch((e) => setError(e.message));
  useEffect(() => { reload(); }, []);
  const exportRun = async (id, kind) => {
    const run = await api('/api/runs/' + id);
    if (kind === 'json') download(`run-${id}.json`, JSON.stringify(run, null, 2) + '\n', 'application/json');
    else download(`run-${id}.csv`, strategiesCsv(run), 'text/csv');
  };
  const remove = async (id) => {
    if (!window.confirm(`Delete run ${id} from the store?`)) return;
    await api('/api/runs/' + id, { method: 'DELETE' }).catch((e) => setError(e.message));
    setPicked(picked.filter((p) => p !== id));
    reload();
  };
  const toggle = (id) => setPicked(picked.includes(id) ? picked.filter((p) => p !== id) : [...picked.slice(-1), id]);
  if (!list) return html`<p>${error || 'loading...'}</p>`;
  const needle = filter.toLowerCase();
  const runs = list.runs.filter((r) => !needle ||
    [r.id, r.scenario, r.scenario_path, r.started_at, ...(r.strategies || [])].join(' ').toLowerCase().includes(needle));
  const active = list.jobs.filter((j) => j.status === 'queued' || j.status === 'running');
  return html`<h2>Runs</h2>
    ${error && html`<p class="error">${error}</p>`}
    ${active.length > 0 && html`<p>In progress: ${active.map((j) => html`<a href=${'#/run/' + j.id}>${j.id} (${j.status})</a> `)}</p>`}
    <div class="toolbar">
      <input placeholder="filter: scenario, strategy, date, id" data-testid="filter" value=${filter} onInput=${(e) => setFilter(e.target.value)} style="width:280px" />
      <button data-testid="compare" disabled=${picked.length !== 2} onClick=${() => { location.hash = `#/compare/${picked[0]}/${picked[1]}`; }}>Compare the two ticked</button>
      <span>${runs.length} of ${list.runs.length} runs</span>
    </div>
    <table class="cmp" data-testid="runs"><thead><tr><th></th><th>id</th><th>scenario</th><th>started</th><th>paths</th><th>seed</th><th>strategies</th><th></th></tr></thead>
    <tbody>${runs.map((r) => html`<tr data-run=${r.id}>
      <td><input type="checkbox" checked=${picked.includes(r.id)} onChange=${() => toggle(r.id)} /></td>
      <td><a href=${'#/run/' + r.id}>${r.id}</a></td><td>${r.scenario}</td><td>${r.started_at}</td><td>${r.paths}</td><td>${r.seed}</td>
      <td>${(r.strategies || []).join(', ')}</td>
      <td><button onClick=${() => exportRun(r.id, 'json')}>JSON</button> <button onClick=${() => exportRun(r.id, 'csv')}>CSV</button>
        <button data-testid="delete" onClick=${() => remove(r.id)}>Delete</button></td></tr>`)}</tbody></table>`;
}

/// The scenario keys whose values differ between two texts (by path: "sites[1].pue").
export function inputsDiff(textA, textB) {
  const map = (text) => new Map(parseFields(text).map((f) => [f.path, f.raw]));
  const a = map(textA);
  const b = map(textB);
  const keys = [...new Set([...a.keys(), ...b.keys()])];
  return keys.filter((k) => a.get(k) !== b.get(k)).map((k) => ({ key: k, a: a.get(k) ?? '(absent)', b: b.get(k) ?? '(absent)' }));
}

export function ComparePage({ a, b }) {
  const [data, setData] = useState(null);
  const [error, setError] = useState('');
  useEffect(() => {
    Promise.all([a, b].flatMap((id) => [api('/api/runs/' + id), api(`/api/runs/${id}/charts`)]))
      .then(([runA, chartsA, runB, chartsB]) => setData({ runA, runB, diff: inputsDiff(chartsA.scenario_toml, chartsB.scenario_toml) }))
      .catch((e) => setError(e.message));
  }, [a, b]);
  if (error) return html`<p class="error">${error}</p>`;
  if (!data) return html`<p>loading...</p>`;
  const { runA, runB, diff } = data;
  const describe = (r) => `run ${r.id}, ${r.scenario}, ${r.paths} paths, seed ${r.seed}, started ${r.started_at}`;
  return html`<h2>Compare runs ${a} and ${b}</h2>
    <h3>Inputs that differ</h3>
    ${diff.length === 0 ? html`<p data-testid="no-diff">the scenarios' values are the same</p>` : html`
    <table class="cmp" data-testid="inputs-diff"><thead><tr><th>key</th><th>A: run ${a}</th><th>B: run ${b}</th></tr></thead>
      <tbody>${diff.map((d) => html`<tr><td>${d.key}</td><td>${d.a}</td><td>${d.b}</td></tr>`)}</tbody></table>`}
    ${runA.paths !== runB.paths || runA.seed !== runB.seed ? html`<p>paths / seed: ${runA.paths} / ${runA.seed} against ${runB.paths} / ${runB.seed}</p>` : ''}
    <h3>Results</h3>
    <p>A: ${describe(runA)}<br />B: ${describe(runB)}</p>
    <${CompareTable} runA=${runA} runB=${runB} />
    <details><summary>Each run's full table</summary>
      <h3>A</h3><${StrategyTable} strategies=${runA.strategies} />
      <h3>B</h3><${StrategyTable} strategies=${runB.strategies} /></details>`;
}

/// The strategies both runs have, one row each: the main figures of A and B side by side, and B - A.
function CompareTable({ runA, runB }) {
  const names = runA.strategies.map((s) => s.name).filter((n) => runB.strategies.some((s) => s.name === n));
  const find = (run, name) => run.strategies.find((s) => s.name === name);
  const pct = (p) => (100 * p).toFixed(1) + '%';
  return html`<table class="cmp" data-testid="side-by-side"><thead>
      <tr><th rowspan="2">strategy</th><th colspan="3">P(default)</th><th colspan="3">NPV mean</th><th colspan="2">NPV median</th><th colspan="2">EBITDA / year</th></tr>
      <tr><th>A</th><th>B</th><th>B - A</th><th>A</th><th>B</th><th>B - A</th><th>A</th><th>B</th><th>A</th><th>B</th></tr></thead>
    <tbody>${names.map((n) => {
      const a = find(runA, n);
      const b = find(runB, n);
      return html`<tr data-strategy=${n}><td>${n}</td><td>${pct(a.p_default)}</td><td>${pct(b.p_default)}</td>
        <td>${(100 * (b.p_default - a.p_default)).toFixed(1)} pts</td>
        <td>${money(a.npv_usd.mean)}</td><td>${money(b.npv_usd.mean)}</td><td>${money(b.npv_usd.mean - a.npv_usd.mean)}</td>
        <td>${money(a.npv_usd.p50)}</td><td>${money(b.npv_usd.p50)}</td>
        <td>${money(a.ebitda_usd_per_year.mean)}</td><td>${money(b.ebitda_usd_per_year.mean)}</td></tr>`;
    })}</tbody></table>`;
}
