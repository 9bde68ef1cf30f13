#!/usr/bin/env python3
"""Regenerates the daily history the product reads from the committed inputs (Python 3 standard library only).

Usage: python3 scripts/derive-history.py [DATA_DIR]   (DATA_DIR defaults to data/ beside this script's folder)

Inputs (all committed, data/README.md names their sources and licences):
  history/btc_daily_inputs.csv          the shared data set's A5 table: price, supply, block counts and
                                        heights, DiffMean, HashRate, fees, with their sources
  chain/btc_blocks_rpc_909458_943042.csv per-block height, header timestamp and total fee (getblockstats)
  chain/btc_difficulty_epochs.csv       the exact difficulty of every 2016-block epoch
Outputs:
  history/btc_daily_history_coinmetrics_format.csv  time,PriceUSD,DiffMean,BlkCnt,HashRate,FeeTotNtv,SplyCur
  history/btc_daily_heights.csv                     time,first_height,last_height,source (days with known heights)

Rules, day by day (UTC days):
  1. A day whose whole span lies inside the per-block table (a block stamped before the day and one after it)
     takes its blocks from the table: BlkCnt = the blocks stamped that day, first/last height their lowest and
     highest height, FeeTotNtv = the sum of their fees. Where the inputs already hold that day from the same
     per-block source, their cells are kept as written (the same values; no reformatting churn).
  2. Otherwise the inputs' cells are kept unchanged.
  3. DiffMean where empty: the mean of the epoch difficulty over the day's heights when they are known.
     Where the heights are unknown, a day's epoch is taken only when it is unambiguous: with E(d) the last
     height of day d, known on days a < t < b around the gap (or only a, after the last known day), and at
     most MAX_BLOCKS_PER_DAY blocks in any day, E(t) lies in
       [max(E(a), E(b) - (b - t)*MAX), min(E(b), E(a) + (t - a)*MAX)],
     and day t's blocks in [lo(t-1) + 1, hi(t)]. If both ends fall in one epoch, DiffMean is that epoch's
     difficulty (BlkCnt, HashRate and fees stay empty); otherwise DiffMean stays empty. Nothing is guessed.
  4. HashRate where empty = DiffMean * 2^32 * BlkCnt / 86400 / 1e12 (TH/s) where both are known.
The output is a pure function of the inputs: run it twice and the files are byte-identical.
"""

import csv
import sys
from fractions import Fraction
from pathlib import Path

SECONDS_PER_DAY = 86_400
BLOCKS_PER_EPOCH = 2016
TWO_POW_32 = 2**32
THS_PER_HS = 10**12
# The most blocks found in one UTC day in the inputs from 2016-01-01 on (2016-2026: 200). The bound that makes a
# day's epoch "unambiguous" in rule 3; a larger bound only leaves more days empty.
MAX_BLOCKS_PER_DAY = 200
RPC_SOURCE = "rpc_blockstats_timestamp_day"
RPC_FEE_SOURCE = "rpc_blockstats_sum_totalfee"
DERIVED_EPOCH_SOURCE = "epoch_unambiguous_from_nearest_heights"


def day_number(iso):
    from datetime import date
    return date.fromisoformat(iso).toordinal()


def read_epochs(path):
    starts, difficulty = [], []
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            starts.append(int(row["start_height"]))
            difficulty.append(Fraction(row["difficulty"]))
    return starts, difficulty


def epoch_of(height):
    return height // BLOCKS_PER_EPOCH


def mean_difficulty(first, last, difficulty):
    """Exact mean of the epoch difficulty over heights first..last."""
    total, h = Fraction(0), first
    while h <= last:
        e = epoch_of(h)
        end = min(last, (e + 1) * BLOCKS_PER_EPOCH - 1)
        total += difficulty[e] * (end - h + 1)
        h = end + 1
    return total / (last - first + 1)


def fmt(value, digits):
    return f"{float(value):.{digits}g}"


def read_blocks(path):
    """Per day (ordinal) the list of (height, fee_sat) stamped that day, and the table's time span."""
    days, t_min, t_max = {}, None, None
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            t = int(row["time_unix"])
            t_min = t if t_min is None else min(t_min, t)
            t_max = t if t_max is None else max(t_max, t)
            ordinal = day_number("1970-01-01") + t // SECONDS_PER_DAY
            days.setdefault(ordinal, []).append((int(row["height"]), int(row["totalfee_sat"])))
    return days, t_min, t_max


def apply_blocks(rows, blocks_path):
    days, t_min, t_max = read_blocks(blocks_path)
    epoch_ordinal = day_number("1970-01-01")
    for row in rows:
        d = day_number(row["time"])
        start = (d - epoch_ordinal) * SECONDS_PER_DAY
        if not (t_min < start and t_max >= start + SECONDS_PER_DAY) or d not in days:
            continue
        if row["blocks_source"] == RPC_SOURCE:
            continue  # rule 1: the inputs already hold this day from the same source
        blocks = days[d]
        heights = [h for h, _ in blocks]
        row["BlkCnt"] = str(len(blocks))
        row["first_height"], row["last_height"] = str(min(heights)), str(max(heights))
        row["blocks_source"] = RPC_SOURCE
        row["FeeTotNtv"] = repr(sum(fee for _, fee in blocks) / 10**8)  # the inputs' own format (shortest repr)
        row["fee_source"] = RPC_FEE_SOURCE
        row["DiffMean"] = ""
        row["HashRate"] = ""


def known_last_heights(rows):
    return [(i, int(r["last_height"])) for i, r in enumerate(rows) if r["last_height"] != ""]


def fill_difficulty(rows, difficulty):
    for row in rows:
        if row["DiffMean"] == "" and row["first_height"] != "" and row["last_height"] != "":
            row["DiffMean"] = fmt(mean_difficulty(int(row["first_height"]), int(row["last_height"]), difficulty), 15)
    known = known_last_heights(rows)
    # Rule 3 on the gaps between known days.
    for k, (a, ea) in enumerate(known):
        b, eb = known[k + 1] if k + 1 < len(known) else (None, None)
        last_index = (b if b is not None else len(rows)) - 1
        for t in range(a + 1, last_index + 1):
            if rows[t]["DiffMean"] != "":
                continue
            lo_prev = ea if b is None else max(ea, eb - (b - (t - 1)) * MAX_BLOCKS_PER_DAY)
            hi = ea + (t - a) * MAX_BLOCKS_PER_DAY if b is None else min(eb, ea + (t - a) * MAX_BLOCKS_PER_DAY)
            first, last = lo_prev + 1, hi
            if first <= last and epoch_of(first) == epoch_of(last) and epoch_of(last) < len(difficulty):
                rows[t]["DiffMean"] = fmt(difficulty[epoch_of(last)], 15)
                rows[t]["blocks_source"] = DERIVED_EPOCH_SOURCE


def fill_hashrate(rows):
    for row in rows:
        if row["HashRate"] == "" and row["DiffMean"] != "" and row["BlkCnt"] != "":
            rate = Fraction(row["DiffMean"]) * TWO_POW_32 * int(row["BlkCnt"]) / SECONDS_PER_DAY / THS_PER_HS
            row["HashRate"] = f"{float(rate):.3f}"


def main():
    data = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "data"
    with open(data / "history/btc_daily_inputs.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    _, difficulty = read_epochs(data / "chain/btc_difficulty_epochs.csv")
    apply_blocks(rows, data / "chain/btc_blocks_rpc_909458_943042.csv")
    fill_difficulty(rows, difficulty)
    fill_hashrate(rows)
    with open(data / "history/btc_daily_history_coinmetrics_format.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\r\n")  # the file has always had CRLF line ends
        w.writerow(["time", "PriceUSD", "DiffMean", "BlkCnt", "HashRate", "FeeTotNtv", "SplyCur"])
        for r in rows:
            w.writerow([r["time"], r["PriceUSD"], r["DiffMean"], r["BlkCnt"], r["HashRate"], r["FeeTotNtv"], r["SplyCur"]])
    with open(data / "history/btc_daily_heights.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["time", "first_height", "last_height", "source"])
        for r in rows:
            if r["first_height"] != "" and r["last_height"] != "":
                w.writerow([r["time"], r["first_height"], r["last_height"], r["blocks_source"]])


if __name__ == "__main__":
    main()
