"""``newskg add``: a new article into ``seeds/``, byte for byte, with a draft of its facts.

The article text is checked before anything is written (not empty, not binary, UTF-8, with
at least one sentence end), and so is its id (given, or made of its date and a short hash of
its bytes): a folder name, new in ``seeds/``. The folder is written aside and renamed into
place, so a failure leaves nothing behind. The draft is made by :func:`draft_facts` and
refused by the build until a curator has reviewed it (:mod:`newskg.inputs.review`).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from newskg.drafting.draft import Draft, draft_facts
from newskg.drafting.text import ArticleText
from newskg.drafting.writer import render
from newskg.errors import InputError, location_of
from newskg.files import read_bytes
from newskg.inputs import ENTITIES_FILE, load_registry
from newskg.inputs.article import ARTICLE_FILE, FACTS_FILE, MAX_ARTICLE_BYTES, check_article_id
from newskg.inputs.entities import Registry
from newskg.inputs.values import parse_date
from newskg.model.schema import MODEL_FILE, load_model

__all__ = ["AddReport", "Draft", "add", "draft_facts"]

# Characters of the first bytes that say a file is not text (NUL, and C0 controls other than
# tab, line feed, carriage return and form feed).
_BINARY = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f]")
_SENTENCE_END = re.compile(r"[.!?\u3002\uff01\uff1f]")
HASH_CHARS = 8


@dataclass
class AddReport:
    """What :func:`add` wrote: the article's id and folder, and the draft's sections."""

    id: str
    folder: Path
    article: Path
    facts: Path
    bytes: int
    counts: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # how the text was kept (BOM, CRLF)


def add(
    article: Path | bytes,
    *,
    project: Path = Path(),
    seeds: Path | None = None,
    ontology: Path | None = None,
    article_id: str | None = None,
    date: str | None = None,
    title: str | None = None,
) -> AddReport:
    """Add the article ``article`` (a file, or its bytes) to the project's seeds, with a
    draft ``facts.yaml``; nothing is written when anything is wrong.

    >>> report = add(Path("new-article.txt"), date="2022-03-15")  # doctest: +SKIP
    """
    seeds = seeds or project / "seeds"
    ontology = ontology or project / "ontology"
    raw, shown = _read(article)
    text = _text(raw, shown)
    if date is not None:
        date = _option_date(date)
    model = load_model(ontology / MODEL_FILE)
    registry = load_registry(seeds / ENTITIES_FILE, model)
    draft = draft_facts(text, registry, model, date=date, title=title)
    date = draft.sections["article"]["date"]
    chosen = article_id if article_id is not None else _derived_id(raw, date, shown)
    folder = seeds / _checked_id(chosen, seeds, registry)
    _write(folder, raw, render(draft))
    return AddReport(
        id=folder.name,
        folder=folder,
        article=folder / ARTICLE_FILE,
        facts=folder / FACTS_FILE,
        bytes=len(raw),
        counts=draft.counts(),
        notes=_notes(raw, text),
    )


def _read(article: Path | bytes) -> tuple[bytes, str]:
    if isinstance(article, bytes):
        return article, "standard input"
    hint = "name the article's text file, or '-' for standard input"
    raw = read_bytes(article, "article file", missing=hint, max_bytes=MAX_ARTICLE_BYTES)
    return raw, location_of(article).file


def _text(raw: bytes, shown: str) -> str:
    """The text of ``raw``, refused when it is empty, binary, not UTF-8 or has no sentence."""
    where = location_of(shown) if shown != "standard input" else None
    what = "the article" if where else "the article from standard input"
    if not raw.strip(b" \t\r\n\f\v\xef\xbb\xbf"):
        raise InputError(
            f"{what} is empty",
            location=where,
            hint="give the file that holds the article's text",
        )
    binary = _BINARY.search(raw[:65536])
    if binary:
        raise InputError(
            f"{what} is not text: byte {binary.start()} is 0x{raw[binary.start()]:02x}",
            location=where,
            hint="give the article as plain UTF-8 text (copy it out of a PDF or web page)",
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{what} is not UTF-8 (byte {exc.start})",
            location=where,
            hint="convert it to UTF-8 (e.g. iconv -f latin1 -t utf-8); keep the text otherwise",
        ) from None
    sentences = ArticleText(text).sentences
    if not any(_SENTENCE_END.search(s.text) for s in sentences):
        raise InputError(
            f"{what} has no sentence end ('.', '!' or '?')",
            location=where,
            hint="give the article's whole text, not a headline or a file name",
        )
    return text


def _option_date(value: str) -> str:
    try:
        return parse_date(value)
    except ValueError as exc:
        raise InputError(f"bad --date: {exc}", hint="write --date YYYY-MM-DD") from None


def _derived_id(raw: bytes, date: str | None, shown: str) -> str:
    if not date:
        raise InputError(
            "the article states no date, and its id is made of one",
            location=location_of(shown) if shown != "standard input" else None,
            hint="give --date YYYY-MM-DD (the date it was published), or --id",
        )
    return f"{date}_{hashlib.sha256(raw).hexdigest()[:HASH_CHARS]}"


def _checked_id(article_id: str, seeds: Path, registry: Registry) -> str:
    if "/" in article_id or "\\" in article_id or article_id in (".", ".."):
        raise InputError(
            f"article id '{article_id[:80]}' is a path, not a folder name",
            hint="an id is one folder name under seeds/: letters, digits, '_', '-' and '.'",
        )
    folder = seeds / check_article_id(seeds / article_id, registry, "choose another --id")
    if folder.exists() or folder.is_symlink():
        raise InputError(
            f"article '{article_id}' already exists",
            location=location_of(folder),
            hint="nothing was written; give another --id, or delete the folder to add it anew",
        )
    return article_id


def _write(folder: Path, raw: bytes, facts: str) -> None:
    """Write the folder aside and rename it into place: all of it, or nothing."""
    aside = folder.with_name(f".{folder.name}.adding-{os.getpid()}")
    try:
        aside.mkdir(parents=True)
        (aside / ARTICLE_FILE).write_bytes(raw)
        (aside / FACTS_FILE).write_text(facts, encoding="utf-8", newline="\n")
        aside.rename(folder)
    except OSError as exc:
        shutil.rmtree(aside, ignore_errors=True)
        raise InputError(
            f"cannot write the article: {exc.strerror}",
            location=location_of(folder),
            hint="check that seeds/ exists and can be written; nothing was written",
        ) from None
    except BaseException:
        shutil.rmtree(aside, ignore_errors=True)
        raise


def _notes(raw: bytes, text: str) -> list[str]:
    notes = []
    if raw.startswith(b"\xef\xbb\xbf"):
        notes.append("the text starts with a byte-order mark; kept, and offsets count it")
    if "\r\n" in text:
        notes.append("the text has CRLF line ends; kept as received")
    return notes
