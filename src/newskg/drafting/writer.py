"""A draft written as a facts file: YAML in the project's format, commented for the curator.

Each section is dumped by PyYAML on its own (so that a comment can head it), with every
string in a form that reads back unchanged: control characters, a byte-order mark and CRLF
line ends of a quote come out as escapes, never as raw characters YAML would fold.
"""

from __future__ import annotations

from typing import Any

import yaml

from newskg.drafting.draft import Draft
from newskg.inputs.review import DRAFT, DRAFT_SECTIONS

HEADER = """\
# A DRAFT of the facts of article.txt, written by `newskg add` from the text and the registry
# (docs/data-model.md, "Drafts"). The build refuses this file until it is reviewed:
# - complete each record marked `draft:` (fill and check what the line names, using the
#   `mentions`, `dates` and `candidates` below), then delete its `draft:` line;
# - add the candidates you keep to seeds/entities.yaml (newskg never adds them itself);
# - delete the sections `mentions`, `dates` and `candidates` when you are done.
# Every evidence quote is copied from article.txt exactly; `newskg validate` checks the rest.
"""
_COMMENTS = {
    "article": "# --- the article",
    "sources": "# --- sources the article cites",
    "events": "# --- events (skeletons: their trigger words appear in the text)",
    "agreements": "# --- agreements (skeletons)",
    "establishments": "# --- foundings (skeletons)",
    "initiatives": "# --- initiatives (skeletons)",
    "quotes": "# --- direct quotations, with their attribution as evidence",
    "figures": "# --- figures: comparator, value and unit phrase as written",
    "post_holdings": "# --- who holds which post, as the text names them",
    **{
        name: f"# --- DRAFT ONLY, delete when done: {what}" for name, what in DRAFT_SECTIONS.items()
    },
}


def render(draft: Draft) -> str:
    """The facts file of ``draft``."""
    parts = [HEADER]
    for section, value in draft.sections.items():
        parts.append("\n" + _COMMENTS.get(section, f"# --- {section}") + "\n")
        parts.append(_dump({section: value}))
    return "".join(parts)


class _Dumper(yaml.SafeDumper):
    """Lists indented under their key, as the curated files have them."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _dump(data: dict[str, Any]) -> str:
    return yaml.dump(
        data,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=2**31 - 1,  # one line per value, as the curated files have them
        indent=2,
    )


__all__ = ["DRAFT", "render"]
