"""Small conversions the package shares: Python values to TOML text, and columns to frames."""

import datetime
import math
import numbers
from collections.abc import Mapping
import re

import pandas as pd

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def toml_string(text):
    """A TOML basic string: quotes, backslashes and control characters escaped, the rest as is."""
    out = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def toml_key(key):
    key = str(key)
    return key if _BARE_KEY.match(key) else toml_string(key)


def toml_value(value):
    """One TOML value as written after `key = `: bool, int, float (shortest text that reads back
    to the same number), str, datetime.date, list, or mapping (an inline table)."""
    to_dict = getattr(value, "to_dict", None)
    if to_dict is not None and not isinstance(value, Mapping):  # a Table of a scenario
        value = to_dict()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        number = float(value)
        if math.isnan(number):
            return "nan"
        text = repr(number)  # the shortest round trip: 64.0, 0.1, 1e-05, 1e+16, inf, -inf
        return text if any(c in text for c in ".eEn") else text + ".0"
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, datetime.datetime):
        raise TypeError(f"a scenario has dates, not date-times: got {value!r}")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        items = ", ".join(f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items())
        return "{ " + items + " }" if items else "{}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} {value!r} in a scenario")


def table_body(mapping):
    """Lines `key = value`, one per item, for a new [[array]] element."""
    return "".join(f"{toml_key(k)} = {toml_value(v)}\n" for k, v in mapping.items())


def date_text(value):
    """A date argument as "YYYY-MM-DD" (str, datetime.date, pandas Timestamp), None kept."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        value = value.date()
    return str(value)


def frame(rows, index=None):
    """A DataFrame of row dicts (columns in the first row's order), indexed by `index` if given."""
    result = pd.DataFrame.from_records(list(rows))
    if index is not None and len(result) > 0:
        result = result.set_index(index)
    return result
