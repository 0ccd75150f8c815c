"""Draft material in a facts file: what ``newskg add`` wrote and no curator has reviewed yet.

A record (the article's metadata, a source or a fact) carrying ``draft: <what to fill or
check>`` is unreviewed, and so are the draft-only sections (``mentions``, ``dates``,
``candidates``).
The loader still checks every draft record, so that ``newskg validate`` helps the review, but
the file never reaches the graph while any of them is left: the first problem reported names
the first unreviewed item.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from newskg.errors import Diagnostic, Location
from newskg.inputs.checks import Problems
from newskg.located_yaml import YDict, YList

# The key that marks a record as unreviewed; its value says what the curator must fill or
# check.
DRAFT = "draft"
# Sections only a draft has: reference material for the curator, deleted once used.
DRAFT_SECTIONS = {
    "mentions": "the registry entities each sentence names",
    "dates": "the dates the text states, resolved against the article's date",
    "candidates": "names the registry does not know, each with its sentences",
}
REVIEW_HINT = (
    "complete what the 'draft' line says, then delete the line; delete the sections "
    "'mentions', 'dates' and 'candidates' once used (docs/data-model.md, 'Drafts')"
)


class Unreviewed(NamedTuple):
    where: Location
    what: str  # "event 'meeting'", "section 'mentions'"
    todo: str  # what the curator must do, as the draft says


def unreviewed(data: YDict, records: Mapping[str, str]) -> list[Unreviewed]:
    """Every unreviewed item of a facts file, in file order. ``records`` names the record of
    each section that holds records (``{"events": "event", "sources": "source", ...}``)."""
    found: list[Unreviewed] = []
    for key, value in data.items():
        if key in DRAFT_SECTIONS:
            found.append(Unreviewed(data.key_at(key), f"section '{key}'", DRAFT_SECTIONS[key]))
        elif key == "article" and isinstance(value, YDict) and DRAFT in value:
            found.append(Unreviewed(value.key_at(DRAFT), "the article's metadata", _todo(value)))
        elif key in records and isinstance(value, YList):
            for record in value:
                if isinstance(record, YDict) and DRAFT in record:
                    what = f"{records[key]} '{record.get('id')}'"
                    found.append(Unreviewed(record.key_at(DRAFT), what, _todo(record)))
    return sorted(found, key=lambda item: (item.where.line, item.where.column))


def refuse_drafts(problems: Problems, data: YDict, records: Mapping[str, str]) -> None:
    """Put the refusal of a draft first among the file's problems, naming its first
    unreviewed item and how many there are."""
    items = unreviewed(data, records)
    if not items:
        return
    first = items[0]
    more = f"; {len(items) - 1} more unreviewed item(s) follow" if len(items) > 1 else ""
    message = f"facts file is an unreviewed draft: {first.what} ({first.todo}){more}"
    problems.items.insert(0, Diagnostic(message, first.where, REVIEW_HINT))


def _todo(record: YDict) -> str:
    value: Any = record[DRAFT]
    return value if isinstance(value, str) and value.strip() else "marked as a draft"
