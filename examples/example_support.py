"""What the examples share: a headless matplotlib when there is no display, the repository's
scenarios, the common command-line arguments, and money written for an axis ($1.2B, -$350M)."""

import argparse
import os
import pathlib

import matplotlib

if not os.environ.get("MPLBACKEND") and not os.environ.get("DISPLAY"):
    matplotlib.use("Agg")  # headless: write the figure without a window

REPO = pathlib.Path(__file__).resolve().parents[1]


def usd(x, _=None):
    """$1.2B, −$350M, $80k: money on an axis (also a matplotlib FuncFormatter)."""
    sign = "−" if x < 0 else ""
    for scale, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(x) >= scale:
            return f"{sign}${abs(x) / scale:,.3g}{suffix}"
    return f"{sign}${abs(x):,.0f}"


def argument_parser(doc, paths_help):
    """--scenario (default the bundled Cango scenario), --paths (default 500), --seed and --out."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--scenario", default=str(REPO / "scenarios" / "cango.toml"))
    parser.add_argument("--paths", type=int, default=500, help=f"{paths_help} (default 500)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", default=".", help="directory for the figure")
    return parser
