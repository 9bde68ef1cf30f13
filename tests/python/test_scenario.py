"""Scenarios read and edited from Python, checked by the command line's own reader and messages."""

import datetime

import pytest

import hashpivot
from conftest import CANGO, REPO


@pytest.fixture
def cango():
    return hashpivot.load_scenario(CANGO)


def test_fields_read_as_the_file_writes_them(cango):
    assert cango.name == "Cango (CANG), February 2026"
    assert cango.market.btc_price_usd == 78702.39
    assert cango.market.btc_price_model == "regime_switching"
    assert isinstance(cango.scenario.start_date, datetime.date)
    assert len(cango.sites) == 2 and cango.sites[-1].name == cango.sites[1].name
    assert cango.strategy_names[0] == "hold"
    assert "power_price_usd_per_mwh" in cango.sites[0]
    with pytest.raises(AttributeError, match="not in the scenario's text"):
        cango.market.no_such_key


def test_an_edit_changes_the_text_in_place_and_the_run(cango):
    line_before = cango.text.splitlines().index(
        next(l for l in cango.text.splitlines() if l.startswith("btc_price_usd = ")))
    cango.market.btc_price_usd = 60000
    lines = cango.text.splitlines()
    assert lines[line_before] == "btc_price_usd = 60000"  # on its line, comments kept
    assert "# PriceUSD of 2026-01-31" in cango.text
    assert cango.market.btc_price_usd == 60000
    lower = hashpivot.run(cango, paths=300, seed=3, threads=2).summary
    base = hashpivot.run(CANGO, paths=300, seed=3, threads=2).summary
    assert (lower["p_default"] >= base["p_default"]).all()
    assert (lower["p_default"] > base["p_default"]).any()


def test_an_edited_scenario_runs_as_the_same_text_from_a_file(cango, cli, tmp_path):
    cango.sites[0].power_price_usd_per_mwh = 64
    path = REPO / "scenarios" / "python_test_edit.toml"  # beside the original: relative paths resolve alike
    try:
        cango.save(path)
        expected = cli.json("run", path, "--paths", 300, "--seed", 4, "--no-record")
    finally:
        path.unlink(missing_ok=True)
    result = hashpivot.run(cango, paths=300, seed=4, threads=2)
    for strategy in expected["strategies"]:
        assert result.summary.loc[strategy["name"], "npv_usd_mean"] == strategy["npv_usd"]["mean"]
        assert result.summary.loc[strategy["name"], "p_default"] == strategy["p_default"]


def invalid_message(cli, scenario, tmp_path):
    """The command line's message for the same text, its file renamed to the scenario's source."""
    path = REPO / "scenarios" / "python_test_invalid.toml"
    try:
        path.write_text(scenario)
        return cli.error("run", path, "--paths", 10, "--no-record").replace(str(path), str(CANGO)).replace(
            "scenarios/python_test_invalid.toml", str(CANGO))
    finally:
        path.unlink(missing_ok=True)


def test_an_invalid_value_raises_the_command_lines_message_and_leaves_the_scenario(cango, cli, tmp_path):
    text_before = cango.text
    with pytest.raises(hashpivot.InputError) as e:
        cango.sites[0].capacity_mw = -5
    assert cango.text == text_before
    assert e.value.file == str(CANGO)
    assert e.value.key == "sites[1].capacity_mw"
    assert e.value.line == next(i + 1 for i, l in enumerate(text_before.splitlines()) if l.startswith("capacity_mw"))
    broken = text_before.replace(
        next(l for l in text_before.splitlines() if l.startswith("capacity_mw")), "capacity_mw = -5", 1)
    assert str(e.value) == invalid_message(cli, broken, tmp_path)


def test_a_wrong_type_and_an_unknown_strategy_keyword_are_input_errors(cango):
    with pytest.raises(hashpivot.InputError, match="market.btc_price_usd"):
        cango.market.btc_price_usd = "lots"
    with pytest.raises(hashpivot.InputError, match="strategies"):
        cango.strategies[0].sell = "sometimes"
    assert isinstance(hashpivot.InputError("x"), ValueError)


def test_edits_that_pass_through_invalid_states_go_in_one_block(cango):
    name = cango.strategies[0].name
    with pytest.raises(hashpivot.InputError):
        with cango.edit():
            cango.sites[0].capacity_mw = -1
    assert cango.sites[0].capacity_mw > 0 and cango.strategies[0].name == name
    with cango.edit():
        cango.strategies[0].name = "renamed"
        cango.strategies[0].name = name
    assert cango.strategies[0].name == name


def test_a_copy_is_independent_and_a_new_strategy_can_be_appended(cango):
    other = cango.copy()
    other.market.btc_price_usd = 50000
    assert cango.market.btc_price_usd == 78702.39
    copy = other.strategies[0].to_dict()
    copy["name"] = "hold_again"
    other.strategies.append(copy)
    assert other.strategy_names[-1] == "hold_again"
    with pytest.raises(hashpivot.InputError, match="unique"):
        other.strategies.append(copy)


def test_missing_and_malformed_files_raise_the_command_lines_messages(cli, tmp_path):
    for path in (tmp_path / "missing.toml", tmp_path):
        with pytest.raises(hashpivot.InputError) as e:
            hashpivot.load_scenario(path)
        assert str(e.value) == cli.error("run", path, "--no-record")
    bad = tmp_path / "bad.toml"
    bad.write_text("[scenario\nname = 1\n")
    with pytest.raises(hashpivot.InputError) as e:
        hashpivot.load_scenario(bad)
    assert e.value.line == 1
    assert str(e.value) == cli.error("run", bad, "--no-record")


def test_plausibility_warnings_are_the_command_lines(cango, cli):
    path = REPO / "scenarios" / "python_test_warning.toml"
    text = cango.text.replace("btc_price_usd = 78702.39", "btc_price_usd = 78.70")
    try:
        path.write_text(text)
        with pytest.warns(hashpivot.PlausibilityWarning, match="plausible range"):
            scenario = hashpivot.load_scenario(path)
        printed = [l.removeprefix("hashpivot: warning: ") for l in
                   cli.run("run", path, "--paths", 10, "--no-record").stderr.splitlines() if "warning:" in l]
        assert scenario.warnings == printed
        assert hashpivot.run(scenario, paths=10, seed=1).warnings == printed
    finally:
        path.unlink(missing_ok=True)
