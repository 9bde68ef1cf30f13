"""The result store: the runs `hashpivot run` (or Store.save) recorded, as frames."""

import os

import pandas as pd

from . import _hashpivot as _h
from ._result import _RecordFrames


class StoredRun(_RecordFrames):
    """A run loaded from a store: the same summary, monthly, accounts and defaults as the Result
    that was recorded (the per-path statistics are not stored)."""

    @property
    def id(self):
        return self.info["id"]

    def __repr__(self):
        return f"<StoredRun {self.id} {self.scenario_name!r}: {self.info['paths']} paths, seed {self.seed}>"


class Store:
    """A result store: a SQLite file, or a PostgreSQL database (a postgresql:// URL). Without a
    location, the command line's default: $HASHPIVOT_DB, else hashpivot.sqlite in the current
    directory. The store must exist unless create=True."""

    def __init__(self, location=None, create=False):
        location = _h.default_store_location() if location is None else os.fspath(location)
        self._handle = _h.open_store(location, create)

    @property
    def location(self):
        """The store's file or URL (a URL's password as ***)."""
        return self._handle.location

    @property
    def engine(self):
        """"sqlite" or "postgresql"."""
        return self._handle.engine

    def runs(self):
        """Every run, oldest first, indexed by id: scenario, scenario_path, seed, paths, threads,
        version, started_at, finished_at, start_date, horizon_days, strategies (their names)."""
        rows = self._handle.list()
        if not rows:
            return pd.DataFrame(columns=["scenario", "scenario_path", "seed", "paths", "threads", "version",
                                         "started_at", "finished_at", "start_date", "horizon_days",
                                         "strategies"], index=pd.Index([], name="id"))
        return pd.DataFrame.from_records(rows).set_index("id")

    def load(self, run_id):
        """The whole record of run `run_id` (an InputError naming the store if it has none)."""
        return StoredRun(self._handle.load(int(run_id)))

    def summaries(self, run_ids=None):
        """The strategy summaries of several runs (every run by default) in one frame indexed by
        (run_id, strategy), with the metric table's columns: for comparing runs."""
        ids = list(self.runs().index) if run_ids is None else [int(i) for i in run_ids]
        frames = [self.load(i).summary for i in ids]
        if not frames:
            return pd.DataFrame()
        return pd.concat(frames, keys=ids, names=["run_id", "strategy"])

    def save(self, result):
        """Records a Result as `hashpivot run` records a run (one transaction) and returns its id,
        which result.info["id"] then holds. Each call records a new run."""
        run_id = self._handle.save(result._handle)
        result.__dict__.pop("info", None)  # the cached info, read again with the id
        return run_id

    def close(self):
        """Closes the store's connection (also at the end of a `with Store(...) as store:` block)."""
        self._handle.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def __repr__(self):
        try:
            return f"<Store {self.location} ({self.engine})>"
        except _h.InputError:
            return "<Store (closed)>"
