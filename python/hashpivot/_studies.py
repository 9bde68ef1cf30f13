"""Studies over a scenario or a history: backtest, calibrate, optimize, sensitivity.

Each returns the numbers the command line's `--json` prints for the same arguments (the engine
builds both with one function), as pandas frames, with the whole JSON object kept in `.json`.
"""

import os

import pandas as pd

from . import _hashpivot as _h
from ._convert import date_text
from ._scenario import document_of


class _Study:
    """A study's result: `.json` is what the command's --json prints."""

    def __init__(self, json):
        self.json = json

    def __getitem__(self, key):
        return self.json[key]


class Backtest(_Study):
    """A scenario's firm run on a real daily history (hashpivot.backtest; `hashpivot backtest --json`)."""

    @property
    def months(self):
        """One row per calendar month run, indexed by "YYYY-MM": BTC mined, revenue, power cost,
        EBITDA, hashprice, effective hashrate, balances at month end, days with a filled input, ..."""
        return pd.DataFrame.from_records(self.json["months"]).set_index("month")

    @property
    def total(self):
        """The whole window's totals (btc_mined, revenue_usd, power_cost_usd, ebitda_usd, ...)."""
        keys = [k for k, v in self.json.items() if isinstance(v, (int, float)) and not isinstance(v, bool)]
        return pd.Series({k: self.json[k] for k in keys}, name="total")

    @property
    def compare(self):
        """Model against reported BTC mined month by month (then "total" over the full months),
        when `compare=` was given; None otherwise. error = model / reported - 1."""
        if "compare" not in self.json:
            return None
        return pd.DataFrame.from_records(self.json["compare"]).set_index("month")

    filled_days = property(lambda self: dict(self.json["filled_days"]),
                           doc="Days on which each input was filled (the fill rule: .fill_rule).")
    fill_rule = property(lambda self: self.json["fill_rule"])
    notes = property(lambda self: list(self.json["notes"]))
    default_day = property(lambda self: self.json["default_day"], doc="The day the firm defaulted, or None.")

    def __repr__(self):
        return (f"<Backtest {self.json['strategy']!r} {self.json['from']}..{self.json['to']}: "
                f"{self.json['btc_mined']:,.1f} BTC mined>")


def backtest(scenario, history, from_date, to_date, strategy=None, compare=None):
    """Runs strategy `strategy` (default: the first) of `scenario` on the real daily `history`
    (a CSV in calibrate's Coin Metrics format) from `from_date` to `to_date` inclusive, as
    `hashpivot backtest` does; `compare`, a CSV of reported monthly production (month,
    btc_mined), adds the model-against-reported table."""
    return Backtest(_h.backtest(document_of(scenario), os.fspath(history), date_text(from_date), date_text(to_date),
                                strategy or "", None if compare is None else os.fspath(compare)))


class Calibration(_Study):
    """Every market and network process fitted to a history (hashpivot.calibrate; `hashpivot calibrate --json`)."""

    def __init__(self, json, toml):
        super().__init__(json)
        self._toml = toml

    @property
    def parameters(self):
        """Long: one row per (factor, model, parameter) with its value and standard error (NaN
        where the fit reports none)."""
        rows = []
        for factor, models in self.json.items():
            if factor == "history":
                continue
            for model, fit in models.items():
                se = fit.get("se", {})
                for name, value in fit.items():
                    if isinstance(value, (int, float)) and not isinstance(value, bool) and name not in (
                            "log_likelihood", "observations"):
                        rows.append({"factor": factor, "model": model, "parameter": name, "value": float(value),
                                     "se": float(se[name]) if se.get(name) is not None else float("nan")})
        return pd.DataFrame.from_records(rows).set_index(["factor", "model", "parameter"])

    @property
    def fit(self):
        """Long: one row per goodness-of-fit check (factor, model, name) with the model's and the
        history's value and how each is computed."""
        rows = []
        for factor, models in self.json.items():
            if factor == "history":
                continue
            for model, fit in models.items():
                for check in fit.get("fit", []):
                    rows.append({"factor": factor, "model": model, **check})
        return pd.DataFrame.from_records(rows).set_index(["factor", "model", "name"])

    history = property(lambda self: dict(self.json["history"]),
                       doc="The window fitted: file, from, to, days, gaps and known days per column.")

    def toml(self, path="calibration.toml"):
        """The calibration file `hashpivot calibrate --toml PATH` writes (a scenario's market.calibration)."""
        return self._toml.replace("{toml_out}", os.fspath(path))

    def save_toml(self, path):
        """Writes toml(path) to `path`."""
        with open(path, "w", encoding="utf-8") as out:
            out.write(self.toml(path))

    def __repr__(self):
        h = self.json["history"]
        return f"<Calibration of {h['file']} {h['from']}..{h['to']}: {', '.join(k for k in self.json if k != 'history')}>"


def calibrate(history, from_date=None, to_date=None, energy=None, energy_column="hb_west_usd_per_mwh",
              gpu_prices=None, asic_lists=(), margin_from=None):
    """Fits every market and network process to a daily history, as `hashpivot calibrate` does
    (optionally the energy model to hourly ERCOT prices, the AI/HPC rates to GPU rental prices, and, given
    ASIC hardware lists, the margin-driven network on the window from `margin_from`)."""
    out = _h.calibrate(os.fspath(history), date_text(from_date), date_text(to_date),
                       None if energy is None else os.fspath(energy), energy_column,
                       None if gpu_prices is None else os.fspath(gpu_prices),
                       [os.fspath(p) for p in asic_lists], date_text(margin_from))
    return Calibration(out["json"], out["toml"])


class Optimization(_Study):
    """A strategy's parameters searched on common random numbers (hashpivot.optimize; `hashpivot optimize --json`)."""

    best = property(lambda self: dict(self.json["best"]), doc="The best parameters found, by name.")

    @property
    def points(self):
        """The declared and the optimal parameters, in sample and out of sample: one row each, with
        the parameters, objective, mean NPV, CVaR 5%, P(default) and their SEs."""
        rows = {}
        for label, point in (("declared", self.json["declared"]), ("optimum", self.json["optimum"]),
                             ("declared_out_of_sample", self.json["out_of_sample"]["declared"])):
            rows[label] = {**point["parameters"], **{k: v for k, v in point.items() if k != "parameters"}}
        return pd.DataFrame.from_dict(rows, orient="index")

    def __repr__(self):
        return f"<Optimization of {self.json['strategy']!r}: best {self.best}, objective {self.json['objective']:,.0f}>"


def optimize(scenario, strategy=None, vary=None, objective="npv", max_default_prob=None, wealth_usd=None,
             paths=4000, seed=None, oos_seed=None, oos_paths=None, threads=None, max_evaluations=80, xtol=1e-3,
             algorithm="neldermead"):
    """Searches `strategy`'s parameters for the best `objective` ("npv", "mean-cvar:LAMBDA" or
    "crra:GAMMA") subject to P(default) <= max_default_prob, as `hashpivot optimize` does; `vary`
    maps parameters to (low, high) ranges (default: the strategy's [strategies.search]). Ctrl-C
    stops it between evaluations (KeyboardInterrupt)."""
    return Optimization(_h.optimize(document_of(scenario), strategy or "", dict(vary or {}), objective,
                                    max_default_prob, wealth_usd, paths, seed, oos_seed, oos_paths, threads,
                                    max_evaluations, xtol, algorithm))


class Sensitivity(_Study):
    """Tornado bumps and break-even levels (hashpivot.sensitivity; `hashpivot sensitivity --json`)."""

    @property
    def base(self):
        """One row per strategy: the unbumped run's mean NPV, P(default), EBITDA and their SEs."""
        return pd.DataFrame.from_records(
            [{"strategy": s["name"], **_flatten(s["base"])} for s in self.json["strategies"]]).set_index("strategy")

    @property
    def tornado(self):
        """One row per (strategy, input): the bump (base, low, high, basis, unit) and the outcomes at
        the low and the high value, widest NPV swing first within each strategy."""
        rows = []
        for s in self.json["strategies"]:
            for bar in s["tornado"]:
                rows.append({"strategy": s["name"], **_flatten(bar)})
        return pd.DataFrame.from_records(rows).set_index(["strategy", "input"])

    @property
    def break_even(self):
        """One row per (strategy, break-even): its value, SE, bracket and whether it was found."""
        rows = []
        for s in self.json["strategies"]:
            for key, value in s.items():
                if key.startswith("break_even_") and value is not None:
                    rows.append({"strategy": s["name"], "break_even": key[len("break_even_"):], **_flatten(value)})
        if not rows:
            return pd.DataFrame(columns=["strategy", "break_even"]).set_index(["strategy", "break_even"])
        return pd.DataFrame.from_records(rows).set_index(["strategy", "break_even"])

    def __repr__(self):
        return f"<Sensitivity of {self.json['scenario']!r}: {self.json['runs']} runs of {self.json['paths']} paths>"


def _flatten(mapping, prefix=""):
    """{"npv_usd": {"mean": 1}} -> {"npv_usd_mean": 1}; lists of two as _low/_high."""
    out = {}
    for key, value in mapping.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, name + "_"))
        elif isinstance(value, list) and len(value) == 2:
            out[name + "_low"], out[name + "_high"] = value
        else:
            out[name] = value
    return out


def sensitivity(scenario, strategy=None, paths=2000, seed=None, threads=None, relative_bump=0.2, break_even=True):
    """Bumps each input the scenario depends on (by its calibration SE, or +-relative_bump) and,
    with break_even, finds the BTC and power prices at which the strategy's operations, without its
    debt, have zero mean EBITDA, as `hashpivot sensitivity` does, every run on the same paths. Ctrl-C
    stops it between runs."""
    return Sensitivity(_h.sensitivity(document_of(scenario), strategy or "", paths, seed, threads, relative_bump,
                                      break_even))
