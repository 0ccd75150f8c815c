"""A build's manifest, written beside its store: what the next build compares (see
:mod:`newskg.builder.plan`, which reads it) and what readers of the build need to know
(base IRI, counts, where the article graphs' IRIs start)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


class ManifestEntries:
    """A build's manifest being written, its per-article entries (``"inputs"``) as they
    come: a build holds none of them in memory, however many articles it has. JSON,
    compact (with an indent, json falls back to its pure-Python encoder, and the manifest
    of a large build is tens of megabytes)."""

    def __init__(self, path: Path) -> None:
        self._out = path.open("w", encoding="utf-8", newline="\n")
        self._out.write('{"inputs": {')
        self._separator = ""
        self.quads = 0  # in the articles' graphs
        self.graphs = 0  # articles with at least one quad

    def add(self, article_id: str, entry: dict[str, Any]) -> None:
        """One article's entry: its content hash, stamps and quad count (``"quads"``)."""
        key = json.dumps(article_id, ensure_ascii=False)
        value = json.dumps(entry, sort_keys=True, ensure_ascii=False)
        self._out.write(f"{self._separator}{key}: {value}")
        self._separator = ", "
        quads = int(entry["quads"])
        self.quads += quads
        self.graphs += quads > 0

    def add_all(self, entries: dict[str, dict[str, Any]]) -> None:
        """Many entries at once (an incremental build's unchanged articles): one call of
        json's C encoder rather than two per entry."""
        if not entries:
            return
        text = json.dumps(entries, sort_keys=True, ensure_ascii=False)
        self._out.write(f"{self._separator}{text[1:-1]}")
        self._separator = ", "
        counts = [int(entry["quads"]) for entry in entries.values()]
        self.quads += sum(counts)
        self.graphs += sum(1 for quads in counts if quads)

    def finish(self, header: dict[str, object]) -> None:
        """Close the entries and write the rest of the manifest, ``header`` (not empty)."""
        assert header and "inputs" not in header
        self._out.write("}, " + json.dumps(header, sort_keys=True, ensure_ascii=False)[1:])
        self._out.write("\n")
        self.close()

    def close(self) -> None:
        self._out.close()

    def __enter__(self) -> ManifestEntries:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


__all__ = ["ManifestEntries"]
