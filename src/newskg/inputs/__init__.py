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
    "article_folders",
    "load_article",
    "load_registry",
]


def article_folders(seeds: Path) -> list[Path]:
    """Article folders under ``seeds`` in a stable order (the order of the exports)."""
    if not seeds.is_dir():
        raise InputError(
            "seeds folder not found",
            location=location_of(seeds),
            hint="run from the project root or pass --seeds DIR",
        )
    folders: list[Path] = []
    with os.scandir(seeds) as entries:  # one pass: a corpus can have 100k folders
        for entry in entries:
            if not entry.is_dir():
                continue
            folder = Path(entry.path)
            if os.path.exists(os.path.join(entry.path, FACTS_FILE)):
                folders.append(folder)
            elif os.path.exists(os.path.join(entry.path, ARTICLE_FILE)):
                raise InputError(
                    f"article folder has {ARTICLE_FILE} but no {FACTS_FILE}",
                    location=location_of(folder),
                    hint=f"add {FACTS_FILE} (see README, 'Adding an article')",
                )
    folders.sort(key=lambda folder: folder.name)  # siblings: the name decides
    _refuse_ids_read_as_fact_keys(folders)
    return folders


def _refuse_ids_read_as_fact_keys(folders: list[Path]) -> None:
    """A fact's key is ``<article>.<fact id>``, so an article named ``a.b`` beside an article
    ``a`` would share its node with fact ``b`` of ``a`` (now or once that fact is added)."""
    names = {folder.name for folder in folders}
    for folder in folders:
        stem, dot, _ = folder.name.rpartition(".")
        if dot and stem in names:
            raise InputError(
                f"article id '{folder.name}' reads as a fact of article '{stem}'",
                location=location_of(folder),
                hint="a fact's key is '<article>.<fact id>'; rename the folder without the '.'",
            )
