"""The scripts of examples/: each runs as an analyst would run it (a subprocess, from another
directory, headless), exits 0 and writes a PNG; the numbers two of them print or record are those of
hashpivot.run for the same seed, so a wrong result fails as well as a crash."""

import os
import pathlib
import re
import subprocess
import sys

import pandas as pd
import pytest

import hashpivot
from conftest import CANGO, REPO

PATHS = 200
SEED = 7
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def run_example(script, out, *args):
    """Runs examples/`script` with small --paths into `out`, from `out` (so it must find the scenario
    from its own location), with the hashpivot package this test imported; returns its stdout."""
    package_root = str(pathlib.Path(hashpivot.__file__).resolve().parents[1])
    env = {**os.environ, "MPLBACKEND": "Agg",
           "PYTHONPATH": os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))}
    process = subprocess.run([sys.executable, str(REPO / "examples" / script), "--paths", str(PATHS),
                              "--seed", str(SEED), "--out", str(out), *map(str, args)],
                             cwd=out, env=env, capture_output=True, text=True, timeout=300)
    assert process.returncode == 0, f"{script} exited {process.returncode}:\n{process.stderr}"
    return process.stdout


def assert_png(path):
    assert path.is_file(), f"{path.name} not written"
    data = path.read_bytes()
    assert data.startswith(PNG_SIGNATURE), f"{path.name} is not a PNG"
    assert len(data) > 10_000, f"{path.name} is only {len(data)} bytes"


def test_price_sweep_runs_each_price_as_hashpivot_run(tmp_path):
    run_example("price_sweep.py", tmp_path, "--prices", "60000,90000")
    assert_png(tmp_path / "price_sweep.png")
    table = pd.read_csv(tmp_path / "price_sweep.csv")
    scenario = hashpivot.load_scenario(CANGO)
    assert sorted(set(table["btc_price_usd"])) == [60000, 90000]
    assert set(table["strategy"]) == set(scenario.strategy_names)
    scenario.market.btc_price_usd = 60000
    expected = hashpivot.run(scenario, paths=PATHS, seed=SEED).summary
    got = table[table["btc_price_usd"] == 60000].set_index("strategy").loc[expected.index]
    for column in ("p_default", "p_default_se", "npv_usd_mean", "npv_usd_se"):
        assert got[column].to_numpy() == pytest.approx(expected[column].to_numpy(), rel=1e-9), column
    # the sweep's point: a lower opening price makes default likelier for every strategy
    by_price = table.pivot(index="strategy", columns="btc_price_usd", values="p_default")
    assert (by_price[60000] >= by_price[90000]).all()


def test_npv_distributions_prints_the_paired_difference(tmp_path):
    out = run_example("npv_distributions.py", tmp_path, "--a", "sell_production", "--b", "convert_ai")
    assert_png(tmp_path / "npv_distributions.png")
    printed = {key: float(value.replace(",", "")) for key, value in
               re.findall(r"^(mean_usd|ci95_low_usd|ci95_high_usd|p_better)\s+(-?[\d,.]+)$", out, re.M)}
    assert len(printed) == 4, out
    expected = hashpivot.run(CANGO, paths=PATHS, seed=SEED).paired("sell_production", "convert_ai")
    for key, value in printed.items():
        assert value == pytest.approx(expected[key], abs=1e-3), key


def test_compare_runs_records_two_runs_in_the_store(tmp_path):
    store_path = tmp_path / "runs.sqlite"
    out = run_example("compare_runs.py", tmp_path, "--store", store_path, "--power-delta", 10)
    assert_png(tmp_path / "compare_runs.png")
    store = hashpivot.Store(store_path)
    runs = store.runs()
    assert len(runs) == 2
    assert runs["scenario"].iloc[1].endswith("power +$10/MWh")
    assert "P(default)" in out and "mean NPV ($M)" in out
    # the first run recorded is the scenario as given
    expected = hashpivot.run(CANGO, paths=PATHS, seed=SEED).summary
    recorded = store.load(runs.index[0]).summary
    pd.testing.assert_frame_equal(recorded[["p_default", "npv_usd_mean"]], expected[["p_default", "npv_usd_mean"]])
