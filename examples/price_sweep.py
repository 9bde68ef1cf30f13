"""Sweep the opening BTC price: P(default) and mean NPV to equity of every strategy against it.

Each price is a run of the same scenario with only [market] btc_price_usd changed, all with the same
seed: common random numbers, so one point differs from the next by the price, not by fresh sampling
noise. Error bars are ±2 standard errors (the summary's p_default_se and npv_usd_se) of each
strategy on its own; two strategies' difference on the same paths is much more precise than
overlapping bars suggest (npv_distributions.py shows the paired difference). Writes price_sweep.png
and price_sweep.csv (one row per price and strategy) to --out and prints the tables.

    PYTHONPATH=build/python python3 examples/price_sweep.py
    PYTHONPATH=build/python python3 examples/price_sweep.py --paths 5000 --prices 40000,60000,80000,100000
"""

import pathlib

from example_support import argument_parser, usd  # first: picks matplotlib's backend
import matplotlib.pyplot as plt
import matplotlib.ticker as ticker
import pandas as pd

import hashpivot

def main():
    parser = argument_parser(__doc__, "Monte Carlo paths per price")
    parser.add_argument("--prices", help="comma-separated opening prices in USD "
                        "(default: 0.5x to 1.75x the scenario's, 6 levels)")
    args = parser.parse_args()

    base = hashpivot.load_scenario(args.scenario)
    if args.prices:
        prices = [float(p) for p in args.prices.split(",")]
    else:
        prices = [base.market.btc_price_usd * k for k in (0.5, 0.75, 1.0, 1.25, 1.5, 1.75)]

    rows = []
    for price in prices:
        s = base.copy()
        s.market.btc_price_usd = price  # validated: a bad value raises hashpivot.InputError
        summary = hashpivot.run(s, paths=args.paths, seed=args.seed).summary
        rows.append(summary[["p_default", "p_default_se", "npv_usd_mean", "npv_usd_se"]]
                    .reset_index().assign(btc_price_usd=price))
    table = pd.concat(rows, ignore_index=True)[["btc_price_usd", "strategy", "p_default", "p_default_se",
                                                "npv_usd_mean", "npv_usd_se"]]

    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    table.to_csv(out / "price_sweep.csv", index=False)
    strategies = list(dict.fromkeys(table["strategy"]))  # the scenario's order
    for column, title, scale in (("p_default", "P(default)", 1), ("npv_usd_mean", "mean NPV ($M)", 1e6)):
        wide = table.pivot(index="btc_price_usd", columns="strategy", values=column)[strategies] / scale
        wide.index = [f"${p:,.0f}" for p in wide.index]
        print(wide.rename_axis(index="BTC price", columns=title).to_string(float_format="{:,.3f}".format), "\n")

    fig, (ax_default, ax_npv) = plt.subplots(1, 2, figsize=(13, 5), sharex=True)
    for strategy, group in table.groupby("strategy", sort=False):
        ax_default.errorbar(group["btc_price_usd"], group["p_default"], yerr=2 * group["p_default_se"],
                            marker="o", capsize=3, label=strategy)
        ax_npv.errorbar(group["btc_price_usd"], group["npv_usd_mean"], yerr=2 * group["npv_usd_se"],
                        marker="o", capsize=3, label=strategy)
    ax_default.set(title="Probability of default", ylabel="P(default) over the horizon", ylim=(0, None))
    ax_default.yaxis.set_major_formatter(ticker.PercentFormatter(1.0))
    ax_npv.set(title="Mean NPV to equity", ylabel="NPV to equity (USD, discounted)")
    ax_npv.yaxis.set_major_formatter(ticker.FuncFormatter(usd))
    for ax in (ax_default, ax_npv):
        ax.set_xlabel("Opening BTC price (USD)")
        ax.xaxis.set_major_formatter(ticker.FuncFormatter(usd))
        ax.axvline(base.market.btc_price_usd, color="grey", linestyle=":", linewidth=1)
        ax.grid(alpha=0.3)
    ax_npv.legend(title="strategy", fontsize="small")
    fig.suptitle(f"{base.name}: opening BTC price sweep ({args.paths:,} paths per price, seed {args.seed}, "
                 f"error bars ±2 SE; dotted: the scenario's price)")
    fig.tight_layout()
    fig.savefig(out / "price_sweep.png", dpi=120)
    print(f"wrote {out / 'price_sweep.png'} and {out / 'price_sweep.csv'}")


if __name__ == "__main__":
    main()
