"""hashpivot: what a Bitcoin miner should do when margins tighten, as pandas frames.

    import hashpivot
    s = hashpivot.load_scenario("scenarios/cango.toml")
    s.sites[0].power_price_usd_per_mwh = 64          # validated as the command line validates a file
    r = hashpivot.run(s, paths=2000, seed=1, threads=2)
    r.summary[["p_default", "npv_usd_mean"]]         # one row per strategy

The engine is hashpivot's C++ (the same as the `hashpivot` command line): the same seed gives the
same numbers for any thread count, and the numbers of the command's --json. Errors in input raise
hashpivot.InputError with the command line's message (file:line: key: problem).
"""

from ._hashpivot import InputError, ParameterError, __version__
from ._scenario import PlausibilityWarning, Scenario, load_scenario
from ._result import Result, metrics, peers, run
from ._store import Store, StoredRun
from ._studies import (Backtest, Calibration, Optimization, Sensitivity, backtest, calibrate, optimize,
                       sensitivity)
from . import chain

__all__ = ["InputError", "ParameterError", "__version__", "PlausibilityWarning", "Scenario", "load_scenario", "Result", "metrics", "peers", "run",
           "Store", "StoredRun", "Backtest", "Calibration", "Optimization", "Sensitivity", "backtest", "calibrate",
           "optimize", "sensitivity", "chain"]
