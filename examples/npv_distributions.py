"""Two strategies' NPV distributions overlaid, and their paired difference on the same paths.

NPV to equity is 0 on a path where the firm defaults or ends with no equity (often a quarter of the
paths) and runs over two orders of magnitude elsewhere. So the figure shows (1) a histogram of the
positive NPVs on log-spaced bins, each bar the share of all paths, with the share at exactly 0 in
the legend; (2) the ECDFs on a symmetric-log axis, linear near 0, where the jump at 0 is that share;
(3) the mean difference b - a on the same paths (common random numbers) with its 95% CI and the
share of paths where b does better, from Result.paired. a and b default to the scenario's first two
strategies. Writes npv_distributions.png to --out and prints the numbers.

    PYTHONPATH=build/python python3 examples/npv_distributions.py
    PYTHONPATH=build/python python3 examples/npv_distributions.py --a hold --b convert_ai --paths 5000
"""

import pathlib

from example_support import argument_parser, usd  # first: picks matplotlib's backend
import matplotlib.pyplot as plt
import matplotlib.ticker as ticker
import numpy as np

import hashpivot

def main():
    parser = argument_parser(__doc__, "Monte Carlo paths")
    parser.add_argument("--a", help="the reference strategy (default: the scenario's first)")
    parser.add_argument("--b", help="the strategy compared with it (default: the scenario's second)")
    args = parser.parse_args()

    scenario = hashpivot.load_scenario(args.scenario)
    names = scenario.strategy_names
    a, b = args.a or names[0], args.b or names[1]
    if a not in names or b not in names or a == b:
        parser.error(f"--a and --b: two different strategies of {', '.join(names)}")
    result = hashpivot.run(scenario, paths=args.paths, seed=args.seed)
    # One value per path, sorted, each within 1% (the engine's quantile sketch); the summary's mean is exact.
    npv = {name: result.paths("npv_usd", strategy=name) for name in (a, b)}
    paired = result.paired(a, b)

    for name, values in npv.items():
        row = result.summary.loc[name]
        print(f"{name}: mean NPV {usd(row['npv_usd_mean'])}, median {usd(row['npv_usd_p50'])}, "
              f"NPV = 0 on {np.mean(values == 0):.1%} of paths, P(default) {row['p_default']:.1%}")
    print(f"\npaired difference {paired.name} on the same {args.paths} paths (seed {args.seed}):")
    print(paired.to_string(float_format="{:,.4f}".format))

    fig, (ax_hist, ax_ecdf, ax_diff) = plt.subplots(1, 3, figsize=(16, 5), width_ratios=[3, 3, 1.4])
    positive = np.concatenate([v[v > 0] for v in npv.values()])
    bins = np.geomspace(positive.min(), positive.max(), 40)
    for name, values in npv.items():
        share_zero = np.mean(values == 0)
        ax_hist.hist(values[values > 0], bins=bins, weights=np.full((values > 0).sum(), 1 / len(values)),
                     alpha=0.5, label=f"{name} (NPV = 0 on {share_zero:.1%} of paths)")
        ax_ecdf.step(np.concatenate([[values[0]], values]), np.arange(len(values) + 1) / len(values),
                     where="post", label=name)
    ax_hist.set(xscale="log", title="NPV > 0: share of paths per bin (log-spaced bins)",
                xlabel="NPV to equity (USD, discounted; log scale)", ylabel="share of all paths")
    ax_hist.yaxis.set_major_formatter(ticker.PercentFormatter(1.0))
    linear_below = 10.0 ** np.floor(np.log10(np.percentile(positive, 5)))  # a decade below most NPVs > 0
    ax_ecdf.set_xscale("symlog", linthresh=linear_below)
    ax_ecdf.set(title="Cumulative distribution (the jump at $0: NPV = 0)",
                xlabel=f"NPV to equity (USD, discounted; linear below {usd(linear_below)}, log above)",
                ylabel="share of paths with NPV ≤ x", ylim=(0, 1.01))
    ax_ecdf.yaxis.set_major_formatter(ticker.PercentFormatter(1.0))
    for ax in (ax_hist, ax_ecdf):
        ax.xaxis.set_major_formatter(ticker.FuncFormatter(usd))
        ax.legend(fontsize="small")
        ax.grid(alpha=0.3)

    mean, low, high = paired["mean_usd"], paired["ci95_low_usd"], paired["ci95_high_usd"]
    ax_diff.errorbar([0], [mean], yerr=[[mean - low], [high - mean]], fmt="o", capsize=6, color="black")
    ax_diff.axhline(0, color="grey", linewidth=1)
    ax_diff.set(xticks=[0], xticklabels=[f"{b}\n− {a}"], xlim=(-1, 1), ylabel="mean NPV difference (USD)",
                title="Paired difference:\nmean and 95% CI",
                xlabel=f"{b} better\non {paired['p_better']:.1%} of the paths")
    ax_diff.yaxis.set_major_formatter(ticker.FuncFormatter(usd))
    ax_diff.grid(alpha=0.3, axis="y")
    fig.suptitle(f"{result.scenario_name}: {b} vs {a}, {args.paths:,} paths, seed {args.seed}")
    fig.tight_layout()
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    fig.savefig(out / "npv_distributions.png", dpi=120)
    print(f"\nwrote {out / 'npv_distributions.png'}")


if __name__ == "__main__":
    main()
