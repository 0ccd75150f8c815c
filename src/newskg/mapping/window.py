"""Duplicate quads removed in bounded memory, for output of any size."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


class QuadWindow:
    """Duplicate removal in bounded memory: a quad is dropped when it is among the last
    ``size`` to ``2 * size`` distinct quads kept (two generations of sets). A run with fewer
    distinct quads than ``size`` is deduplicated exactly; past that, a quad repeated far
    apart can come out twice, which denotes the same RDF quad."""

    def __init__(self, size: int = 1 << 16) -> None:
        self.size = size
        self.recent: set[Any] = set()
        self.older: set[Any] = set()

    def fresh(self, items: Iterable[Any]) -> list[Any]:
        """The items not seen within the window, in order; they are remembered."""
        recent, older = self.recent, self.older
        if type(items) is list and recent.isdisjoint(items) and older.isdisjoint(items):
            # The usual case, all new: one pass to remember them, and none to pick them out
            # unless the items repeat among themselves.
            before = len(recent)
            recent.update(items)
            unique = items if len(recent) - before == len(items) else list(dict.fromkeys(items))
            if len(recent) >= self.size:
                self.older, self.recent = recent, set()
            return unique
        unique = list(dict.fromkeys(items))
        # Set operations run in C; the loop in Python only when something was seen before.
        seen = recent.intersection(unique)
        if older:
            seen |= older.intersection(unique)
        if seen:
            unique = [x for x in unique if x not in seen]
        recent.update(unique)
        if len(recent) >= self.size:
            self.older, self.recent = recent, set()
        return unique
