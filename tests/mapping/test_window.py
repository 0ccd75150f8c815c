"""Duplicate removal in a bounded window."""

from hypothesis import given
from hypothesis import strategies as st

from newskg.mapping.window import QuadWindow


@given(st.lists(st.lists(st.integers(0, 40), max_size=12), max_size=12), st.integers(1, 8))
def test_window_keeps_first_occurrences_within_its_size(chunks, size):
    """Each chunk's items not seen among the last ``size``..``2 * size`` distinct items, in
    order: the fast path for chunks of new items agrees with the general one."""
    window, recent, older = QuadWindow(size), [], []
    for chunk in chunks:
        expected = []
        for x in chunk:
            if x not in recent and x not in older and x not in expected:
                expected.append(x)
        assert window.fresh(list(chunk)) == expected
        recent = recent + expected
        if len(recent) >= size:
            older, recent = recent, []
