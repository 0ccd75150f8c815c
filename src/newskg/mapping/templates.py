"""Template strings of both syntaxes, split into literal text and references.

RML-Core: ``http://ex.com/{$.id}``; ``\\{``, ``\\}`` and ``\\\\`` escape, also inside a
reference (``{$['\\{Name\\}']}``); any other backslash sequence, an unescaped brace inside a
reference, an unclosed or unopened brace, or an empty reference is an error.

YARRRML: ``ex:person/$(id)``; a backslash writes the next character as it is (``\\$``,
``\\:`` so that ``ex\\:o`` is not a prefixed name, ``\\\\``), also inside a reference
(``$((test\\))`` reads the column ``(test)``); before any other character it is an error.
``$(`` without ``)``, an empty ``$()`` and a nested ``$(`` are errors.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from newskg.errors import Location
from newskg.mapping.jsonpath import relative_jsonpath
from newskg.mapping.model import Reference, TemplatePart


class TemplateError(ValueError):
    pass


def parse_rml(text: str, location: Location) -> tuple[TemplatePart, ...]:
    parts: list[TemplatePart] = []
    buf: list[str] = []
    ref: list[str] | None = None  # collecting a reference when not None
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "\\":
            if i + 1 < n and text[i + 1] in "{}\\":
                (ref if ref is not None else buf).append(text[i + 1])
                i += 2
                continue
            nxt = repr(text[i + 1]) if i + 1 < n else "the end"
            raise TemplateError(
                f"invalid escape in template {text!r}: backslash before {nxt} "
                "(only \\{, \\} and \\\\ are allowed)"
            )
        if c == "{":
            if ref is not None:
                raise TemplateError(f"unescaped '{{' inside a reference in template {text!r}")
            if buf:
                parts.append("".join(buf))
                buf = []
            ref = []
        elif c == "}":
            if ref is None:
                raise TemplateError(f"'}}' without a matching '{{' in template {text!r}")
            if not ref:
                raise TemplateError(f"empty reference '{{}}' in template {text!r}")
            parts.append(Reference("".join(ref), location))
            ref = None
        else:
            (ref if ref is not None else buf).append(c)
        i += 1
    if ref is not None:
        raise TemplateError(f"'{{' is not closed in template {text!r}")
    if buf:
        parts.append("".join(buf))
    return tuple(parts)


# What a backslash escapes in YARRRML: the character itself (`\_` is YARRRML's way to say
# that `$(\_name)` reads `_name`, not an external reference).
ESCAPABLE = "$:\\()~{}_"


def parse_yarrrml(
    text: str,
    location: Location,
    reference: Callable[[str], str] = relative_jsonpath,
    external: Mapping[str, str] | None = None,
) -> tuple[TemplatePart, ...]:
    """``reference`` turns what is inside ``$(...)`` into a JSONPath (a relative path for
    JSON, a column for CSV). ``$(_name)`` with ``name`` in ``external`` is that value, as
    text (YARRRML's external references); ``$(\\_name)`` stays a reference to ``_name``."""
    parts: list[TemplatePart] = []
    buf: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "\\":
            buf.append(_escaped(text, i))
            i += 2
            continue
        if c == "$" and i + 1 < n and text[i + 1] == "(":
            end = _closing(text, i + 2)
            if external and text[i + 2] == "_" and text[i + 3 : end] in external:
                buf.append(external[text[i + 3 : end]])
                i = end + 1
                continue
            inner = _unescaped(text, i + 2, end)
            if not inner.strip():
                raise TemplateError(f"empty reference '$()' in {text!r}")
            if buf:
                parts.append("".join(buf))
                buf = []
            parts.append(Reference(reference(inner), location))
            i = end + 1
            continue
        buf.append(c)
        i += 1
    if buf:
        parts.append("".join(buf))
    return tuple(parts)


def _escaped(text: str, i: int) -> str:
    """The character the backslash at ``i`` escapes."""
    if i + 1 < len(text) and text[i + 1] in ESCAPABLE:
        return text[i + 1]
    nxt = repr(text[i + 1]) if i + 1 < len(text) else "the end"
    raise TemplateError(
        f"invalid escape in {text!r}: backslash before {nxt} (a backslash escapes "
        f"one of {' '.join(ESCAPABLE)}; write \\\\ for a backslash)"
    )


def _unescaped(text: str, start: int, end: int) -> str:
    """A reference's text between ``start`` and ``end``, its YARRRML escapes resolved; any
    other backslash stays, for the JSONPath (``$(['it\\'s'])``)."""
    out, j = [], start
    while j < end:
        if text[j] == "\\" and j + 1 < end and text[j + 1] in ESCAPABLE:
            out.append(text[j + 1])
            j += 2
        else:
            out.append(text[j])
            j += 1
    return "".join(out)


def _closing(text: str, start: int) -> int:
    """Index of the ')' closing a ``$(`` whose content starts at ``start``. Brackets and
    quotes inside (``$(['a (b)'])``) and escaped characters (``\\)``) do not count."""
    depth_sq, quote_char = 0, ""
    j = start - 1
    while j + 1 < len(text):
        j += 1
        c = text[j]
        if c == "\\":
            j += 1
            continue
        if quote_char:
            if c == quote_char:
                quote_char = ""
        elif c in "'\"" and depth_sq:
            quote_char = c
        elif c == "[":
            depth_sq += 1
        elif c == "]":
            depth_sq -= 1
        elif c == "$" and text.startswith("$(", j):
            raise TemplateError(f"'$(' inside a reference in {text!r}")
        elif c == ")" and not depth_sq:
            return j
    raise TemplateError(f"'$(' at position {start - 1} is not closed by ')' in {text!r}")
