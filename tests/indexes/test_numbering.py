"""The traversal index reads the N-Quads a build writes: every line's four terms, split at
once for a whole block, exactly as the regular expression over each line splits them."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from newskg.indexes.numbering import _QUAD, _columns, split_quads

IRI = st.sampled_from(["<http://e/s>", "<http://e/p>", "<http://e/é>", "_:b1"])
LITERAL = st.sampled_from(
    ['"x"', '"two words"', '"a \\" b"', '"1"^^<http://e/t>', '"s p . o"@en', '""', '" "']
)
LINE = st.tuples(IRI, IRI, st.one_of(IRI, LITERAL), IRI).map(lambda t: " ".join(t) + " .\n")
# lines a build never writes: the expression skips or splits them its own way
ODD = st.sampled_from(["\n", "a b .\n", "<s> <p> <o> <g> . \n", "<s>\t<p> <o> <g> .\n", "x\n"])


def _expected(text: bytes) -> list[tuple[bytes, ...]]:
    return _QUAD.findall(text if text.endswith(b"\n") else text + b"\n")


def _rows(path: Path) -> list[tuple[bytes, ...]]:
    return [row for block in split_quads(path) for row in zip(*block, strict=True)]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(LINE, LINE, LINE, ODD), max_size=40))
def test_every_line_is_split_as_the_expression_splits_it(tmp_path_factory, lines):
    path = tmp_path_factory.mktemp("nq") / "quads.nq"
    text = "".join(lines).encode("utf-8")
    path.write_bytes(text)
    assert _rows(path) == _expected(text)


def test_a_large_file_is_split_across_blocks(tmp_path, monkeypatch):
    monkeypatch.setattr("newskg.indexes.numbering._CHUNK", 100)
    lines = [f'<http://e/s{i}> <http://e/p> "v {i}" <http://e/g> .\n' for i in range(50)]
    path = tmp_path / "quads.nq"
    path.write_text("".join(lines), encoding="utf-8")
    assert _rows(path) == _expected(path.read_bytes())
    assert len(_rows(path)) == 50
    assert _columns(path.read_bytes()) is not None  # the block-at-once path, not the fallback


def test_a_line_of_another_form_leaves_its_block_to_the_expression():
    assert _columns(b'<s> <p> "o" <g> .\n<s> <p> "o" <g> . \n') is None
    assert _columns(b"<s>\t<p> <o> <g> .\n") is None
