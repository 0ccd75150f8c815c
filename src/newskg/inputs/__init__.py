"""Load and validate seeds: the entity registry and one folder per article."""

from __future__ import annotations

import os
from pathlib import Path

from newskg.errors import InputError, location_of
from newskg.inputs.article import ARTICLE_FILE, FACTS_FILE, ArticleDocument, load_article
from newskg.inputs.entities import Registry, load_registry

ENTITIES_FILE = "entities.yaml"

__all__ = [
    "ENTITIES_FILE",
    "ArticleDocument",
    "Registry",
    "article_entries",
    "article_folders",
    "load_article",
    "load_registry",
]


def article_folders(seeds: Path) -> list[Path]:
    """Article folders under ``seeds`` in a stable order (the order of the exports)."""
    return [seeds / name for name, _ in article_entries(seeds)]


def article_entries(seeds: Path) -> list[tuple[str, os.stat_result]]:
    """The names of the article folders under ``seeds``, in the order of
    :func:`article_folders`, each with the ``stat`` of its facts.yaml (the file that makes a
    folder an article): what a build's plan compares, without a Path or a second ``stat``
    per article."""
    if not seeds.is_dir():
        raise InputError(
            "seeds folder not found",
            location=location_of(seeds),
            hint="run from the project root or pass --seeds DIR",
        )
    found: list[tuple[str, os.stat_result]] = []
    with os.scandir(seeds) as entries:  # one pass: a corpus can have 100k folders
        for entry in entries:
            if not entry.is_dir():
                continue
            try:
                found.append((entry.name, os.stat(f"{entry.path}{os.sep}{FACTS_FILE}")))
            except OSError:
                if os.path.exists(os.path.join(entry.path, ARTICLE_FILE)):
                    raise InputError(
                        f"article folder has {ARTICLE_FILE} but no {FACTS_FILE}",
                        location=location_of(Path(entry.path)),
                        hint=f"add {FACTS_FILE} (see README, 'Adding an article')",
                    ) from None
    found.sort(key=lambda item: item[0])  # siblings: the name decides
    _refuse_ids_read_as_fact_keys(seeds, [name for name, _ in found])
    return found


def _refuse_ids_read_as_fact_keys(seeds: Path, names: list[str]) -> None:
    """A fact's key is ``<article>.<fact id>``, so an article named ``a.b`` beside an article
    ``a`` would share its node with fact ``b`` of ``a`` (now or once that fact is added)."""
    known = set(names)
    for name in names:
        stem, dot, _ = name.rpartition(".")
        if dot and stem in known:
            raise InputError(
                f"article id '{name}' reads as a fact of article '{stem}'",
                location=location_of(seeds / name),
                hint="a fact's key is '<article>.<fact id>'; rename the folder without the '.'",
            )
