"""Small building blocks shared by the entity and fact loaders: collect problems, check keys."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from newskg.errors import Diagnostic, FactError, Location, did_you_mean
from newskg.located_yaml import YDict, YList, location


class Problems:
    """Collects every problem in a file so the curator sees them all in one run."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.items: list[Diagnostic] = []

    def add(self, where: Location | None, message: str, hint: str | None = None) -> None:
        self.items.append(Diagnostic(message, where or Location(self.file), hint))

    def at(
        self, container: Any, key: str | int | None, message: str, hint: str | None = None
    ) -> None:
        self.add(location(container, key), message, hint)

    def raise_if_any(self) -> None:
        if self.items:
            raise FactError(diagnostics=self.items)


def check_keys(
    problems: Problems,
    record: YDict,
    allowed: Iterable[str],
    what: str,
    renamed: dict[str, str] | None = None,
) -> None:
    """Report every key not in ``allowed``; ``renamed`` maps a field's former names to its
    present one, so a file written for an earlier model is told what to write instead."""
    allowed = set(allowed)
    for key in record:
        if key in allowed:
            continue
        if renamed and key in renamed:
            hint = f"'{key}' is now called '{renamed[key]}'; rename the key"
        else:
            hint = did_you_mean(key, allowed) or "allowed keys: " + ", ".join(sorted(allowed))
        problems.add(record.key_at(key), f"unknown key '{key}' in {what}", hint)


def expect_mapping(problems: Problems, parent: Any, key: str | int, value: Any, what: str) -> bool:
    if isinstance(value, YDict):
        return True
    problems.at(parent, key, f"{what} must be a mapping (key: value), not {type_name(value)}")
    return False


def expect_list(problems: Problems, parent: Any, key: str | int, value: Any, what: str) -> bool:
    if isinstance(value, YList):
        return True
    problems.at(
        parent,
        key,
        f"{what} must be a list, not {type_name(value)}",
        "write it as [a, b] or '- a' lines",
    )
    return False


def type_name(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, str):
        return f"text '{value}'" if len(value) < 40 else "text"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"the number {value}"
