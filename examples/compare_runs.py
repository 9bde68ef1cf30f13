"""Record two runs in a result store, then load the store's runs and compare them side by side.

The runs: the scenario as given, and the same scenario with every site's power price raised by
--power-delta USD/MWh (default 10), both with the same seed (common random numbers), saved with
hashpivot.Store.save. The comparison reads them back from the store (Store.runs, Store.summaries),
as it would read runs recorded earlier by `hashpivot run` or another session: a table of
P(default) and mean NPV per strategy and run, and a bar chart of both. The store is the SQLite file
given with --store (created if missing; new runs are added to what it holds) or a temporary file.
Writes compare_runs.png to --out.

    PYTHONPATH=build/python python3 examples/compare_runs.py
    PYTHONPATH=build/python python3 examples/compare_runs.py --store runs.sqlite --power-delta 20
"""

import pathlib
import tempfile

from example_support import argument_parser, usd  # first: picks matplotlib's backend
import matplotlib.pyplot as plt
import matplotlib.ticker as ticker
import numpy as np
import pandas as pd

import hashpivot

def main():
    parser = argument_parser(__doc__, "Monte Carlo paths per run")
    parser.add_argument("--power-delta", type=float, default=10.0, help="USD/MWh added to every site's power price")
    parser.add_argument("--store", help="SQLite file of the result store (default: a temporary file)")
    args = parser.parse_args()

    temporary = None if args.store else tempfile.TemporaryDirectory()
    store = hashpivot.Store(args.store or pathlib.Path(temporary.name) / "runs.sqlite", create=True)

    # 1. Record: the scenario as given, then with dearer power (renamed, so the store tells them apart).
    base = hashpivot.load_scenario(args.scenario)
    dearer = base.copy()
    dearer.scenario.name = f"{base.name}, power +${args.power_delta:g}/MWh"
    for site in dearer.sites:
        site.power_price_usd_per_mwh += args.power_delta
    ids = [store.save(hashpivot.run(s, paths=args.paths, seed=args.seed)) for s in (base, dearer)]

    # 2. Compare: everything below reads the store only.
    runs = store.runs()
    where = "a temporary store, removed at exit" if temporary else store.location
    print(f"{where} holds {len(runs)} runs:")
    print(runs[["scenario", "seed", "paths", "finished_at"]].to_string(), "\n")
    summaries = store.summaries(ids)[["p_default", "p_default_se", "npv_usd_mean", "npv_usd_se"]]
    labels = {run_id: f"run {run_id}: {runs.loc[run_id, 'scenario']}" for run_id in ids}
    side_by_side = pd.concat({"P(default)": summaries["p_default"].unstack(0),
                              "mean NPV ($M)": summaries["npv_usd_mean"].unstack(0) / 1e6}, axis=1)
    side_by_side = side_by_side.reindex(summaries.loc[ids[0]].index)  # the scenario's strategy order
    with pd.option_context("display.width", 200):
        print(side_by_side.to_string(float_format="{:,.3f}".format))
    for run_id, label in labels.items():
        print(label)

    fig, axes = plt.subplots(1, 2, figsize=(14, 5))
    strategies = list(side_by_side.index)
    x = np.arange(len(strategies))
    width = 0.8 / len(ids)
    for ax, column, se, title in ((axes[0], "p_default", "p_default_se", "Probability of default"),
                                  (axes[1], "npv_usd_mean", "npv_usd_se", "Mean NPV to equity")):
        for i, run_id in enumerate(ids):
            rows = summaries.loc[run_id].reindex(strategies)
            ax.bar(x + (i - (len(ids) - 1) / 2) * width, rows[column], width, yerr=2 * rows[se], capsize=3,
                   label=labels[run_id])
        ax.set_xticks(x, strategies, rotation=20, ha="right")
        ax.set(title=f"{title} (error bars ±2 SE)", xlabel="strategy")
        ax.grid(alpha=0.3, axis="y")
    axes[0].set_ylabel("P(default) over the horizon")
    axes[0].yaxis.set_major_formatter(ticker.PercentFormatter(1.0))
    axes[1].set_ylabel("NPV to equity (USD, discounted)")
    axes[1].yaxis.set_major_formatter(ticker.FuncFormatter(usd))
    fig.legend(*axes[0].get_legend_handles_labels(), loc="lower center", ncol=len(ids))
    fig.suptitle(f"Runs {', '.join(map(str, ids))} of the store, {args.paths:,} paths each, seed {args.seed}")
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    fig.savefig(out / "compare_runs.png", dpi=120)
    print(f"\nwrote {out / 'compare_runs.png'}")


if __name__ == "__main__":
    main()
