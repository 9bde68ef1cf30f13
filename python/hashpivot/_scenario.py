"""Scenarios: a scenario file's TOML, read and edited through attributes.

    s = hashpivot.load_scenario("scenarios/cango.toml")
    s.sites[0].power_price_usd_per_mwh          # 75.8, as written in the file
    s.sites[0].power_price_usd_per_mwh = 64     # validated at once, as the command line reads a file
    s.strategies[1].sell = "sell_fraction"      # an InputError: sell_fraction is then missing ...
    with s.edit():                              # ... so change both, validated together
        s.strategies[1].sell = "sell_fraction"
        s.strategies[1].sell_fraction = 0.5

Every edit changes the scenario's text where the value stands (text, save()) and reads the whole
text again with the command line's reader: an invalid value raises hashpivot.InputError with the
message `hashpivot run` prints for that file (file:line: key: problem), and leaves the scenario as
it was. Keys and indices are the file's: arrays of tables ([[sites]]) index from 0 here, while
messages count them from 1 as the command line does (sites[1] is s.sites[0]). A key the file leaves
out is not an attribute (the reader's default applies); assigning it adds it to the file.
"""

import contextlib
import os
import warnings

from . import _hashpivot as _h
from ._convert import table_body, toml_value


def _describe(path):
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else ("." if out else "") + step
    return out or "the scenario"


def _node(document, path):
    kind = document.kind(path)
    if kind is None:
        raise KeyError(path[-1])
    if kind == "table":
        return Table(document, path)
    if kind == "array_of_tables":
        return TableArray(document, path)
    return document.get(path)


def _missing(document, path):
    parent = path[:-1]
    keys = document.keys(parent) if document.kind(parent) == "table" else []
    return AttributeError(
        f"{_describe(path)}: not in the scenario's text (the reader's default applies to a key left out; "
        f"assign it to add it). {_describe(parent)} has: {', '.join(keys)}")


class Table:
    """A table of the scenario (e.g. s.market, s.sites[0]): its keys are attributes and items."""

    __slots__ = ("_document", "_path")

    def __init__(self, document, path):
        object.__setattr__(self, "_document", document)
        object.__setattr__(self, "_path", list(path))

    def __getattr__(self, key):
        if key.startswith("__"):
            raise AttributeError(key)
        try:
            return _node(self._document, self._path + [key])
        except KeyError:
            raise _missing(self._document, self._path + [key]) from None

    def __setattr__(self, key, value):
        self._document.set(self._path + [key], toml_value(value))

    def __delattr__(self, key):
        self._document.remove(self._path + [key])

    __getitem__ = __getattr__
    __setitem__ = __setattr__
    __delitem__ = __delattr__

    def __contains__(self, key):
        return self._document.kind(self._path + [key]) is not None

    def __iter__(self):
        return iter(self.keys())

    def keys(self):
        return self._document.keys(self._path)

    def items(self):
        return [(k, self[k]) for k in self.keys()]

    def get(self, key, default=None):
        return self[key] if key in self else default

    def to_dict(self):
        """The table as plain Python values (nested dicts and lists)."""
        return self._document.get(self._path)

    def __dir__(self):
        return self.keys() + ["keys", "items", "get", "to_dict"]

    def __eq__(self, other):
        return isinstance(other, Table) and self.to_dict() == other.to_dict()

    def __repr__(self):
        return f"<{_describe(self._path)} (line {self._document.line(self._path)}): {self.to_dict()!r}>"


class TableArray:
    """An array of tables ([[sites]], [[strategies]], ...): indexed from 0, each element a Table."""

    __slots__ = ("_document", "_path")

    def __init__(self, document, path):
        self._document = document
        self._path = list(path)

    def __len__(self):
        return self._document.length(self._path)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(f"{_describe(self._path)} has {len(self)} elements, no [{index}]")
        return Table(self._document, self._path + [index])

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def append(self, table):
        """Appends an element (a mapping, or another element as a Table) at the end of the text,
        e.g. a copy of a strategy under another name; validated like any edit."""
        if len(self._path) != 1:
            raise ValueError(f"{_describe(self._path)}: only top-level arrays ([[name]]) can be appended to; "
                             "edit the scenario's text")
        values = table.to_dict() if isinstance(table, Table) else dict(table)
        self._document.append_table(self._path[0], table_body(values))

    def to_list(self):
        return self._document.get(self._path)

    def __repr__(self):
        return f"<{_describe(self._path)}: {len(self)} tables>"


class Scenario:
    """A scenario file's content, readable and editable through attributes (see the module's doc).

    Attributes other than the methods below are the file's top-level tables: s.scenario (its
    [scenario] table: name, seed, paths, ...), s.market, s.machines, s.sites, s.fleet,
    s.treasury, s.debt, s.strategies."""

    __slots__ = ("_document",)

    def __init__(self, document):
        object.__setattr__(self, "_document", document)

    @classmethod
    def from_text(cls, text, source="<text>"):
        """A scenario from TOML text, read as if from the file `source`: messages name it, and the
        scenario's relative paths (market.calibration) resolve against its directory."""
        return cls(_h.ScenarioDocument.from_text(text, os.fspath(source)))

    @property
    def text(self):
        """The TOML text, with every edit made."""
        return self._document.text

    @text.setter
    def text(self, text):
        self._document.set_text(text)

    @property
    def source(self):
        """The file it was read from (or the source name it was given)."""
        return self._document.source

    @property
    def name(self):
        """The scenario's name ([scenario] name)."""
        return self._document.name

    @property
    def strategy_names(self):
        return self._document.strategy_names

    @property
    def warnings(self):
        """Plausibility warnings of the scenario as it stands ("file:line: key: problem"): values
        valid but far outside what the world has seen (docs/scenario.md, Plausibility warnings),
        the same the command line prints; a run records them."""
        return list(self._document.warnings)

    def copy(self):
        """An independent copy (edits to one do not change the other)."""
        return Scenario(self._document.copy())

    def save(self, path):
        """Writes the text to `path`. Relative paths in it (market.calibration) stay relative to
        the directory of the original file."""
        with open(path, "w", encoding="utf-8") as out:
            out.write(self.text)

    @contextlib.contextmanager
    def edit(self):
        """Edits validated together when the block ends, for changes that pass through invalid
        states; an invalid result raises InputError and leaves the scenario as before the block."""
        self._document.begin_batch()
        try:
            yield self
        except BaseException:
            self._document.abort_batch()
            raise
        self._document.end_batch()

    def to_dict(self):
        return self._document.get([])

    def __getattr__(self, key):
        if key.startswith("__"):
            raise AttributeError(key)
        return getattr(Table(self._document, []), key)

    def __setattr__(self, key, value):
        if key in type(self).__dict__:
            object.__setattr__(self, key, value)  # a property's setter (text)
        else:
            setattr(Table(self._document, []), key, value)

    def __delattr__(self, key):
        delattr(Table(self._document, []), key)

    def __getitem__(self, key):
        return self.__getattr__(key)

    def __dir__(self):
        return self._document.keys([]) + ["text", "source", "name", "strategy_names", "warnings", "copy", "save",
                                          "edit", "to_dict"]

    def __repr__(self):
        return f"<Scenario {self.name!r} from {self.source}: strategies {', '.join(self.strategy_names)}>"


class PlausibilityWarning(UserWarning):
    """A value valid but far outside what the world has seen (the command line's "warning:")."""


def load_scenario(path):
    """Reads a scenario file (TOML; docs/scenario.md) as `hashpivot run` does: a problem raises
    hashpivot.InputError with the command line's message; each plausibility warning is issued as
    a hashpivot.PlausibilityWarning (and kept in .warnings)."""
    scenario = Scenario(_h.ScenarioDocument.from_file(os.fspath(path)))
    for message in scenario.warnings:
        warnings.warn(message, PlausibilityWarning, stacklevel=2)
    return scenario


def document_of(scenario):
    """The engine's document of a Scenario, or of the scenario file at a path."""
    if isinstance(scenario, Scenario):
        return scenario._document
    if isinstance(scenario, (str, os.PathLike)):
        return load_scenario(scenario)._document
    raise TypeError(f"expected a hashpivot.Scenario or a scenario file's path, got {type(scenario).__name__}")
