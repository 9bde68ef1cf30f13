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


def _postgres_bin():
    """The folder of initdb and pg_ctl: PATH first, then the newest /usr/lib/postgresql/*/bin (Debian)."""
    import shutil
    initdb = shutil.which("initdb")
    if initdb and shutil.which("pg_ctl"):
        return pathlib.Path(initdb).parent
    versions = sorted((p for p in pathlib.Path("/usr/lib/postgresql").glob("*/bin") if (p / "initdb").exists()),
                      key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else -1)
    return versions[-1] if versions else None


@pytest.fixture(scope="session")
def postgres_url(tmp_path_factory):
    """A throwaway PostgreSQL server on loopback, as tests/support/postgres_server.cpp starts one for
    the C++ store tests (as root, the server runs as the `postgres` user): the URL of a fresh database.
    Skips when none can be started here, unless HASHPIVOT_REQUIRE_POSTGRES=1."""
    import pwd
    import socket
    import tempfile

    def unavailable(why):
        if os.environ.get("HASHPIVOT_REQUIRE_POSTGRES") == "1":
            pytest.fail(why)
        pytest.skip(why)

    bin_dir = _postgres_bin()
    if bin_dir is None:
        unavailable("initdb and pg_ctl not found (apt-get install postgresql)")
    as_user = []
    folder = pathlib.Path(tempfile.mkdtemp(prefix="hashpivot_pg_py_"))
    if os.geteuid() == 0:
        try:
            user = pwd.getpwnam("postgres")
        except KeyError:
            unavailable("running as root without a `postgres` user to run initdb as")
        os.chown(folder, user.pw_uid, user.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    data = folder / "data"
    subprocess.run(as_user + [str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                              "--locale=C", "--no-sync"], check=True, capture_output=True)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
    started = subprocess.run(as_user + [str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(folder / "server.log"),
                                        "-w", "-t", "60", "-o", options, "start"], capture_output=True)
    if started.returncode != 0:
        unavailable(f"pg_ctl could not start the server: {started.stderr.decode()[-500:]}")
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(as_user + [str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                       capture_output=True)
        import shutil
        shutil.rmtree(folder, ignore_errors=True)
