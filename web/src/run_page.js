// The Run page: progress while the run waits or runs (server-sent events) with a cancel button;
// once recorded, the strategies' comparison (with the paired CIs against the first strategy) and
// the charts: P(default) over time, fans per strategy, the market, hashprice against hashcost.
import { h } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import htm from 'htm';
import { api } from './api.js';
import { drawChart, fanSpec, defaultSpec, hashpriceSpec, costSpec, palette, money } from './charts.js';

const html = htm.bind(h);

export function Chart({ spec }) {
  const box = useRef(null);
  useEffect(() => {
    const plot = drawChart(box.current, spec);
    return () => plot.destroy();
  }, [spec]);
  return html`<div class="chart" ref=${box}></div>`;
}

const pct = (p, se) => (p == null ? '-' : (100 * p).toFixed(1) + '%' + (se != null ? ` \u00b1${(196 * se).toFixed(1)}` : ''));

/// The comparison table: one column per strategy; the NPV difference against the first strategy
/// is paired (same paths), with its 95% CI and the probability of doing better.
export function StrategyTable({ strategies }) {
  const rows = [
    ['P(default)', (s) => pct(s.p_default, s.p_default_se)],
    ['P(margin call)', (s) => pct(s.p_margin_call, s.p_margin_call_se)],
    ['NPV mean', (s) => `${money(s.npv_usd.mean)} \u00b1${money(1.96 * s.npv_usd.se)}`],
    ['NPV median', (s) => money(s.npv_usd.p50)],
    ['NPV 95th percentile', (s) => money(s.npv_usd.p95)],
    // NPV's 5% tail is 0 whenever P(default) > 5% (docs/model.md §6): the survivors' net worth tells strategies apart.
    ['Net worth if it survives: 5th pct / CVaR 5%',
      (s) => `${money(s.net_worth_survivors_usd.p5)} / ${money(s.net_worth_survivors_usd.cvar5)}`],
    [`NPV vs ${strategies[0].name} (paired)`, (s) => money(s.npv_vs_first_usd.mean)],
    ['  95% CI', (s) => `[${money(s.npv_vs_first_usd.ci95[0])}, ${money(s.npv_vs_first_usd.ci95[1])}]`],
    ['  P(better)', (s) => pct(s.npv_vs_first_usd.p_better)],
    ['EBITDA / year', (s) => money(s.ebitda_usd_per_year.mean)],
    ['BTC held at end', (s) => s.btc_held_end.mean.toFixed(0)],
    ['Cash cost per BTC', (s) => money(s.cost_per_btc_usd.cash)],
    ['Hashcost ($/PH/day)', (s) => (s.hashcost_usd_per_ph_day == null ? '-' : s.hashcost_usd_per_ph_day.toFixed(2))],
  ];
  return html`<table class="cmp" data-testid="strategies"><thead><tr><th></th>${strategies.map((s) => html`<th>${s.name}</th>`)}</tr></thead>
    <tbody>${rows.map(([label, cell]) => html`<tr><td>${label}</td>${strategies.map((s) => html`<td>${safe(cell, s)}</td>`)}</tr>`)}</tbody></table>`;
}
function safe(cell, s) {
  try { return cell(s); } catch { return '-'; }
}

/// The strategies (the firms of a peer run) ranked on survival and value per share, as
/// `hashpivot peers` ranks them: the server computes the ranking (report/ranking.hpp).
export function RankingTable({ ranking }) {
  const ci = (x, digits) => (x.mean == null ? '-' : `${x.mean.toFixed(digits)} [${x.ci95[0].toFixed(digits)}, ${x.ci95[1].toFixed(digits)}]`);
  const num = (x, digits) => (x == null ? '-' : x.toFixed(digits));
  return html`<table class="cmp" data-testid="ranking"><thead><tr><th>rank</th><th></th><th>P(default)</th>
      <th>median default</th><th>BTC sold</th><th>of which forced</th><th>BTC liquidated</th><th>shares issued</th><th>NPV per share $ (95% CI)</th>
      <th>hashcost $/PH/day</th><th>AI/HPC revenue</th></tr></thead>
    <tbody>${ranking.map((r) => html`<tr><td>${r.rank}</td><td>${r.strategy}</td><td>${pct(r.p_default)}</td>
      <td>${r.default_month_median ?? '-'}</td><td>${num(r.btc_sold, 0)}</td><td>${num(r.btc_sold_forced, 0)}</td>
      <td>${num(r.btc_liquidated, 0)}</td>
      <td>${num(r.shares_issued, 0)}</td><td>${ci(r.npv_per_share_usd, 2)}</td><td>${num(r.hashcost_usd_per_ph_day, 1)}</td>
      <td>${pct(r.hpc_revenue_share)}</td></tr>`)}</tbody></table>`;
}

export function RunCharts({ data }) {
  const specs = [defaultSpec(data), costSpec(data)];
  data.strategies.forEach((s, i) => {
    const color = palette[i % palette.length];
    specs.push(fanSpec(data, `${s.strategy}: equity (0 after default)`, 'USD', s.strategy, 'equity_usd', color));
    specs.push(fanSpec(data, `${s.strategy}: cash`, 'USD', s.strategy, 'cash_usd', color));
  });
  specs.push(fanSpec(data, 'BTC price (USD)', 'USD', null, 'btc_price_usd', '#444444'));
  specs.push(hashpriceSpec(data));
  return html`<div class="charts" data-testid="charts">${specs.map((spec) => html`<${Chart} key=${spec.title} spec=${spec} />`)}</div>`;
}

/// A recorded run's results: table and charts.
export function RunResults({ id }) {
  const [run, setRun] = useState(null);
  const [charts, setCharts] = useState(null);
  const [error, setError] = useState('');
  useEffect(() => {
    Promise.all([api('/api/runs/' + id), api(`/api/runs/${id}/charts`)])
      .then(([r, c]) => { setRun(r); setCharts(c); })
      .catch((e) => setError(e.message));
  }, [id]);
  if (error) return html`<p class="error">${error}</p>`;
  if (!run || !charts) return html`<p>loading...</p>`;
  return html`<p data-testid="run-summary">${run.scenario}: run ${run.id}, ${run.paths} paths${run.variance_reduction ? ' (variance reduction)' : ''}, seed ${run.seed}, from ${run.start_date}</p>
    <${StrategyTable} strategies=${run.strategies} />
    ${charts.ranking && charts.ranking.length > 1
      ? html`<h3>Ranked on survival and value per share</h3><${RankingTable} ranking=${charts.ranking} />` : null}
    <${RunCharts} data=${charts} />`;
}

export function RunPage({ id }) {
  const [job, setJob] = useState(id.startsWith('job-') ? null : { status: 'done', store_id: Number(id) });
  useEffect(() => {
    if (!id.startsWith('job-')) return undefined;
    const events = new EventSource(`/api/runs/${id}/events`);
    const update = (e) => {
      const state = JSON.parse(e.data);
      setJob(state);
      if (['done', 'failed', 'cancelled'].includes(state.status)) events.close();  // else it reconnects
    };
    for (const name of ['progress', 'done', 'failed', 'cancelled']) events.addEventListener(name, update);
    return () => events.close();
  }, [id]);
  const cancel = () => fetch(`/api/runs/${id}/cancel`, { method: 'POST' });
  if (!job) return html`<p>connecting...</p>`;
  const head = html`<h2>Run ${id}${job.label ? `: ${job.label}` : ''}</h2>`;
  if (job.status === 'queued' || job.status === 'running')
    return html`${head}<p data-testid="progress">${job.status}: <progress max=${job.total || 1} value=${job.done || 0}></progress>
      ${job.done || 0} / ${job.total} paths <button data-testid="cancel" onClick=${cancel}>Cancel</button></p>`;
  if (job.status === 'failed') return html`${head}<p class="error" data-testid="failed">failed: ${job.error}</p>`;
  if (job.status === 'cancelled') return html`${head}<p data-testid="cancelled">cancelled (not recorded)</p>`;
  if (job.store_id == null) return html`${head}<p>done (a study, not a recorded run: see the <a href="#/study">Study</a> page)</p>`;
  return html`${head}<p data-testid="done">done: recorded as run <a href=${'#/run/' + job.store_id}>${job.store_id}</a></p>
    <${RunResults} id=${String(job.store_id)} />`;
}
