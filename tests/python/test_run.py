"""hashpivot.run against `hashpivot run --json` for the same seed, value for value."""

import math
import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import hashpivot
from conftest import CANGO, REPO

PATHS = 600
SEED = 11


def pointer_get(obj, pointer):
    for step in pointer.strip("/").split("/"):
        obj = obj[int(step)] if isinstance(obj, list) else obj[step]
    return obj


def same(a, b):
    if a is None:
        return math.isnan(b)
    return a == b or (math.isnan(a) and math.isnan(b))


@pytest.fixture(scope="module")
def result():
    return hashpivot.run(CANGO, paths=PATHS, seed=SEED, threads=2)


@pytest.fixture(scope="module")
def cli_json(cli):
    return cli.json("run", CANGO, "--paths", PATHS, "--seed", SEED, "--no-record")


def test_summary_equals_the_command_line_json_value_for_value(result, cli_json):
    summary = result.summary
    assert list(summary.index) == [s["name"] for s in cli_json["strategies"]]
    assert summary.index.name == "strategy"
    assert {"p_default", "npv_usd_mean"} <= set(summary.columns)
    table = hashpivot.metrics()
    assert list(summary.columns) == list(table.index)
    for strategy in cli_json["strategies"]:
        for column, pointer in zip(table.index, table["json_pointer"]):
            expected = pointer_get(strategy, pointer)
            assert same(expected, summary.loc[strategy["name"], column]), (strategy["name"], column)


def test_variance_reduction_gives_the_command_lines_numbers_and_a_smaller_se(cli):
    reduced = hashpivot.run(CANGO, paths=PATHS, seed=SEED, threads=2, variance_reduction=True).summary
    expected = cli.json("run", CANGO, "--paths", PATHS, "--seed", SEED, "--variance-reduction", "--no-record")
    for strategy in expected["strategies"]:
        row = reduced.loc[strategy["name"]]
        assert row["npv_usd_mean"] == strategy["npv_usd"]["mean"]
        assert row["npv_usd_se"] == strategy["npv_usd"]["se"]
        assert row["npv_usd_se_plain"] == strategy["npv_usd"]["se_plain"]
        assert row["npv_usd_se"] < row["npv_usd_se_plain"]


def test_monthly_quantiles_equal_the_command_line_months(result, cli_json):
    monthly = result.monthly.set_index(["strategy", "month", "metric"])
    checked = 0
    for strategy in cli_json["strategies"]:
        for month in strategy["months"]:
            for metric, value in month.items():
                if isinstance(value, dict) and "p50" in value:
                    row = monthly.loc[(strategy["name"], month["month"], metric)]
                    for q in ("p5", "p25", "p50", "p75", "p95"):
                        assert same(value[q], row[q]), (strategy["name"], month["month"], metric, q)
                    checked += 1
    market = result.monthly[result.monthly.strategy.isna()].set_index(["month", "metric"])
    for month in cli_json["market_months"]:
        for metric, value in month.items():
            if isinstance(value, dict):
                for q in ("p5", "p50", "p95"):
                    assert same(value[q], market.loc[(month["month"], metric), q]), (month["month"], metric, q)
                checked += 1
    assert checked > 1000


def test_monthly_accounts_equal_the_command_line_months(result, cli_json):
    accounts = result.accounts
    for strategy in cli_json["strategies"]:
        for month in strategy["months"]:
            for field in ("btc_mined", "btc_sold", "ebitda_usd"):
                assert same(month[field], accounts.loc[(strategy["name"], month["month"]), field])


def test_the_same_seed_gives_the_same_numbers_on_one_and_two_threads(result):
    one = hashpivot.run(CANGO, paths=PATHS, seed=SEED, threads=1)
    assert one.summary.equals(result.summary)
    assert one.monthly.equals(result.monthly)
    assert np.array_equal(one.paths("npv_usd"), result.paths("npv_usd"))


def test_per_path_values_are_the_distribution_the_summary_reports(result):
    values = result.paths("npv_usd", strategy="hold")
    assert values.shape == (PATHS,)
    assert np.all(np.diff(values) >= 0)
    row = result.summary.loc["hold"]
    # The sketch's nearest-rank quantiles are these values' (statistics.hpp); mean within its 1%.
    assert values[math.ceil(0.5 * PATHS) - 1] == pytest.approx(row["npv_usd_p50"], rel=1e-12)
    assert values.mean() == pytest.approx(row["npv_usd_mean"], rel=0.01)
    tail = result.paths("npv_tail_usd", strategy="hold")
    assert tail.mean() == pytest.approx(row["cvar5_usd"], rel=1e-12)
    assert result.paths().shape == (len(result.strategies), PATHS)
    with pytest.raises(ValueError, match="npv_usd"):
        result.paths("cash_usd")


def test_paired_against_the_first_is_the_summary_and_reverses_with_its_sign(result):
    first, other, third = result.strategies[0], result.strategies[1], result.strategies[3]
    d = result.paired(first, other)
    row = result.summary.loc[other]
    assert d["mean_usd"] == pytest.approx(row["npv_vs_first_usd_mean"], rel=1e-12)
    assert d["ci95_low_usd"] == pytest.approx(row["npv_vs_first_usd_ci95_low"], rel=1e-12)
    assert d["p_better"] == row["npv_vs_first_usd_p_better"]
    forward, backward = result.paired(other, third), result.paired(third, other)
    assert forward["mean_usd"] == pytest.approx(-backward["mean_usd"], rel=1e-9)
    assert forward["se_usd"] == pytest.approx(backward["se_usd"], rel=1e-9)
    # The difference of means is the mean of differences (common random numbers).
    means = result.summary["npv_usd_mean"]
    assert forward["mean_usd"] == pytest.approx(means[third] - means[other], rel=1e-6, abs=1.0)
    # Ties (both NPVs 0) are better for neither.
    assert forward["p_better"] + backward["p_better"] <= 1.0
    with pytest.raises(KeyError, match="no strategy named"):
        result.paired(first, "nope")


def test_a_saved_result_reads_back_as_the_command_line_recorded_it(result, cli, tmp_path):
    store = hashpivot.Store(tmp_path / "runs.sqlite", create=True)
    run_id = store.save(result)
    shown = cli.json("runs", "show", run_id, "--db", tmp_path / "runs.sqlite")
    loaded = store.load(run_id)
    assert loaded.summary.equals(result.summary)
    table = hashpivot.metrics()
    for strategy in shown["strategies"]:
        for column, pointer in zip(table.index, table["json_pointer"]):
            assert same(pointer_get(strategy, pointer), loaded.summary.loc[strategy["name"], column])


def test_ctrl_c_stops_a_long_run_with_keyboard_interrupt(tmp_path):
    script = tmp_path / "long_run.py"
    script.write_text(textwrap.dedent(f"""
        import sys, time, hashpivot
        print("started", flush=True)
        started = time.monotonic()
        try:
            hashpivot.run({str(CANGO)!r}, paths=5_000_000, seed=1, threads=2)
        except KeyboardInterrupt:
            print(f"interrupted after {{time.monotonic() - started:.1f}} s", flush=True)
            sys.exit(0)
        sys.exit(1)
    """))
    process = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env=os.environ)
    assert process.stdout.readline().strip() == "started"
    time.sleep(2.0)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert "interrupted after" in out


def test_peers_give_each_firm_its_own_run_and_rank_them_as_the_command_line(cli):
    riot = os.path.join(REPO, "scenarios", "peers", "riot.toml")
    r = hashpivot.peers([riot, (CANGO, "sell_4451_repay_ai")], paths=PATHS, seed=SEED, threads=2)
    assert r.strategies == ["riot", "cango:sell_4451_repay_ai"]
    alone = hashpivot.run(CANGO, paths=PATHS, seed=SEED, threads=1)
    for column in ("p_default", "npv_usd_mean", "btc_mined_mean", "npv_per_share_usd_mean"):
        assert same(alone.summary.loc["sell_4451_repay_ai", column], r.summary.loc["cango:sell_4451_repay_ai", column])
    cli_peers = cli.json("peers", riot, str(CANGO) + ":sell_4451_repay_ai", "--paths", PATHS, "--seed", SEED, "--no-record")
    expected = sorted((f["rank"], f["firm"]) for f in cli_peers["firms"])
    assert list(zip(r.ranking["rank"], r.ranking.index)) == expected
    # The firms' paired difference on the same paths, both ways.
    ab = r.paired("riot", "cango:sell_4451_repay_ai")
    ba = r.paired("cango:sell_4451_repay_ai", "riot")
    assert ab["mean_usd"] == pytest.approx(-ba["mean_usd"], rel=1e-9)
    means = r.summary["npv_usd_mean"]
    assert ab["mean_usd"] == pytest.approx(means["cango:sell_4451_repay_ai"] - means["riot"], rel=1e-6)
    with pytest.raises(hashpivot.InputError):
        hashpivot.peers([riot, riot], paths=64)
