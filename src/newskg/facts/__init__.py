"""Load and validate seeds: the entity registry and one folder per article."""

from __future__ import annotations

from pathlib import Path

from newskg.errors import InputError, location_of
from newskg.facts.article import ARTICLE_FILE, FACTS_FILE, ArticleDocument, load_article
from newskg.facts.entities import Registry, load_registry

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
    folders = sorted(p for p in seeds.iterdir() if p.is_dir() and (p / FACTS_FILE).exists())
    for p in seeds.iterdir():
        if p.is_dir() and (p / ARTICLE_FILE).exists() and not (p / FACTS_FILE).exists():
            raise InputError(
                f"article folder has {ARTICLE_FILE} but no {FACTS_FILE}",
                location=location_of(p),
                hint=f"add {FACTS_FILE} (see README, 'Adding an article')",
            )
    return folders
