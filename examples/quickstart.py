"""The README's Python example: the Cango scenario run, edited, and run again on the same paths.

    PYTHONPATH=build/python python3 examples/quickstart.py
"""

import pathlib

import pandas as pd

import hashpivot

ROOT = pathlib.Path(__file__).resolve().parents[1]
USD_PER_MILLION = 1e6

scenario = hashpivot.load_scenario(ROOT / "scenarios" / "cango.toml")
base = hashpivot.run(scenario, paths=2000, seed=1, threads=2)

dearer = scenario.copy()
for site in dearer.sites:  # every site's power $10/MWh dearer
    site.power_price_usd_per_mwh = site.power_price_usd_per_mwh + 10
stressed = hashpivot.run(dearer, paths=2000, seed=1, threads=2)  # same seed: the same markets

table = {
    "P(default) %": base.summary["p_default"] * 100,
    "NPV mean $M": base.summary["npv_usd_mean"] / USD_PER_MILLION,
    "P(default) % at +$10": stressed.summary["p_default"] * 100,
    "NPV mean $M at +$10": stressed.summary["npv_usd_mean"] / USD_PER_MILLION,
}
print(pd.DataFrame(table).round(1).to_string())
print()
# The sale against holding, path by path on the same markets: the NPV it costs, with its 95% CI.
paired = base.paired("hold", "sell_4451_repay_ai")
print(f"sell_4451_repay_ai - hold: {paired['mean_usd'] / USD_PER_MILLION:,.1f} $M "
      f"(95% CI {paired['ci95_low_usd'] / USD_PER_MILLION:,.1f} to {paired['ci95_high_usd'] / USD_PER_MILLION:,.1f}), "
      f"better on {paired['p_better']:.1%} of paths")
