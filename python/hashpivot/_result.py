"""Runs: hashpivot.run and its Result, the same numbers `hashpivot run --json` prints."""

import functools
import os

import numpy as np
import pandas as pd

from . import _hashpivot as _h
from ._scenario import document_of


def column_name(json_pointer):
    """A metric's column in Result.summary: its place in `hashpivot run --json` (an RFC 6901
    pointer into a strategy's object) with "/" as "_", so "/npv_usd/mean" is npv_usd_mean and
    "/npv_vs_first_usd/ci95/0" is npv_vs_first_usd_ci95_low."""
    parts = json_pointer.strip("/").split("/")
    if len(parts) >= 2 and parts[-2] == "ci95":
        parts[-1] = {"0": "low", "1": "high"}[parts[-1]]
    return "_".join(parts)


def metrics():
    """The metric table (the engine's sim::kMetrics): one row per metric a run reports per
    strategy, indexed by its column in Result.summary (column_name of its json_pointer), with its
    place in `run --json` (json_pointer), its column in the result store (store_column), unit and
    label."""
    table = pd.DataFrame.from_records(_h.metric_table()).rename(columns={"column": "store_column"})
    table.index = pd.Index([column_name(p) for p in table["json_pointer"]], name="column")
    return table


class _RecordFrames:
    """What a run records, as frames: shared by a fresh Result and a run loaded from a Store."""

    def __init__(self, handle):
        self._handle = handle

    @functools.cached_property
    def info(self):
        """The run's identification: id (0 until saved), scenario, scenario_path, seed, paths,
        threads, version, started_at, finished_at (UTC), start_date, horizon_days."""
        return dict(self._handle.info)

    scenario_name = property(lambda self: self.info["scenario"])
    seed = property(lambda self: self.info["seed"])
    threads = property(lambda self: self.info["threads"])
    start_date = property(lambda self: self.info["start_date"])
    horizon_days = property(lambda self: self.info["horizon_days"])

    @property
    def market(self):
        """The lines `hashpivot run` prints about the market model."""
        return list(self._handle.market)

    @property
    def scenario_text(self):
        """The scenario's text as run (with every edit)."""
        return self._handle.scenario_text

    @property
    def warnings(self):
        """The plausibility warnings of the run's inputs ("file:line: key: problem"), as recorded."""
        return list(self._handle.warnings)

    @functools.cached_property
    def summary(self):
        """One row per strategy (indexed by its name, in the scenario's order), one column per
        metric of the metric table (hashpivot.metrics(): p_default, npv_usd_mean, npv_usd_p5, ...),
        in each metric's unit; NaN is unknown."""
        columns = self._handle.summary()
        table = metrics()
        by_store_column = dict(zip(table["store_column"], table.index))
        return pd.DataFrame(np.array(columns["values"], dtype=float).reshape(len(columns["strategy"]), -1),
                            index=pd.Index(columns["strategy"], name="strategy"),
                            columns=[by_store_column[c] for c in columns["columns"]])

    @property
    def strategies(self):
        return list(self.summary.index)

    @functools.cached_property
    def ranking(self):
        """The strategies (the firms of hashpivot.peers) ranked on survival and value per share, as
        `hashpivot peers` ranks them: one row per strategy in rank order, with its rank, P(default),
        mean NPV per share and its 95% CI, mean NPV, BTC sold (and of it, forced by cash shortfalls)
        and liquidated, shares issued,
        hashcost, the AI/HPC share of revenue and the median default month (None without defaults)."""
        rows = []
        for r in self._handle.ranking():
            rows.append({"strategy": r["strategy"], "rank": r["rank"], "p_default": r["p_default"],
                         "npv_per_share_usd_mean": r["npv_per_share_usd"]["mean"],
                         "npv_per_share_usd_ci95_low": (r["npv_per_share_usd"]["ci95"] or [None, None])[0],
                         "npv_per_share_usd_ci95_high": (r["npv_per_share_usd"]["ci95"] or [None, None])[1],
                         "npv_usd_mean": r["npv_usd"]["mean"], "btc_sold": r["btc_sold"],
                         "btc_sold_forced": r["btc_sold_forced"], "btc_liquidated": r["btc_liquidated"],
                         "shares_issued": r["shares_issued"],
                         "hashcost_usd_per_ph_day": r["hashcost_usd_per_ph_day"],
                         "hpc_revenue_share": r["hpc_revenue_share"],
                         "default_month_median": r["default_month_median"]})
        return pd.DataFrame(rows).set_index("strategy")

    @functools.cached_property
    def monthly(self):
        """Long: one row per (strategy, month, metric) with the 5/25/50/75/95% quantiles and the mean
        across paths. Firm metrics at month end (cash_usd, btc_held, debt_usd, equity_usd); market
        metrics (strategy None: the same for every strategy): btc_price_usd, difficulty_t and
        fees_btc_per_block at month end, hashprice_usd_per_ph_day the month's mean."""
        return pd.DataFrame(self._handle.monthly_quantiles())

    @functools.cached_property
    def accounts(self):
        """The monthly accounts: one row per (strategy, month), one column per account (USD or BTC,
        the month's sum of daily flows), each the mean over paths (a defaulted path counts zeros)."""
        long = self._handle.monthly_accounts()
        fields = list(dict.fromkeys(long["field"]))
        rows = list(dict.fromkeys(zip(long["strategy"], long["month"])))
        cells = {(s, m, f): v for s, m, f, v in zip(long["strategy"], long["month"], long["field"], long["mean"])}
        values = [[cells[(s, m, f)] for f in fields] for s, m in rows]
        return pd.DataFrame(values, index=pd.MultiIndex.from_tuples(rows, names=["strategy", "month"]), columns=fields)

    @functools.cached_property
    def defaults(self):
        """Per (strategy, month): paths_defaulted in the month and p_default_cumulative, the share
        of paths defaulted by its end."""
        result = pd.DataFrame(self._handle.default_months())
        paths = self.info["paths"]
        result["p_default_cumulative"] = result.groupby("strategy", sort=False)["paths_defaulted"].cumsum() / paths
        return result.set_index(["strategy", "month"])


class Result(_RecordFrames):
    """A run of every strategy of a scenario on the same simulated paths (hashpivot.run).

    summary, monthly, accounts and defaults hold what `hashpivot run --json` prints and the result
    store records (Store.save(result) records it); paths() and paired() come from the statistics
    kept per path."""

    @property
    def seconds(self):
        """Wall time of the simulation."""
        return self._handle.seconds

    @property
    def months(self):
        """"YYYY-MM" of each month of the horizon."""
        return list(self._handle.months)

    _PATH_METRICS = {
        "npv_usd": "npv_values",
        "npv_tail_usd": "npv_tail_values",
    }

    def paths(self, metric="npv_usd", strategy=None):
        """Per-path values of a metric that keeps them, ascending: a 2-D array (one row per strategy,
        in summary's order), or 1-D for one `strategy`.

        - "npv_usd": every path's NPV to equity (USD) as the run's quantile sketch keeps it: the
          exact minimum and maximum, every other path within 1% of its value (the sketch's
          resolution; counts are exact, so the summary's percentiles are these values' nearest-rank
          quantiles). Sorted per strategy: rows of different strategies are not the same path
          (for that, see paired()).
        - "npv_tail_usd": the worst 5% of paths' NPVs exactly, whose mean is cvar5_usd.
        """
        if metric not in self._PATH_METRICS:
            raise ValueError(f"no per-path values of {metric!r}; the metrics that keep them: "
                             f"{', '.join(self._PATH_METRICS)}")
        read = getattr(self._handle, self._PATH_METRICS[metric])
        if strategy is not None:
            return read(strategy)
        return np.vstack([read(s) for s in self.strategies])

    def paired(self, a, b):
        """Strategy b against strategy a on the same paths (common random numbers): the per-path
        NPV difference b − a (USD) with its mean, standard error and 95% confidence interval
        (mean_usd, se_usd, ci95_low_usd, ci95_high_usd), p_better (the share of paths where b's
        NPV is larger; ties, such as both defaulting, count as not better) with its SE, and the
        paths. Against the first strategy these are summary's npv_vs_first_usd_* and p_better."""
        return pd.Series(self._handle.paired(a, b), name=f"{b} - {a}")

    def __repr__(self):
        return (f"<Result {self.scenario_name!r}: {self.info['paths']} paths, seed {self.seed}, "
                f"strategies {', '.join(self.strategies)}>")


def peers(firms, paths=None, seed=None, threads=None):
    """Runs several firms on the same simulated markets, as `hashpivot peers` does. Each firm is a
    Scenario, a scenario file's path, or a (scenario, strategy name) pair (default: the scenario's
    first strategy); it is labelled by its file's stem, with ":strategy" when one is named. The
    scenarios must share the [scenario] dates and seed and every [market] key (InputError
    otherwise). A firm's numbers are those of hashpivot.run on its own scenario with the same paths
    and seed; Result.ranking ranks the firms and Result.paired compares two on the same paths."""
    documents, strategies, labels = [], [], []
    for firm in firms:
        scenario, strategy = firm if isinstance(firm, tuple) else (firm, "")
        document = document_of(scenario)
        documents.append(document)
        strategies.append(strategy)
        label = os.path.splitext(os.path.basename(document.source))[0]
        labels.append(f"{label}:{strategy}" if strategy else label)
    return Result(_h.peers(documents, strategies, labels, paths=paths, seed=seed, threads=threads))


def run(scenario, paths=None, seed=None, threads=None, variance_reduction=False):
    """Runs every strategy of `scenario` (a Scenario, or a scenario file's path) on the same
    simulated markets, as `hashpivot run` does: paths and seed default to the scenario's, threads
    to every core. The same seed gives the same numbers for any threads, and the numbers of
    `hashpivot run --json --seed SEED --paths PATHS`. With variance_reduction=True, as
    `--variance-reduction`: antithetic pairs and price control variates for the mean NPV, whose
    SE is then npv_usd_se, and npv_usd_se_plain the SE without. The GIL is released while it runs;
    Ctrl-C stops it (KeyboardInterrupt) after the current chunk of 1,024 paths."""
    return Result(_h.run(document_of(scenario), paths=paths, seed=seed, threads=threads,
                         variance_reduction=variance_reduction))
