"""Golden tests of compile errors: each bad mapping in golden/ (YARRRML or RML Turtle) must
fail with exactly the messages in the .txt beside it — every problem of the file in one
raise, each naming file:line:column, plus its hint.

Regenerate after a deliberate wording change with NEWSKG_UPDATE_GOLDEN=1 and review the diff.
"""

import os
from pathlib import Path

import pytest

from newskg.errors import MappingError
from newskg.mapping import load_mappings

GOLDEN = Path(__file__).parent / "golden"
CASES = sorted(p for p in GOLDEN.iterdir() if p.suffix in (".yaml", ".ttl"))


def _render(path: Path) -> tuple[MappingError, str]:
    with pytest.raises(MappingError) as info:
        load_mappings([path])
    err = info.value
    # Paths as the reader shows them differ by working directory: keep the file name.
    text = (
        err.render()
        .replace(str(path), path.name)
        .replace(f"tests/mapping/golden/{path.name}", path.name)
    )
    return err, text + "\n"


@pytest.mark.parametrize("path", CASES, ids=[p.name for p in CASES])
def test_error_messages_match_golden(path):
    err, text = _render(path)
    for d in err.diagnostics:
        assert d.location is not None, d
        assert Path(d.location.file).name == path.name
        assert d.location.line > 0 and d.location.column > 0, f"no line:column for {d}"
    expected = path.with_suffix(".txt")
    if os.environ.get("NEWSKG_UPDATE_GOLDEN"):
        expected.write_text(text, encoding="utf-8")
    assert text == expected.read_text(encoding="utf-8")


def test_every_golden_case_reports_several_problems():
    """The cases are meant to show one-pass reporting, not a single first error."""
    several = [p.name for p in CASES if len(_render(p)[0].diagnostics) > 1]
    assert len(several) >= 3, several
