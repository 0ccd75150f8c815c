"""A small JSONPath subset compiled to plain Python accessors.

Supported: ``$``, ``.name``, ``['name']`` / ``["name"]``, ``[n]`` (negative allowed),
``[*]`` and ``.*``; a selector may follow a dot (``$.[*]`` is ``$[*]``). Paths made only of
names and indexes compile to direct lookups (the hot path: one ``dict[...]`` per step, no
engine); wildcards compile to a small step loop.
Filters, slices, unions and recursive descent are refused with a clear message.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


class JsonPathError(ValueError):
    """A JSONPath outside the supported subset, with the offset where parsing stopped."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


MISSING: Any = object()
"""Returned by single-valued accessors when the path selects nothing."""

_NAME = re.compile(r"[A-Za-z_\u0080-\U0010ffff][\w\-\u0080-\U0010ffff]*")
_INDEX = re.compile(r"-?\d+")

Step = tuple[str, Any]  # ("key", str) | ("index", int) | ("wild", None)


@dataclass(frozen=True, slots=True)
class JsonPath:
    text: str
    steps: tuple[Step, ...]

    @property
    def single(self) -> bool:
        """True if the path selects at most one node (no wildcard)."""
        return all(kind != "wild" for kind, _ in self.steps)


def parse(text: str) -> JsonPath:
    """Parse ``text`` (which must start with ``$``) into steps."""
    if not text.startswith("$"):
        raise JsonPathError("a JSONPath must start with '$'", 0)
    steps: list[Step] = []
    i, n = 1, len(text)
    while i < n:
        c = text[i]
        if c == ".":
            if text.startswith("..", i):
                raise JsonPathError("recursive descent '..' is not supported", i)
            if text.startswith(".*", i):
                steps.append(("wild", None))
                i += 2
                continue
            if text.startswith(".[", i):  # `$.[*]` is `$[*]`, as Jayway and Goessner read it
                i += 1
                continue
            m = _NAME.match(text, i + 1)
            if not m:
                raise JsonPathError("expected a member name after '.'", i + 1)
            steps.append(("key", m.group()))
            i = m.end()
        elif c == "[":
            i = _bracket(text, i + 1, steps)
        else:
            raise JsonPathError(f"unexpected {c!r}", i)
    return JsonPath(text, tuple(steps))


def relative_jsonpath(text: str) -> str:
    """A path written relative to the record (``name``, ``a.b``, ``['x y']``) as an absolute
    JSONPath (``$.name``)."""
    text = text.strip()
    if text.startswith("$"):
        return text
    if text.startswith("@"):
        return "$" + text[1:]
    if text.startswith("["):
        return "$" + text
    return "$." + text


def column_path(column: str) -> str:
    """The JSONPath that reads one CSV column (a row is a record ``{column: cell}``)."""
    return "$['" + column.replace("\\", "\\\\").replace("'", "\\'") + "']"


def _bracket(text: str, i: int, steps: list[Step]) -> int:
    """Parse one ``[...]`` selector starting after the '['; return the index after ']'."""
    n = len(text)
    if i < n and text[i] == "*":
        steps.append(("wild", None))
        i += 1
    elif i < n and text[i] in "'\"":
        quote_char = text[i]
        j, buf = i + 1, []
        while j < n and text[j] != quote_char:
            if text[j] == "\\" and j + 1 < n:
                j += 1
            buf.append(text[j])
            j += 1
        if j >= n:
            raise JsonPathError("unterminated quoted name", i)
        steps.append(("key", "".join(buf)))
        i = j + 1
    else:
        m = _INDEX.match(text, i)
        if not m:
            raise JsonPathError(
                "only [*], ['name'] and [index] selectors are supported "
                "(no filters, slices or unions)",
                i,
            )
        steps.append(("index", int(m.group())))
        i = m.end()
    if i >= n or text[i] != "]":
        raise JsonPathError("expected ']'", i)
    return i + 1


def _lookup(node: Any, kind: str, arg: Any) -> Any:
    if kind == "key":
        if type(node) is dict:
            return node.get(arg, MISSING)
        return MISSING
    if type(node) is list and -len(node) <= arg < len(node):
        return node[arg]
    return MISSING


def single_accessor(path: JsonPath) -> Callable[[Any], Any]:
    """Accessor for a wildcard-free path: node -> value or MISSING."""
    steps = path.steps
    if not steps:
        return lambda node: node
    if len(steps) == 1 and steps[0][0] == "key":
        key = steps[0][1]

        def one(node: Any) -> Any:
            # dict.get on the common shape; anything else (a string record) selects nothing.
            if type(node) is dict:
                return node.get(key, MISSING)
            return MISSING

        return one
    if all(kind == "key" for kind, _ in steps):
        keys = tuple(arg for _, arg in steps)

        def dotted(node: Any) -> Any:
            for k in keys:
                if type(node) is not dict:
                    return MISSING
                node = node.get(k, MISSING)
                if node is MISSING:
                    return MISSING
            return node

        return dotted

    def general(node: Any) -> Any:
        for kind, arg in steps:
            node = _lookup(node, kind, arg)
            if node is MISSING:
                return MISSING
        return node

    return general


def multi_accessor(path: JsonPath) -> Callable[[Any], list[Any]]:
    """Accessor for any path: node -> list of selected nodes (document order)."""
    steps = path.steps

    def select(root: Any) -> list[Any]:
        nodes = [root]
        for kind, arg in steps:
            nxt: list[Any] = []
            if kind == "wild":
                for node in nodes:
                    if type(node) is list:
                        nxt.extend(node)
                    elif type(node) is dict:
                        nxt.extend(node.values())
            else:
                for node in nodes:
                    value = _lookup(node, kind, arg)
                    if value is not MISSING:
                        nxt.append(value)
            nodes = nxt
            if not nodes:
                break
        return nodes

    return select
