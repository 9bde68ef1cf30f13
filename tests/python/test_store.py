"""hashpivot.Store: runs recorded by the command line and by Python, read as frames (SQLite and PostgreSQL)."""

import pytest

import hashpivot
from conftest import CANGO


def check_store(cli, location):
    """Records a run from the command line and one from Python in `location`; both read back alike."""
    expected = cli.json("run", CANGO, "--paths", 200, "--seed", 21, "--db", location)
    with hashpivot.Store(location) as store:
        runs = store.runs()
        cli_id = expected["run_id"]
        assert runs.loc[cli_id, "scenario"] == "Cango (CANG), February 2026"
        assert runs.loc[cli_id, "paths"] == 200 and runs.loc[cli_id, "seed"] == 21
        stored = store.load(cli_id)
        for strategy in expected["strategies"]:
            assert stored.summary.loc[strategy["name"], "npv_usd_mean"] == strategy["npv_usd"]["mean"]
            assert stored.summary.loc[strategy["name"], "p_default"] == strategy["p_default"]
        result = hashpivot.run(CANGO, paths=200, seed=21, threads=2)
        python_id = store.save(result)
        assert result.info["id"] == python_id != cli_id
        assert store.load(python_id).summary.equals(stored.summary)  # the same seed and paths
        assert store.load(python_id).monthly.equals(stored.monthly)
        both = store.summaries([cli_id, python_id])
        assert both.index.names == ["run_id", "strategy"] and len(both) == 2 * len(result.strategies)
        shown = cli.json("runs", "show", python_id, "--db", location)
        assert shown["strategies"][0]["npv_usd"]["mean"] == result.summary.iloc[0]["npv_usd_mean"]
        with pytest.raises(hashpivot.InputError, match="999999"):
            store.load(999999)
    with pytest.raises(hashpivot.InputError, match="closed"):
        store.runs()


def test_sqlite_store(cli, tmp_path):
    check_store(cli, str(tmp_path / "runs.sqlite"))


def test_postgresql_store(cli, postgres_url):
    check_store(cli, postgres_url)


def test_a_missing_store_is_an_input_error_unless_created(cli, tmp_path):
    with pytest.raises(hashpivot.InputError) as e:
        hashpivot.Store(tmp_path / "none.sqlite")
    assert str(e.value) == cli.error("runs", "list", "--db", tmp_path / "none.sqlite")
    with hashpivot.Store(tmp_path / "new.sqlite", create=True) as store:
        assert store.engine == "sqlite" and len(store.runs()) == 0
