// The What-if page: sliders over the inputs users move most (the BTC price at the start and its
// drift, the network's growth: its hashrate drift when exogenous, its supply share when
// margin-driven, every site's power price, the size of the strategies' planned BTC sales, the MW each
// pivot converts and the day of a scheduled pivot). The sliders edit the scenario's text (a drift or
// share the scenario does not state starts at the value its market runs with, from the server's
// reader, and is added under [market] once moved), so the run is read by the same reader as any
// other. Each change reruns the scenario on the server at a small path count with the scenario's
// seed (common random numbers: the same paths every time, so differences are the inputs') on every
// core, and redraws the strategies' figures with their standard errors.
// Variance reduction (antithetic pairs and price control variates, as run --variance-reduction) is
// on by default: at the same path count it narrows the mean NPV's SE, which is what a rerun compares;
// a checkbox turns it off. The runs are recorded, named "(what-if)".
import { h } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import htm from 'htm';
import { api, postJson } from './api.js';
import { parseFields, setField, setKey, displayValue } from './toml_fields.js';
import { kept } from './scenario_page.js';
import { Chart } from './run_page.js';
import { defaultSpec, money } from './charts.js';

const html = htm.bind(h);
const WHATIF_PATHS = 300;  // a rerun of Cango (9 strategies) shows in 0.7-0.9 s on 2 cores here, 0.6 s of it the run
const MS_PER_DAY = 24 * 60 * 60 * 1000;
const DAYS_PER_YEAR = 365;

const dayOf = (iso) => Math.round(Date.parse(`${iso}T00:00:00Z`) / MS_PER_DAY);
const isoOf = (day) => new Date(day * MS_PER_DAY).toISOString().slice(0, 10);

/// The scenario's text with the sliders applied (each a function of the fields it changes).
export function applySliders(text, s) {
  let out = text;
  for (const f of parseFields(text)) {
    const base = Number(displayValue(f.raw));
    let value = null;
    if (f.path === 'scenario.name') value = JSON.stringify(`${displayValue(f.raw)} (what-if)`);
    else if (f.path === 'market.btc_price_usd') value = String(Math.round(base * s.btcPriceFactor));
    else if (f.docId === 'sites.power_price_usd_per_mwh') value = String(Math.max(0, +(base + s.powerPriceDelta).toFixed(2)));
    else if (f.docId === 'strategies.sales.btc') value = String(Math.max(1, Math.round(base * s.saleFactor)));
    else if (f.docId === 'strategies.pivot_mw' && s.pivotMw != null) value = String(s.pivotMw);
    else if (f.docId === 'strategies.pivot_date' && s.pivotDay != null && s.startDay != null) value = isoOf(s.startDay + s.pivotDay);
    if (value != null) out = setField(out, f, value);
  }
  // Drifts the scenario may not state (then the calibration's stand): added under [market].
  if (s.btcDrift != null) out = setKey(out, 'market', 'btc_price_drift_annual', String(s.btcDrift)) ?? out;
  if (s.hashrateDrift != null) out = setKey(out, 'market', 'hashrate_drift_annual', String(s.hashrateDrift)) ?? out;
  if (s.networkSupply != null) out = setKey(out, 'market', 'network_supply_share_annual', String(s.networkSupply)) ?? out;
  return out;
}

/// The scenario's start (days since 1970) and horizon (days), for the pivot date's slider.
function horizonDays(fields) {
  const start = fields.find((f) => f.path === 'scenario.start_date');
  const years = fields.find((f) => f.path === 'scenario.horizon_years');
  if (!start || !/^\d{4}-\d{2}-\d{2}$/.test(start.raw)) return null;
  return { startDay: dayOf(start.raw), days: Math.floor(Number(years ? years.raw : 1) * DAYS_PER_YEAR) };
}

const numberOrNull = (field) => (field && Number.isFinite(Number(field.raw)) ? Number(field.raw) : null);

/// The capacity (MW) of the site the first pivot converts: the pivot slider's top.
function pivotCapacity(fields, pivotField) {
  if (!pivotField) return 1;
  const site = fields.find((f) => f.tablePath === pivotField.tablePath && f.key === 'pivot_site');
  const siteName = site && displayValue(site.raw);
  const siteField = fields.find((f) => f.docId === 'sites.name' && displayValue(f.raw) === siteName);
  const capacity = siteField && fields.find((f) => f.tablePath === siteField.tablePath && f.key === 'capacity_mw');
  return capacity ? Math.max(1, Math.floor(Number(capacity.raw))) : Math.max(1, Number(pivotField.raw));
}

function waitForRun(id) {
  return new Promise((resolve, reject) => {
    const events = new EventSource(`/api/runs/${id}/events`);
    const finish = (e) => {
      const state = JSON.parse(e.data);
      events.close();
      if (state.status === 'done') resolve(state);
      else reject(new Error(state.error || state.status));
    };
    for (const name of ['done', 'failed', 'cancelled']) events.addEventListener(name, finish);
  });
}

function Slider({ label, name, min, max, step, value, show, onChange }) {
  return html`<div class="slider"><label for=${name}>${label}</label>
    <input type="range" id=${name} name=${name} min=${min} max=${max} step=${step} value=${value}
      onInput=${(e) => onChange(Number(e.target.value), false)} onChange=${(e) => onChange(Number(e.target.value), true)} />
    <span data-testid=${name + '-value'}>${show(value)}</span></div>`;
}

/// What variance reduction did to the run's mean NPV: the smallest factor by which it narrowed a
/// strategy's SE against the same paths taken one by one ("" when it was off).
function reductionNote(run) {
  if (!run.variance_reduction) return '';
  const factors = run.strategies.map((s) => s.npv_usd.se_plain / s.npv_usd.se).filter(Number.isFinite);
  return factors.length ? `; variance reduction: mean NPV SE at least ${Math.min(...factors).toFixed(1)}x smaller` : '';
}

export function WhatIfPage() {
  const fields = kept.text ? parseFields(kept.text) : [];
  const pivotField = fields.find((f) => f.docId === 'strategies.pivot_mw');
  const capacity = pivotCapacity(fields, pivotField);
  const price = fields.find((f) => f.path === 'market.btc_price_usd');
  const pivotDate = fields.find((f) => f.docId === 'strategies.pivot_date');
  const horizon = horizonDays(fields);
  // hashrate_drift_annual applies to the exogenous network only (the default); a margin-driven
  // network's hashrate answers the hashprice, and its growth is the share of its fleet it orders a
  // year when mining pays (network_supply_share_annual); the reader refuses each key on the other.
  const hashrateModel = fields.find((f) => f.path === 'market.hashrate_model');
  const exogenousNetwork = !hashrateModel || displayValue(hashrateModel.raw) === 'exogenous';
  const [sliders, setSliders] = useState({
    btcPriceFactor: 1, powerPriceDelta: 0, saleFactor: 1, pivotMw: pivotField ? Number(pivotField.raw) : null,
    btcDrift: numberOrNull(fields.find((f) => f.path === 'market.btc_price_drift_annual')),
    hashrateDrift: numberOrNull(fields.find((f) => f.path === 'market.hashrate_drift_annual')),
    networkSupply: numberOrNull(fields.find((f) => f.path === 'market.network_supply_share_annual')),
    startDay: horizon && horizon.startDay,
    pivotDay: pivotDate && horizon && /^\d{4}-\d{2}-\d{2}$/.test(pivotDate.raw) ? dayOf(pivotDate.raw) - horizon.startDay : null,
  });
  // The growth the scenario's market runs with (its calibration's, or its keys'), from the server's
  // reader: where a growth slider's thumb sits, and what its label says, until it is moved.
  const [growth, setGrowth] = useState(null);
  const [reduced, setReduced] = useState(true);
  const [result, setResult] = useState(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const generation = useRef(0);

  const rerun = async (next, varianceReduction = reduced) => {
    const mine = ++generation.current;
    setBusy(true);
    setError('');
    try {
      const started = performance.now();
      const job = await postJson('/api/runs', { scenario_toml: applySliders(kept.text, next), scenario_path: kept.path, paths: WHATIF_PATHS, threads: 0,
        variance_reduction: varianceReduction });
      const state = await waitForRun(job.run_id);
      const [run, charts] = await Promise.all([api(`/api/runs/${state.store_id}`), api(`/api/runs/${state.store_id}/charts`)]);
      if (mine === generation.current) setResult({ run, charts, seconds: (performance.now() - started) / 1000 });
    } catch (e) {
      if (mine === generation.current) setError(e.message);
    } finally {
      if (mine === generation.current) setBusy(false);
    }
  };
  useEffect(() => {
    if (!kept.text) return;
    rerun(sliders);
    postJson('/api/validate', { scenario_toml: kept.text, scenario_path: kept.path })
      .then((r) => { if (r.ok) setGrowth(r.market_growth); })
      .catch(() => {});  // the labels then say "calibrated" without a value
  }, []);
  if (!kept.text) return html`<h2>What-if</h2><p>Load a scenario on the <a href="#/scenario">Scenario</a> page first.</p>`;

  const change = (key) => (value, done) => {
    const next = { ...sliders, [key]: value };
    setSliders(next);
    if (done) rerun(next);
  };
  const basePrice = price ? Number(price.raw) : 0;
  // A drift the scenario does not state is the calibration's until its slider moves: the thumb sits
  // at it and the label says so. The BTC price's replaces the model's mu (E[S] grows by e^mu a
  // year); the hashrate's is a mean log growth.
  const signed = (v) => `${v >= 0 ? '+' : ''}${v.toFixed(2)}`;
  const calibrated = (moved, value, text) =>
    moved != null ? text(moved) : value != null ? `calibrated: ${text(value)}` : 'calibrated';
  const priceDrift = (v) => calibrated(v, growth?.btc_price_drift_annual, (x) => `mu ${signed(x)} a year`);
  const hashrateDrift = (v) => calibrated(v, growth?.hashrate_drift_annual, (x) => `${signed(x)} log per year`);
  const supplyShare = (v) => calibrated(v, growth?.network_supply_share_annual, (x) => `${x.toFixed(2)} of the fleet a year`);
  return html`<h2>What-if: ${displayValue(fields.find((f) => f.path === 'scenario.name')?.raw || '')}</h2>
    <p>Each change reruns ${WHATIF_PATHS} paths on the scenario's seed (the same paths every time), on every core.</p>
    <${Slider} label="BTC price at the start" name="btc-price" min="0.4" max="1.6" step="0.05" value=${sliders.btcPriceFactor}
      show=${(v) => `${money(basePrice * v)} (x${v.toFixed(2)})`} onChange=${change('btcPriceFactor')} />
    <${Slider} label="Power price, every site" name="power-price" min="-30" max="40" step="1" value=${sliders.powerPriceDelta}
      show=${(v) => `${v >= 0 ? '+' : ''}${v} $/MWh`} onChange=${change('powerPriceDelta')} />
    <${Slider} label="Planned BTC sales" name="sale-size" min="0.25" max="2" step="0.05" value=${sliders.saleFactor}
      show=${(v) => `x${v.toFixed(2)}`} onChange=${change('saleFactor')} />
    ${pivotField && html`<${Slider} label="Pivot MW" name="pivot-mw" min="1" max=${capacity} step="1" value=${sliders.pivotMw}
      show=${(v) => `${v} MW`} onChange=${change('pivotMw')} />`}
    ${sliders.pivotDay != null && html`<${Slider} label="Pivot date (scheduled)" name="pivot-date" min="0" max=${horizon.days - 1} step="1"
      value=${sliders.pivotDay} show=${(v) => `${isoOf(sliders.startDay + v)} (day ${v})`} onChange=${change('pivotDay')} />`}
    <${Slider} label="BTC price drift" name="btc-drift" min="-1" max="1" step="0.05" value=${sliders.btcDrift ?? growth?.btc_price_drift_annual ?? 0}
      show=${() => priceDrift(sliders.btcDrift)} onChange=${change('btcDrift')} />
    ${exogenousNetwork
      ? html`<${Slider} label="Network hashrate growth" name="hashrate-drift" min="-0.5" max="1.5" step="0.05"
          value=${sliders.hashrateDrift ?? growth?.hashrate_drift_annual ?? 0} show=${() => hashrateDrift(sliders.hashrateDrift)} onChange=${change('hashrateDrift')} />`
      : html`<${Slider} label="Network growth: machines ordered when mining pays" name="network-supply" min="0" max="2"
          step="0.05" value=${sliders.networkSupply ?? growth?.network_supply_share_annual ?? 1} show=${() => supplyShare(sliders.networkSupply)}
          onChange=${change('networkSupply')} />
        <p data-testid="hashrate-note">The network is margin-driven: its machines switch off when they do not
          pay, and it orders up to this share of its fleet a year when the newest machines earn well over their power
          cost (less as that margin narrows).</p>`}
    <p><label><input type="checkbox" id="variance-reduction" checked=${reduced}
      onChange=${(e) => { setReduced(e.target.checked); rerun(sliders, e.target.checked); }} />
      Variance reduction for the mean NPV (antithetic pairs, price control variates)</label></p>
    <p data-testid="whatif-status">${busy ? 'running...' : error ? html`<span class="error">${error}</span>` : result ? `run ${result.run.id}, ${result.seconds.toFixed(1)} s${reductionNote(result.run)}` : ''}</p>
    ${result && html`<table class="cmp" data-testid="whatif-results"><thead><tr><th>strategy</th><th>P(default)</th><th>NPV mean</th><th>NPV median</th><th>NPV vs ${result.run.strategies[0].name} (paired)</th></tr></thead>
      <tbody>${result.run.strategies.map((s) => html`<tr><td>${s.name}</td>
        <td>${(100 * s.p_default).toFixed(1)}% \u00b1 ${(100 * s.p_default_se).toFixed(1)} (SE)</td>
        <td>${money(s.npv_usd.mean)} \u00b1 ${money(s.npv_usd.se)} (SE)</td><td>${money(s.npv_usd.p50)}</td>
        <td>${money(s.npv_vs_first_usd.mean)} [${money(s.npv_vs_first_usd.ci95[0])}, ${money(s.npv_vs_first_usd.ci95[1])}]</td></tr>`)}</tbody></table>
      <div class="charts" data-testid="charts"><${Chart} spec=${defaultSpec(result.charts)} /></div>`}`;
}
