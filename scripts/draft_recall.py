"""How much of an article's curated facts a draft made from its text alone recovers.

    .venv/bin/python scripts/draft_recall.py [ARTICLE_FOLDER] [--seeds DIR] [--ontology DIR]

Drafts ``ARTICLE_FOLDER/article.txt`` (default: the seed article) with the registry as it is,
as ``newskg add`` would, and compares the draft with the curated ``facts.yaml`` beside it:

- recall of evidence spans (curated spans found / curated spans), counted three ways: a
  drafted span equal to the curated one; the curated span inside a drafted span of a fact
  of the same section; inside a drafted span of any fact. A quote's own text counts as one of
  its spans, as the loader counts it;
- each direct quote with its speaker, each figure with its value and comparator, and each
  meeting's date and participants: found or not.

Prints the figures; exits 1 when a quote, figure or meeting of the curated file is missed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import yaml

from newskg.drafting import draft_facts
from newskg.inputs import ENTITIES_FILE, load_registry
from newskg.inputs.evidence import find_quote
from newskg.inputs.review import DRAFT_SECTIONS
from newskg.model.schema import MODEL_FILE, load_model

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "000_62ce04f1d7ffd07b"

Spans = set[tuple[str, int, int]]  # (section, start, end)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", nargs="?", type=Path, default=SEED)
    parser.add_argument("--seeds", type=Path, help="registry folder (default: the folder's)")
    parser.add_argument("--ontology", type=Path, default=ROOT / "ontology")
    args = parser.parse_args(argv)
    model = load_model(args.ontology / MODEL_FILE)
    registry = load_registry((args.seeds or args.folder.parent) / ENTITIES_FILE, model)
    text = (args.folder / "article.txt").read_bytes().decode("utf-8")
    curated = yaml.safe_load((args.folder / "facts.yaml").read_text(encoding="utf-8"))
    drafted = draft_facts(text, registry, model).sections
    sections = list(model.fact_kinds)

    want, got = spans(text, curated, sections), spans(text, drafted, sections)
    print(f"article: {args.folder.name} ({len(text)} characters)")
    print(f"curated evidence spans: {len({s[1:] for s in want})} (in {len(want)} section places)")
    print(f"drafted evidence spans: {len({s[1:] for s in got})}")
    report_recall(want, got)
    missed = report_checks(curated, drafted)
    return 1 if missed else 0


def spans(text: str, facts: dict[str, Any], sections: list[str]) -> Spans:
    """Every evidence span of the facts' records (a quote's own text included)."""
    found: Spans = set()
    for section in sections:
        if section in DRAFT_SECTIONS:
            continue
        for record in facts.get(section) or []:
            items = list(record.get("evidence") or [])
            if section == "quotes" and record.get("text"):
                items.append({"quote": record["text"], "occurrence": record.get("occurrence")})
            for item in items:
                quote, occurrence = (
                    (item["quote"], item.get("occurrence"))
                    if isinstance(item, dict)
                    else (item, None)
                )
                span = find_quote(text, quote, occurrence)
                found.add((section, span.start, span.end))
    return found


def report_recall(want: Spans, got: Spans) -> None:
    unique = {(s, e) for _, s, e in want}
    drafted = {(s, e) for _, s, e in got}
    exact = {span for span in unique if span in drafted}
    inside_any = {span for span in unique if any(_inside(span, d) for d in drafted)}
    inside_same = {
        (sec, s, e)
        for sec, s, e in want
        if any(sec == dsec and _inside((s, e), (ds, de)) for dsec, ds, de in got)
    }
    print("recall (curated spans found / curated spans):")
    print(f"  exact span drafted:                    {_ratio(len(exact), len(unique))}")
    print(f"  inside a drafted fact of its section:  {_ratio(len(inside_same), len(want))}")
    print(f"  inside a drafted fact of any section:  {_ratio(len(inside_any), len(unique))}")
    by_section: dict[str, list[bool]] = {}
    for sec, s, e in sorted(want):
        hit = any(sec == dsec and _inside((s, e), (ds, de)) for dsec, ds, de in got)
        by_section.setdefault(sec, []).append(hit)
    for sec, hits in by_section.items():
        print(f"    {sec:16} {_ratio(sum(hits), len(hits))}")


def report_checks(curated: dict[str, Any], drafted: dict[str, Any]) -> int:
    """What "Done when" asks of the draft, item by item; returns how many are missed."""
    missed = 0
    quotes = {(q["text"], q.get("speaker")) for q in drafted.get("quotes") or []}
    for quote in curated.get("quotes") or []:
        ok = (quote["text"], quote["speaker"]) in quotes
        missed += not ok
        print(f"quote {quote['id']:36} speaker {quote['speaker']:20} {'found' if ok else 'MISSED'}")
    figures = {(f["value"], f["comparator"]) for f in drafted.get("figures") or []}
    comparators = load_model(ROOT / "ontology" / MODEL_FILE).vocabularies["comparator"]
    for figure in curated.get("figures") or []:
        word = comparators.synonyms.get(figure["comparator"], figure["comparator"])
        ok = (figure["value"], word) in figures
        missed += not ok
        print(f"figure {figure['id']:35} {word} {figure['value']:<8} {'found' if ok else 'MISSED'}")
    for event in curated.get("events") or []:
        if event.get("kind") != "meeting":
            continue
        people = {p["person"] for p in event.get("participants", [])}
        ok = any(
            d.get("kind") == "meeting"
            and d.get("date") == event.get("date")
            and {p["person"] for p in d.get("participants", [])} == people
            for d in drafted.get("events") or []
        )
        missed += not ok
        print(
            f"meeting {event['id']:34} {event.get('date')} {sorted(people)} "
            f"{'found' if ok else 'MISSED'}"
        )
    return missed


def _inside(span: tuple[int, int], outer: tuple[int, int]) -> bool:
    return outer[0] <= span[0] and span[1] <= outer[1]


def _ratio(found: int, total: int) -> str:
    return f"{found}/{total} = {found / total:.0%}" if total else "0/0"


if __name__ == "__main__":
    sys.exit(main())
