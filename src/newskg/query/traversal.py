"""Breadth-first searches over any graph, the one implementation of each.

A graph is given as a function: ``neighbours(node)`` for the searches that only need nodes,
``hops(node)`` yielding (edge, neighbour) pairs in both directions for the path search.
``KnowledgeGraph`` runs them over the store, its in-memory index over numbered nodes,
``newskg viz`` over the visible part of a graph, and bench/api.py over raw pyoxigraph and
rdflib, so that the benchmark's columns are the very same search.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from typing import TypeVar

N = TypeVar("N", bound=Hashable)
E = TypeVar("E")
Hops = Callable[[N], Iterable[tuple[E, N]]]
Neighbours = Callable[[N], Iterable[N]]


def neighbours_of(hops: Hops[N, E]) -> Neighbours[N]:
    """The ``neighbours`` function of a graph given by its ``hops``."""
    return lambda node: (other for _, other in hops(node))


def levels(neighbours: Neighbours[N], start: N, depth: int) -> Iterator[set[N]]:
    """The nodes first reached at 1, 2, … ``depth`` hops from ``start``, one set per level
    (stopping early when a level finds nothing new). Each level is one set union, which for
    numbered nodes runs in C."""
    seen = {start}
    frontier: Iterable[N] = (start,)
    for _ in range(depth):
        found: set[N] = set().union(*map(neighbours, frontier))
        found -= seen
        if not found:
            return
        seen |= found
        frontier = found
        yield found


def reachable(neighbours: Neighbours[N], start: N, depth: int) -> set[N]:
    """Every node within ``depth`` hops of ``start``, ``start`` itself excepted."""
    found: set[N] = set()
    for level in levels(neighbours, start, depth):
        found |= level
    return found


def shortest_path(hops: Hops[N, E], start: N, goal: N, max_hops: int) -> list[E] | None:
    """The edges of a shortest path from ``start`` to ``goal`` (``hops`` must list edges in
    both directions), or None when there is none within ``max_hops``.

    Bidirectional breadth-first search: each round expands, one whole level, the side with
    the smaller frontier. Two searches of depth k/2 visit far fewer nodes than one of depth
    k in a graph with hubs (an article, a country). The first node that one side finds in
    the other's visited set closes a shortest path: every path shorter than the current
    depths add up to would have met one round earlier.
    """
    if start == goal:
        return []
    # node -> (the node it was reached from, the edge), per side; the roots map to None
    parents: tuple[dict[N, tuple[N, E] | None], dict[N, tuple[N, E] | None]] = (
        {start: None},
        {goal: None},
    )
    frontiers = [[start], [goal]]
    depths = [0, 0]
    while frontiers[0] and frontiers[1] and depths[0] + depths[1] < max_hops:
        # the smaller frontier; on a tie, the shallower side, to keep the two balanced
        side = 0 if (len(frontiers[0]), depths[0]) <= (len(frontiers[1]), depths[1]) else 1
        mine, theirs = parents[side], parents[1 - side]
        nxt = []
        for node in frontiers[side]:
            for edge, other in hops(node):
                if other in mine:
                    continue
                mine[other] = (node, edge)
                if other in theirs:
                    return _half_path(parents[0], other)[::-1] + _half_path(parents[1], other)
                nxt.append(other)
        frontiers[side] = nxt
        depths[side] += 1
    return None


def _half_path(parents: Mapping[N, tuple[N, E] | None], node: N) -> list[E]:
    """The edges from ``node`` back to the root of one side of the search."""
    edges = []
    while (link := parents[node]) is not None:
        node, edge = link
        edges.append(edge)
    return edges
