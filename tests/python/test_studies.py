"""backtest, calibrate, optimize and sensitivity against the command line's --json, value for value."""

import pytest

import hashpivot
from conftest import CANGO, CANGO_PRODUCTION, HISTORY


def test_backtest_equals_the_command_line_and_compares_with_reported_production(cli):
    expected = cli.json("backtest", CANGO, "--history", HISTORY, "--from", "2025-01-01", "--to", "2025-12-31",
                        "--compare", CANGO_PRODUCTION)
    result = hashpivot.backtest(CANGO, HISTORY, "2025-01-01", "2025-12-31", compare=CANGO_PRODUCTION)
    assert result.json == {**expected, "scenario_file": str(CANGO), "history": str(HISTORY),
                           "compare_file": str(CANGO_PRODUCTION)}
    assert list(result.months.index) == [f"2025-{m:02}" for m in range(1, 13)]
    assert result.months["btc_mined"].sum() == pytest.approx(expected["btc_mined"], rel=1e-12)
    # Cango's reported 2025 production (data/cango/), each full month within 10% of the model's.
    compare = result.compare
    assert compare.loc["total", "reported_btc"] == pytest.approx(
        sum(r["reported_btc"] for r in expected["compare"] if r["month"] != "total"))
    assert (compare["error"].abs() < 0.10).all()


def test_backtest_errors_name_the_arguments(cli):
    with pytest.raises(hashpivot.InputError) as e:
        hashpivot.backtest(CANGO, HISTORY, "2025-12-31", "2025-01-01")
    assert e.value.key == "from_date"
    with pytest.raises(hashpivot.InputError, match="no strategy named"):
        hashpivot.backtest(CANGO, HISTORY, "2025-01-01", "2025-02-01", strategy="nope")
    with pytest.raises(hashpivot.InputError) as e:
        hashpivot.backtest(CANGO, HISTORY, "2025-01-01", "2025-02-30")
    assert e.value.key == "to_date"


def test_calibrate_equals_the_command_line_and_writes_the_same_file(cli, tmp_path):
    args = [HISTORY, "--from", "2016-01-01", "--to", "2024-12-31"]
    expected = cli.json("calibrate", *args)
    result = hashpivot.calibrate(HISTORY, "2016-01-01", "2024-12-31")
    assert result.json == {**expected, "history": {**expected["history"], "file": str(HISTORY)}}
    gbm = result.parameters.loc[("btc_price", "gbm")]
    assert gbm.loc["sigma_annual", "value"] == expected["btc_price"]["gbm"]["sigma_annual"]
    assert gbm.loc["sigma_annual", "se"] == expected["btc_price"]["gbm"]["se"]["sigma_annual"]
    assert len(result.fit) > 10
    toml = tmp_path / "calibration.toml"
    cli.run("calibrate", *args, "--toml", toml)
    result.save_toml(tmp_path / "from_python.toml")
    written = (tmp_path / "from_python.toml").read_text()
    assert written == toml.read_text().replace(str(toml), str(tmp_path / "from_python.toml"))


def test_calibrate_fits_the_margin_driven_network_as_the_command_line_does(cli):
    lists = [HISTORY.parent.parent / "network" / name
             for name in ("asic_miners_cbeci_2014_2020.csv", "asic_frontier_2022_2026.csv")]
    args = [HISTORY, "--from", "2024-04-20", "--to", "2026-01-31", "--margin-from", "2020-01-01"]
    for path in lists:
        args += ["--asic-list", path]
    expected = cli.json("calibrate", *args)
    result = hashpivot.calibrate(HISTORY, "2024-04-20", "2026-01-31", asic_lists=lists, margin_from="2020-01-01")
    assert result.json["hashrate"]["margin_driven"] == expected["hashrate"]["margin_driven"]
    assert result.parameters.loc[("hashrate", "margin_driven")].loc["must_run_share", "value"] >= 0.05


def test_a_window_too_short_names_every_fit_that_fails(cli):
    message = cli.error("calibrate", HISTORY, "--from", "2025-01-01", "--to", "2025-12-31")
    with pytest.raises(hashpivot.InputError) as e:
        hashpivot.calibrate(HISTORY, "2025-01-01", "2025-12-31")
    assert e.value.key == "from_date/to_date"
    assert e.value.problem == message.split("--from/--to: ", 1)[1]


def test_optimize_equals_the_command_line(cli):
    args = ["--strategy", "sell_4451_repay_ai", "--vary", "sale_btc=500:5700", "--paths", 200, "--seed", 9,
            "--max-evaluations", 6, "--oos-paths", 200, "--threads", 2]
    expected = cli.json("optimize", CANGO, *args)
    result = hashpivot.optimize(CANGO, strategy="sell_4451_repay_ai", vary={"sale_btc": (500, 5700)}, paths=200,
                                seed=9, max_evaluations=6, oos_paths=200, threads=1)
    assert result.json == expected  # one thread here, two there: the same numbers
    assert result.best == expected["best"]
    assert list(result.points.index) == ["declared", "optimum", "declared_out_of_sample"]


def test_optimize_without_ranges_lists_the_parameters():
    with pytest.raises(hashpivot.InputError, match="vary") as e:
        hashpivot.optimize(CANGO, strategy="hold", paths=10)
    assert e.value.key == "vary"


def test_sensitivity_equals_the_command_line(cli):
    expected = cli.json("sensitivity", CANGO, "--strategy", "hold", "--paths", 128, "--seed", 5, "--no-break-even",
                        "--threads", 2)
    result = hashpivot.sensitivity(CANGO, strategy="hold", paths=128, seed=5, threads=2, break_even=False)
    expected.pop("seconds")
    got = dict(result.json)
    got.pop("seconds")
    assert got == expected
    tornado = result.tornado
    assert tornado.index.names == ["strategy", "input"]
    assert result.base.loc["hold", "npv_usd_mean"] == expected["strategies"][0]["base"]["npv_usd"]["mean"]
