"""Read YAML safely, keeping where every value came from.

Why not ``yaml.safe_load``: it forgets line/column, silently keeps the last of two duplicate
keys, expands alias bombs, and applies YAML 1.1 typing (``NO`` becomes ``False``, ``1.10``
becomes ``1.1``, ``2021-11-25`` becomes a ``date``). Curated facts must keep their wording, so
this loader:

* resolves only YAML 1.2 core-schema ``null``, ``true``/``false`` and decimal integers;
  a float-looking scalar becomes an exact :class:`~decimal.Decimal` (``1.10`` stays ``1.10``);
  everything else, dates included, stays a string for the schema to interpret;
* rejects duplicate keys, non-string keys, anchors/aliases, custom tags and oversized files;
* returns :class:`YDict` / :class:`YList` containers that know the location of each key and
  value, so that later checks can still name file:line:column.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from newskg.errors import InputError, Location, location_of
from newskg.files import MAX_INPUT_BYTES, read_input

try:  # the C parser is several times faster; marks are identical
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - libyaml missing
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

MAX_BYTES = MAX_INPUT_BYTES

_INT = re.compile(r"[-+]?[0-9]+\Z")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
_NULL = {"", "~", "null", "Null", "NULL"}
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}


class YDict(dict[str, Any]):
    """A mapping that remembers where it, its keys and its values are."""

    location: Location
    key_locations: dict[str, Location]
    value_locations: dict[str, Location]

    def key_at(self, key: str) -> Location:
        return self.key_locations.get(key, self.location)

    def value_at(self, key: str) -> Location:
        return self.value_locations.get(key, self.key_at(key))


class YList(list[Any]):
    """A sequence that remembers where it and each item are."""

    location: Location
    item_locations: list[Location]

    def item_at(self, index: int) -> Location:
        if 0 <= index < len(self.item_locations):
            return self.item_locations[index]
        return self.location


def location(container: Any, key: str | int | None = None) -> Location | None:
    """Best location for ``container[key]`` (or the container itself)."""
    if isinstance(container, YDict):
        return container.value_at(key) if isinstance(key, str) else container.location
    if isinstance(container, YList):
        return container.item_at(key) if isinstance(key, int) else container.location
    return None


def _loc(file: str, mark: yaml.Mark) -> Location:
    return Location(file, mark.line + 1, mark.column + 1)


_DEFAULT_TAGS: dict[type[yaml.Node], str] = {
    yaml.ScalarNode: "tag:yaml.org,2002:str",
    yaml.SequenceNode: "tag:yaml.org,2002:seq",
    yaml.MappingNode: "tag:yaml.org,2002:map",
}
_ALLOWED_TAGS = frozenset(_DEFAULT_TAGS.values())


class _Builder:
    """Turns a composed node tree into YDict/YList/scalars with locations."""

    def __init__(self, file: str) -> None:
        self.file = file
        # libyaml composes an alias as a second reference to the anchored node; building it
        # twice is how alias bombs explode, so a node seen twice is refused.
        self._seen: set[int] = set()

    def build(self, node: yaml.Node) -> Any:
        if id(node) in self._seen:
            raise self._fail(
                node,
                "anchors and aliases (&name / *name) are not supported",
                "write the value out where it is needed",
            )
        self._seen.add(id(node))
        if node.tag not in _ALLOWED_TAGS:
            raise self._fail(node, f"YAML tag '{node.tag}' is not allowed", "remove the tag")
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node)
        if isinstance(node, yaml.SequenceNode):
            out = YList()
            out.location = _loc(self.file, node.start_mark)
            out.item_locations = [_loc(self.file, n.start_mark) for n in node.value]
            out.extend(self.build(n) for n in node.value)
            return out
        try:
            return self._scalar(node)
        except ValueError:  # int() refuses more than sys.get_int_max_str_digits() digits
            raise self._fail(node, "number has too many digits", "quote it if it is text") from None

    def _fail(self, node: yaml.Node, message: str, hint: str) -> InputError:
        return InputError(message, location=_loc(self.file, node.start_mark), hint=hint)

    def _mapping(self, node: yaml.MappingNode) -> YDict:
        out = YDict()
        out.location = _loc(self.file, node.start_mark)
        out.key_locations = {}
        out.value_locations = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or (
                key_node.style is None and (key_node.value == "<<")
            ):
                raise self._fail(key_node, "a mapping key must be a plain string", "quote the key")
            key = key_node.value
            if key in out:
                first = out.key_locations[key]
                raise self._fail(
                    key_node,
                    f"duplicate key '{key}' (first defined at line {first.line})",
                    "remove one of the two; YAML keeps only the last silently",
                )
            out.key_locations[key] = _loc(self.file, key_node.start_mark)
            out.value_locations[key] = _loc(self.file, value_node.start_mark)
            out[key] = self.build(value_node)
        return out

    @staticmethod
    def _scalar(node: yaml.Node) -> Any:
        value: str = node.value
        if node.style:  # quoted or block scalar: always a string
            return value
        if value in _NULL:
            return None
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        if _INT.match(value):
            return int(value)
        if _FLOAT.match(value):
            return Decimal(value)
        return value


class _Composer(_BaseLoader):  # type: ignore[misc, valid-type]
    """libyaml's composer with no implicit typing: every plain scalar is tagged str, and
    :class:`_Builder` applies the YAML 1.2 core rules itself."""

    def resolve(self, kind: type[yaml.Node], value: Any, implicit: Any) -> str:
        # Every untagged node gets the default tag of its kind. Replacing the inherited
        # method (rather than emptying its resolver table) also skips its per-node lookups:
        # it runs once per node, and was a quarter of parsing time.
        return _DEFAULT_TAGS[kind]


def loads(text: str, file: str = "<string>") -> Any:
    """Parse one YAML document from ``text``; ``file`` names it in errors."""
    try:
        loader = _Composer(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = _loc(file, mark) if mark else Location(file)
        problem = exc.problem or exc.context or "invalid YAML"
        raise InputError(
            f"YAML syntax error: {problem}",
            location=where,
            hint="check indentation, colons and quotes on this line and the one above",
        ) from None
    except yaml.reader.ReaderError as exc:  # a character YAML forbids; position is in bytes
        before = text.encode("utf-8")[: exc.position].decode("utf-8", "replace")
        line = before.count("\n") + 1
        column = len(before) - (before.rfind("\n") + 1) + 1
        raise InputError(
            f"character U+{exc.character:04X} is not allowed in YAML ({exc.reason})",
            location=Location(file, line, column),
            hint='remove it, or write it as an escape in a double-quoted string ("\\u0007")',
        ) from None
    except yaml.YAMLError as exc:
        raise InputError(f"YAML error: {exc}", location=Location(file)) from None
    if node is None:
        return None
    return _Builder(file).build(node)


def load(path: Path, *, max_bytes: int = MAX_BYTES) -> Any:
    """Read and parse a YAML file, with a size limit and a clear error if it is unreadable."""
    return loads(read_text(path, max_bytes=max_bytes), location_of(path).file)


def read_text(path: Path, *, max_bytes: int = MAX_BYTES) -> str:
    """A UTF-8 input file's text, refused with a located InputError when it is missing,
    unreadable, not a regular file, not UTF-8, or larger than ``max_bytes`` (shared by every
    reader of hand-written input, YAML or Turtle, so that none can be made to read a huge
    file; see :func:`newskg.files.read_input`)."""
    raw = read_input(path, max_bytes=max_bytes)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"file is not valid UTF-8 (byte {exc.start})",
            location=location_of(path),
            hint="save the file as UTF-8",
        ) from None
