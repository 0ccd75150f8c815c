"""The project's error types.

Every error a user can cause is a :class:`NewskgError`. It carries one or more
:class:`Diagnostic` records (file:line:column, what is wrong, how to fix it) and the exit code
the CLI returns. Anything else escaping the CLI is a bug in newskg.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Location:
    """A 1-based line and column in a file. ``line == 0`` means "the file as a whole"."""

    file: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if self.line <= 0:
            return self.file
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem found in the user's input."""

    message: str
    location: Location | None = None
    hint: str | None = None

    def __str__(self) -> str:
        head = f"{self.location}: {self.message}" if self.location else self.message
        return f"{head}\n  hint: {self.hint}" if self.hint else head


class NewskgError(Exception):
    """Base of all errors newskg reports to users. ``exit_code`` is what the CLI returns."""

    exit_code = 1
    kind = "error"

    def __init__(
        self,
        message: str | None = None,
        *,
        location: Location | None = None,
        hint: str | None = None,
        diagnostics: Sequence[Diagnostic] = (),
    ) -> None:
        diags = list(diagnostics)
        if message is not None:
            diags.insert(0, Diagnostic(message, location, hint))
        if not diags:
            raise ValueError("a NewskgError needs a message or diagnostics")
        self.diagnostics: tuple[Diagnostic, ...] = tuple(diags)
        super().__init__(self.render())

    @property
    def message(self) -> str:
        return self.diagnostics[0].message

    @property
    def location(self) -> Location | None:
        return self.diagnostics[0].location

    @property
    def hint(self) -> str | None:
        return self.diagnostics[0].hint

    def render(self) -> str:
        return "\n".join(str(d) for d in self.diagnostics)


class InputError(NewskgError):
    """Malformed input: YAML syntax, wrong types, unknown keys, oversized files."""

    exit_code = 2


class FactError(InputError):
    """A fact or entity that cannot be accepted (bad reference, quote not found, bad date)."""


class MappingError(InputError):
    """A mapping that cannot be compiled or applied."""


class QueryError(NewskgError):
    """A SPARQL query that does not parse or cannot be run."""

    exit_code = 3


class ValidationError(NewskgError):
    """The built graph violates the SHACL shapes."""

    exit_code = 4


class StoreError(NewskgError):
    """The store is missing, locked or cannot be written."""

    exit_code = 5


class ServerError(StoreError):
    """The SPARQL server cannot be started, or a remote store refused what we sent."""


class NotFoundError(NewskgError):
    """An entity, article, query or file the user named does not exist."""

    exit_code = 6


def location_of(path: Path | str, line: int = 0, column: int = 0) -> Location:
    """A :class:`Location` whose file is shown relative to the working directory when inside it."""
    p = Path(path)
    try:
        shown = str(p.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError, RuntimeError):  # outside the working directory, or a loop
        shown = str(p)
    return Location(shown, line, column)


# A word made of a choice and one of these is another word, not a misspelling of the choice:
# `inversepredicates` reverses `predicates`, `unsafe_iri` is not `iri`.
MEANING_AFFIXES = ("inverse", "reverse", "non", "not", "no", "un", "anti", "unsafe", "except")


def did_you_mean(
    word: str, choices: Iterable[str], *, cutoff: float = 0.6, other_words: Iterable[str] = ()
) -> str | None:
    """A hint naming the choice closest in spelling to ``word``, or None when none is close
    (``cutoff``: the least similarity, 0 to 1, that counts as close).

    A hint never proposes a word of different meaning: no hint when ``word`` is one of
    ``other_words`` (words the caller knows to mean something else), and never a choice that
    ``word`` only extends by a meaning-changing affix (:data:`MEANING_AFFIXES`)."""
    if word in set(other_words):
        return None
    candidates = [c for c in choices if not _changes_meaning(word, c)]
    close = difflib.get_close_matches(word, candidates, n=1, cutoff=cutoff)
    return f"did you mean '{close[0]}'?" if close else None


def _changes_meaning(word: str, choice: str) -> bool:
    w, c = _bare(word), _bare(choice)
    return c != w and c in w and w.replace(c, "", 1) in MEANING_AFFIXES


def _bare(word: str) -> str:
    return word.lower().replace("_", "").replace("-", "").replace(" ", "")
