"""`newskg.query.traversal`: the breadth-first searches, against a plain one-sided search."""

from __future__ import annotations

from collections import deque

from hypothesis import given
from hypothesis import strategies as st

from newskg.query.traversal import neighbours_of, reachable, shortest_path


def undirected(edges: list[tuple[int, int]]):
    """hops() over small integer graphs: each edge (a, b) listed from both ends."""

    def hops(node: int):
        for a, b in edges:
            if a == node:
                yield (a, b), b
            if b == node:
                yield (a, b), a

    return hops


def distance(edges: list[tuple[int, int]], start: int, goal: int) -> int | None:
    """Plain one-sided breadth-first search: the reference for shortest_path."""
    hops, seen, queue = undirected(edges), {start: 0}, deque([start])
    while queue:
        node = queue.popleft()
        for _, other in hops(node):
            if other not in seen:
                seen[other] = seen[node] + 1
                queue.append(other)
    return seen.get(goal)


graphs = st.lists(st.tuples(st.integers(0, 11), st.integers(0, 11)), max_size=30)


@given(graphs, st.integers(0, 11), st.integers(0, 11), st.integers(0, 6))
def test_shortest_path_is_shortest_and_connects_the_two_nodes(edges, start, goal, max_hops):
    path = shortest_path(undirected(edges), start, goal, max_hops)
    shortest = distance(edges, start, goal)
    if shortest is None or shortest > max_hops:
        assert path is None
        return
    assert path is not None and len(path) == shortest
    node = start  # each edge leads on from the node the one before it reached
    for a, b in path:
        assert node in (a, b)
        node = b if node == a else a
    assert node == goal


@given(graphs, st.integers(0, 11), st.integers(0, 4))
def test_reachable_is_every_node_within_depth(edges, start, depth):
    nodes = {n for edge in edges for n in edge}
    expected = {
        n for n in nodes - {start} if (d := distance(edges, start, n)) is not None and d <= depth
    }
    assert reachable(neighbours_of(undirected(edges)), start, depth) == expected


def test_shortest_path_meets_in_the_middle_of_a_hub():
    """A star: the search from the leaf side must not expand the hub's thousand edges on
    both sides, yet finds the two-hop path through it."""
    edges = [(0, k) for k in range(1, 1000)]
    calls: list[int] = []
    hops = undirected(edges)

    def counted(node: int):
        calls.append(node)
        return hops(node)

    assert shortest_path(counted, 5, 7, 2) == [(0, 5), (0, 7)]
    assert calls.count(0) == 0  # only the two leaves were expanded
