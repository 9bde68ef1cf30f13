"""Shared fixtures of the Python module's tests: the repository, the command line, and its --json.

ctest runs each test file from the repository's root with the build tree's package on PYTHONPATH and
the command line's binary in HASHPIVOT_CLI (tests/python/CMakeLists.txt); by hand:
    PYTHONPATH=build/python HASHPIVOT_CLI=build/hashpivot python3 -m pytest tests/python
"""

import json
import os
import pathlib
import subprocess

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
CANGO = REPO / "scenarios" / "cango.toml"
HISTORY = REPO / "data" / "history" / "btc_daily_history_coinmetrics_format.csv"
CANGO_PRODUCTION = REPO / "data" / "cango" / "cango_monthly_production.csv"


def cli_path():
    path = os.environ.get("HASHPIVOT_CLI")
    if not path:
        for candidate in ("build/hashpivot", "build-dev/hashpivot", "build-test/hashpivot"):
            if (REPO / candidate).exists():
                return str(REPO / candidate)
        pytest.fail("set HASHPIVOT_CLI to the hashpivot binary (ctest does)")
    return path


class Cli:
    """The command line, run from the repository's root."""

    def __init__(self, path):
        self.path = path

    def run(self, *args, check=True, env=None):
        """The finished process (text output); with check, a non-zero exit fails the test with its stderr."""
        process = subprocess.run([self.path, *map(str, args)], cwd=REPO, capture_output=True, text=True,
                                 env={**os.environ, **(env or {})}, timeout=600)
        if check and process.returncode != 0:
            pytest.fail(f"hashpivot {' '.join(map(str, args))} exited {process.returncode}: {process.stderr}")
        return process

    def json(self, *args):
        """The parsed --json output of a command (the flag is added)."""
        return json.loads(self.run(*args, "--json").stdout)

    def error(self, *args):
        """The message of a command that must fail with exit 2 (bad input): stderr without "hashpivot: error: "."""
        process = self.run(*args, check=False)
        assert process.returncode == 2, (process.returncode, process.stderr)
        line = process.stderr.strip().splitlines()[-1]
        prefix = "hashpivot: error: "
        assert line.startswith(prefix), line
        return line[len(prefix):]


@pytest.fixture(scope="session")
def cli():
    return Cli(cli_path())


@pytest.fixture(autouse=True)
def in_repository(monkeypatch):
    """Relative paths (scenarios/cango.toml) mean the same to the module as to the command line."""
    monkeypatch.chdir(REPO)
