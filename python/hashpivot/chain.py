"""Bitcoin's consensus rules as `hashpivot chain` computes them (exactly as Bitcoin Core does).

Each function returns the dict `hashpivot chain ... --json` prints for the same arguments."""

from . import _hashpivot as _h

__all__ = ["subsidy", "next_bits", "hashprice"]


def subsidy(height):
    """The block subsidy at `height`: subsidy_sat, subsidy_btc, halvings (`chain subsidy`)."""
    return dict(_h.subsidy(height))


def next_bits(bits, first_time, last_time):
    """The next epoch's compact bits from the last block's `bits` (int or hex text "0x1703..."),
    and the epoch's first and last block times (Unix seconds), with Core's clamp of the timespan
    (`chain retarget`): bits, difficulty, previous_bits, actual_timespan_s, timespan_used_s,
    difficulty_change_pct."""
    return dict(_h.next_bits(bits, first_time, last_time))


def hashprice(difficulty, price_usd, fees_btc_per_block=0.0, height=840_000):
    """Expected revenue of 1 PH/s for one day at `difficulty` (a number, or text such as
    "144.4T"), in USD and BTC (`chain hashprice`): the subsidy at `height` plus the mean fees."""
    return dict(_h.hashprice(difficulty, price_usd, fees_btc_per_block, height))
