// Draws the report's charts from the JSON in <script id="hp-data">, with uPlot (inlined before this
// script), and records on <body> how many charts it expected, drew with data, and any error.
(function () {
  'use strict';
  const body = document.body;
  let errors = 0;
  window.addEventListener('error', function () {
    errors += 1;
    body.dataset.errors = String(errors);
  });
  const data = JSON.parse(document.getElementById('hp-data').textContent);
  const palette = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22'];
  let expected = 0;
  let drawn = 0;

  function monthTime(month) {
    const [y, m] = month.split('-').map(Number);
    return Date.UTC(y, m - 1, 1) / 1000;
  }

  function formatValue(unit) {
    return function (u, v) {
      if (v == null || !isFinite(v)) return '-';
      const a = Math.abs(v);
      if (unit === 'USD') {
        if (a >= 1e9) return '$' + (v / 1e9).toFixed(2) + 'B';
        if (a >= 1e6) return '$' + (v / 1e6).toFixed(1) + 'M';
        if (a >= 1e3) return '$' + (v / 1e3).toFixed(1) + 'k';
        return '$' + v.toFixed(0);
      }
      if (a >= 1e6) return (v / 1e6).toFixed(2) + 'M';
      if (a >= 1e3) return (v / 1e3).toFixed(1) + 'k';
      return a >= 10 ? v.toFixed(0) : v.toFixed(2);
    };
  }

  function axisValues(unit) {
    const f = formatValue(unit);
    return function (u, splits) { return splits.map(function (v) { return f(u, v); }); };
  }

  // The y axis is as wide as its longest label needs (about 7.5 px a character at the 12 px font, plus
  // ticks and gap), never under the page's minimum: a fixed width clipped "$400.0M" to "|400.0M".
  function yAxisSize(box) {
    return function (u, values) {
      let longest = 0;
      (values || []).forEach(function (v) { if (v != null) longest = Math.max(longest, String(v).length); });
      const size = Math.max(data.layout.y_axis_min_size_px, Math.ceil(7.5 * longest) + 18);
      box.dataset.yAxisSize = String(size);
      return size;
    };
  }

  function hasPoints(columns) {
    for (let s = 1; s < columns.length; s++)
      for (let i = 0; i < columns[s].length; i++)
        if (columns[s][i] != null && isFinite(columns[s][i])) return true;
    return false;
  }

  function chart(container, title, unit, series, columns, options) {
    expected += 1;
    const box = document.createElement('div');
    box.className = 'chart';
    container.appendChild(box);
    const wide = container.classList.contains('wide');
    const width = wide ? Math.max(320, container.clientWidth || 1100)
                       : Math.max(320, Math.min(560, container.clientWidth || 560));
    const extra = options || {};
    const yAxis = Object.assign({ values: axisValues(unit) }, extra.yAxis || {}, { size: yAxisSize(box) });
    delete extra.yAxis;
    const opts = Object.assign({
      title: title,
      width: width,
      height: wide ? 280 : 230,
      scales: { x: { time: true } },
      axes: [{}, yAxis],
      series: [{}].concat(series),
      legend: { live: false },
    }, extra);
    box.dataset.title = title;
    box.dataset.scale = opts.scales.y && opts.scales.y.distr === 3 ? 'log' : 'linear';
    const u = new uPlot(opts, columns, box);
    if (hasPoints(u.data)) {
      drawn += 1;
      box.dataset.points = 'yes';
    }
    return u;
  }

  function quantiles(strategy, series) {
    const rows = data.monthly_quantiles.filter(function (q) {
      return q.series === series && (strategy === null ? q.strategy === null : q.strategy === strategy);
    });
    return {
      t: rows.map(function (q) { return monthTime(q.month); }),
      p5: rows.map(function (q) { return q.p5; }),
      p25: rows.map(function (q) { return q.p25; }),
      p50: rows.map(function (q) { return q.p50; }),
      p75: rows.map(function (q) { return q.p75; }),
      p95: rows.map(function (q) { return q.p95; }),
    };
  }

  // Log or linear: log when the fan's positive values span log_scale_min_decades or more (a linear
  // scale would flatten the median under the 95th percentile). On a log scale, values more than
  // log_scale_floor_decades below the largest (0 after a default, negative cash) are drawn at that
  // floor, and the title says so.
  function scaleFor(columns, unit) {
    let top = 0;
    columns.forEach(function (c) { c.forEach(function (v) { if (v != null && isFinite(v)) top = Math.max(top, v); }); });
    if (!(top > 0)) return null;
    const floor = top / Math.pow(10, data.layout.log_scale_floor_decades);
    let low = Infinity;
    columns.forEach(function (c) { c.forEach(function (v) { if (v != null && v > floor) low = Math.min(low, v); }); });
    if (!(top / low >= Math.pow(10, data.layout.log_scale_min_decades))) return null;
    return {
      floor: floor,
      label: ' (log; < ' + formatValue(unit)(null, floor) + ' shown at it)',
      columns: columns.map(function (c) {
        return c.map(function (v) { return v == null || !isFinite(v) ? v : Math.max(v, floor); });
      }),
    };
  }

  function fan(container, title, unit, strategy, series, color, extraSeries) {
    const q = quantiles(strategy, series);
    const band = function (alpha) { return color + alpha; };
    let values = [q.p5, q.p25, q.p50, q.p75, q.p95].concat((extraSeries || []).map(function (e) { return e.values; }));
    const log = scaleFor(values, unit);
    const options = {
      bands: [
        { series: [5, 1], fill: band('22') },
        { series: [4, 2], fill: band('44') },
      ],
    };
    if (log) {
      values = log.columns;
      options.scales = { x: { time: true }, y: { distr: 3 } };
    }
    return chart(container, title + (log ? log.label : ''), unit, [
      { label: '5%', stroke: band('55'), width: 1, value: formatValue(unit) },
      { label: '25%', stroke: band('99'), width: 1, value: formatValue(unit) },
      { label: 'median', stroke: color, width: 2, value: formatValue(unit) },
      { label: '75%', stroke: band('99'), width: 1, value: formatValue(unit) },
      { label: '95%', stroke: band('55'), width: 1, value: formatValue(unit) },
    ].concat((extraSeries || []).map(function (e) {
      return { label: e.label, stroke: e.color, width: 1.5, dash: [6, 3], value: formatValue(unit) };
    })), [q.t].concat(values), options);
  }

  function section(id) { return document.getElementById(id); }

  // Default times: the cumulative probability of default by month, one line per strategy.
  (function () {
    const months = data.months;
    const columns = [months.map(monthTime)];
    const series = [];
    data.strategies.forEach(function (s, i) {
      let cumulative = 0;
      columns.push(months.map(function (m) {
        data.default_months.forEach(function (d) {
          if (d.strategy === s.strategy && d.month === m) cumulative += d.paths_defaulted;
        });
        return 100 * cumulative / data.run.paths;
      }));
      series.push({ label: s.strategy, stroke: palette[i % palette.length], width: 2,
                    value: function (u, v) { return v == null ? '-' : v.toFixed(1) + '%'; } });
    });
    chart(section('defaults'), 'Probability of default by then (%)', '%', series, columns,
          { yAxis: { values: function (u, sp) { return sp.map(function (v) { return v.toFixed(0) + '%'; }); } } });
  })();

  // Dilution against default risk: a point per strategy (x: P(default) %, y: shares issued, millions).
  (function () {
    const box = section('dilution');
    if (!box) return;
    const points = data.strategies.filter(function (s) { return s.p_default != null && s.shares_issued_mean != null; });
    const xs = points.map(function (s) { return 100 * s.p_default; })
      .filter(function (x, i, all) { return all.indexOf(x) === i; }).sort(function (a, b) { return a - b; });
    const columns = [xs];
    const series = [];
    points.forEach(function (s, i) {
      columns.push(xs.map(function (x) { return x === 100 * s.p_default ? s.shares_issued_mean / 1e6 : null; }));
      series.push({ label: s.strategy, stroke: palette[i % palette.length], fill: palette[i % palette.length],
                    paths: function () { return null; }, points: { show: true, size: 12 },
                    value: function (u, v) { return v == null ? '-' : v.toFixed(1) + 'M shares'; } });
    });
    chart(box, 'Shares issued (millions) against P(default) (%)', '', series, columns, {
      scales: { x: { time: false } },
      axes: [{ label: 'P(default) over the horizon (%)', values: function (u, sp) { return sp.map(function (v) { return v.toFixed(0) + '%'; }); } },
             { values: function (u, sp) { return sp.map(function (v) { return v.toFixed(0) + 'M'; }); } }],
    });
  })();

  // Fans per strategy.
  const firmSeries = [
    ['equity', 'equity_usd', 'Equity (book, 0 after default)', 'USD'],
    ['cash', 'cash_usd', 'Cash (as of the day of default after one)', 'USD'],
    ['btc', 'btc_held', 'BTC held', 'BTC'],
    ['debt', 'debt_usd', 'Debt', 'USD'],
  ];
  firmSeries.forEach(function (f) {
    data.strategies.forEach(function (s, i) {
      fan(section(f[0]), s.strategy + ': ' + f[2], f[3], s.strategy, f[1], palette[i % palette.length]);
    });
  });

  // Market fans (common to every strategy).
  fan(section('market'), 'BTC price (USD)', 'USD', null, 'btc_price_usd', '#444444');
  // Hashprice against each strategy's hashcost: its cash cost per PH/s-day hashed over the horizon
  // (the metric "Hashcost ($/PH/day)"), a flat line; mining pays its cash costs above it.
  (function () {
    const months = quantiles(null, 'hashprice_usd_per_ph_day').t;
    const hashcost = data.strategies.filter(function (s) { return s.hashcost_usd_per_ph_day != null; })
      .map(function (s, i) {
        return { label: s.strategy + ' hashcost', color: palette[i % palette.length],
                 values: months.map(function () { return s.hashcost_usd_per_ph_day; }) };
      });
    fan(section('market'), 'Hashprice and the fleet\'s hashcost (USD per PH/s per day)', 'USD', null,
        'hashprice_usd_per_ph_day', '#8c564b', hashcost);
  })();

  // Cash cost per BTC mined, by month, against the median BTC price.
  (function () {
    const months = data.months;
    const price = quantiles(null, 'btc_price_usd');
    const columns = [months.map(monthTime), price.p50];
    const series = [{ label: 'BTC price (median)', stroke: '#444444', width: 2, value: formatValue('USD') }];
    data.strategies.forEach(function (s, i) {
      columns.push(months.map(function (m) {
        const field = function (name) {
          const row = data.monthly_accounts.find(function (a) { return a.strategy === s.strategy && a.month === m && a.field === name; });
          return row ? row.mean : NaN;
        };
        const mined = field('btc_mined');
        const cost = field('power_cost_usd') + field('opex_usd') - field('curtailment_credit_usd');
        return mined > 0 ? cost / mined : null;
      }));
      series.push({ label: s.strategy + ' cash cost', stroke: palette[i % palette.length], width: 1.5, dash: [6, 3],
                    value: formatValue('USD') });
    });
    chart(section('cost'), 'Cash cost per BTC mined vs BTC price (USD)', 'USD', series, columns);
  })();

  body.dataset.chartsExpected = String(expected);
  body.dataset.chartsDrawn = String(drawn);
  body.dataset.errors = String(errors);
})();
