"""RDF term syntax: IRI-safe encoding, N-Triples escaping, lexical-space checks.

Everything here works on plain strings because materialisation produces N-Triples text
directly (the store bulk-loads N-Quads); building rdflib or pyoxigraph objects per term would
dominate the run time.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from decimal import Decimal
from functools import lru_cache
from urllib.parse import quote

from newskg.rdf import (
    RDF_LANG_STRING,
    XSD,
    XSD_BOOLEAN,
    XSD_DECIMAL,
    XSD_DOUBLE,
    XSD_INTEGER,
    XSD_STRING,
)

# --------------------------------------------------------------------------- IRIs

# RFC 3987 ucschar: the non-ASCII characters an IRI may carry unencoded.
_UCSCHAR = (
    "\u00a0-\ud7ff\uf900-\ufdcf\ufdf0-\uffef"
    "\U00010000-\U0001fffd\U00020000-\U0002fffd\U00030000-\U0003fffd"
    "\U00040000-\U0004fffd\U00050000-\U0005fffd\U00060000-\U0006fffd"
    "\U00070000-\U0007fffd\U00080000-\U0008fffd\U00090000-\U0009fffd"
    "\U000a0000-\U000afffd\U000b0000-\U000bfffd\U000c0000-\U000cfffd"
    "\U000d0000-\U000dfffd\U000e1000-\U000efffd"
)
# Unicode white space (U+00A0, U+2000-U+200A, U+3000, ...) is ucschar but is encoded anyway:
# invisible in an IRI, and rdflib's N-Triples parser refuses it (a deliberate departure).
_NOT_IUNRESERVED = re.compile(f"(?:[^A-Za-z0-9._~\\-{_UCSCHAR}]|\\s)+")
_NOT_UNRESERVED = re.compile(r"[^A-Za-z0-9._~\-]")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
# Characters N-Triples forbids in an IRIREF, plus controls and a bare '%' (RFC 3987).
_BAD_IRI_CHAR = re.compile(r'[\x00-\x20<>"{}|^`\\\x7f-\x9f]|%(?![0-9A-Fa-f]{2})')
_NT_IRI_ESCAPE = re.compile(r'[\x00-\x20<>"{}|^`\\]')


class _IriSafeTable(dict[int, str]):
    """Code point -> its IRI-safe spelling, filled on first use, for ``str.translate``: a
    C-level dict hit per character instead of a regex callback per run of characters."""

    def __missing__(self, cp: int) -> str:
        ch = chr(cp)
        # surrogatepass: a lone surrogate (possible in JSON) still encodes deterministically.
        out = ch if not _NOT_IUNRESERVED.match(ch) else quote(ch, safe="", errors="surrogatepass")
        self[cp] = out
        return out


_IRI_SAFE_TABLE = _IriSafeTable()
# One character-class scan (fast in `re`); '%' is checked separately, only when present.
_IRI_CHARS = re.compile(r'[A-Za-z][A-Za-z0-9+.\-]*:[^\x00-\x20<>"{}|^`\\\x7f-\x9f]*\Z')
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


def is_valid_iri(value: str) -> bool:
    """Absolute, and nothing N-Triples or RFC 3987 forbids (fast path of iri_problem)."""
    return _IRI_CHARS.match(value) is not None and (
        "%" not in value or _BAD_PERCENT.search(value) is None
    )


def needs_iri_encoding(text: str) -> bool:
    """Does :func:`iri_safe` change anything in ``text``?"""
    return not (text.isascii() and text.isalnum()) and _NOT_IUNRESERVED.search(text) is not None


def iri_safe(value: str) -> str:
    """RML-Core IRI-safe form: percent-encode (UTF-8) everything outside RFC 3987
    ``iunreserved`` (ASCII unreserved plus ``ucschar``)."""
    if (value.isascii() and value.isalnum()) or _NOT_IUNRESERVED.search(value) is None:
        return value  # the first test is the cheap one, for ids
    return value.translate(_IRI_SAFE_TABLE)


@lru_cache(maxsize=1 << 16)
def uri_safe(value: str) -> str:
    """The stricter form used for ``rml:URI``: only ASCII unreserved characters survive."""
    if _NOT_UNRESERVED.search(value) is None:
        return value
    return quote(value, safe="-._~", errors="surrogatepass")


def is_absolute_iri(value: str) -> bool:
    return _SCHEME.match(value) is not None


def iri_problem(value: str) -> str | None:
    """Why ``value`` is not a usable absolute IRI, or None if it is."""
    if is_valid_iri(value):
        return None
    if not _SCHEME.match(value):
        return "it is not an absolute IRI (no scheme such as 'https:')"
    bad = _BAD_IRI_CHAR.search(value)
    if bad:
        ch = bad.group()
        shown = "a '%' not followed by two hex digits" if ch == "%" else f"{ch!r}"
        return f"it contains {shown}, which is not allowed in an IRI"
    return None


def nt_unsafe_iri(value: str) -> str:
    """``rml:UnsafeIRI`` values are not checked, but the output must still be N-Triples:
    characters an IRIREF cannot hold are written as UCHAR escapes."""
    return _NT_IRI_ESCAPE.sub(lambda m: f"\\u{ord(m.group()):04X}", value)


# --------------------------------------------------------------------------- literals

_LIT_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})
LITERAL_ESCAPES = _LIT_ESCAPES  # for str.translate: a lexical form as N-Triples writes it
IRI_SAFE_TABLE = _IRI_SAFE_TABLE  # for str.translate: iri_safe of any string

# A column of values is joined with a character no value holds, each character to change is
# replaced throughout in one C call (few distinct ones per column), and the text split again:
# the same strings as a translate per value, which leaves C at every changed character.
_SEP = "\x00"
_TO_ENCODE = re.compile(f"(?:[^\\x00%A-Za-z0-9._~\\-{_UCSCHAR}]|\\s)")
_ASCII_KEPT = b"\x00%ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._~-"


def iri_safe_all(values: list[str]) -> list[str]:
    """:func:`iri_safe` of every value of a column."""
    if not values:
        return values
    joined = "".join(values)
    if (joined.isascii() and joined.isalnum()) or _NOT_IUNRESERVED.search(joined) is None:
        return values
    joined = _SEP.join(values)
    if joined.count(_SEP) != len(values) - 1:  # a value holds the separator
        return [v.translate(_IRI_SAFE_TABLE) for v in values]
    if "%" in joined:  # first, so that the '%' of the other encodings stays
        joined = joined.replace("%", "%25")
    if joined.isascii():
        # Deleting the unreserved bytes (a C table lookup each) leaves those to encode.
        rest = joined.encode("ascii").translate(None, _ASCII_KEPT).decode("ascii")
        for ch in set(rest):
            joined = joined.replace(ch, _IRI_SAFE_TABLE[ord(ch)])
        return joined.split(_SEP)
    found = _TO_ENCODE.search(joined)
    while found is not None:
        ch = found.group()
        joined = joined.replace(ch, _IRI_SAFE_TABLE[ord(ch)])
        found = _TO_ENCODE.search(joined, found.start())
    return joined.split(_SEP)


def escape_all(values: list[str]) -> list[str]:
    """The lexical forms of a column as N-Triples writes them (:func:`quote_literal`
    without the quotes)."""
    joined = _SEP.join(values)
    if not ("\\" in joined or '"' in joined or "\n" in joined or "\r" in joined):
        return values
    if joined.count(_SEP) != len(values) - 1:
        return [v.translate(_LIT_ESCAPES) for v in values]
    for ch in ("\\", '"', "\n", "\r"):  # the backslash first: the others add one
        if ch in joined:
            joined = joined.replace(ch, _LIT_ESCAPES[ord(ch)])
    return joined.split(_SEP)


def quote_literal(lex: str) -> str:
    """``"lex"`` with exactly the N-Triples escapes (backslash, quote, LF, CR)."""
    if "\\" in lex or '"' in lex or "\n" in lex or "\r" in lex:
        return '"' + lex.translate(_LIT_ESCAPES) + '"'
    return '"' + lex + '"'


def canonical_double(x: float) -> str:
    """The canonical xsd:double lexical form (``3.05E1``), as RML's natural mapping asks."""
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "INF" if x > 0 else "-INF"
    if x == 0:
        return "-0.0E0" if math.copysign(1.0, x) < 0 else "0.0E0"
    sign, digits, exp = Decimal(repr(x)).as_tuple()
    ds = "".join(map(str, digits)).rstrip("0") or "0"
    exponent = int(exp) + len(digits) - 1
    mantissa = ds[0] + "." + (ds[1:] or "0")
    return ("-" if sign else "") + mantissa + "E" + str(exponent)


def natural(value: object) -> tuple[str, str] | None:
    """(lexical form, natural datatype IRI) of a JSON scalar, per RML-Core's natural mapping.
    None for values that are not scalars (objects, arrays)."""
    t = type(value)
    if t is str:
        return value, XSD_STRING  # type: ignore[return-value]
    if t is bool:
        return ("true" if value else "false"), XSD_BOOLEAN
    if t is int:
        return str(value), XSD_INTEGER
    if t is float:
        return canonical_double(value), XSD_DOUBLE  # type: ignore[arg-type]
    if t is Decimal:
        return format(value, "f"), XSD_DECIMAL
    return None


def lexical(value: object) -> str | None:
    """The string a scalar contributes to a template or a join key."""
    t = type(value)
    if t is str:
        return value  # type: ignore[return-value]
    pair = natural(value)
    return pair[0] if pair else None


# --------------------------------------------------------------------------- blank nodes


@lru_cache(maxsize=1 << 16)
def bnode_label(value: str) -> str:
    """A deterministic, injective N-Triples label for a blank node named by ``value``:
    ASCII letters and digits are kept, every other UTF-8 byte becomes ``_HH``."""
    out = ["_:v"]
    for b in value.encode("utf-8", "surrogatepass"):
        if 48 <= b <= 57 or 65 <= b <= 90 or 97 <= b <= 122:
            out.append(chr(b))
        else:
            out.append(f"_{b:02X}")
    return "".join(out)


# --------------------------------------------------------------------------- language tags

_LANGTAG = re.compile(
    r"(?:(?:[A-Za-z]{2,3}(?:-[A-Za-z]{3}){0,3}|[A-Za-z]{4,8})"  # language (+ extlang)
    r"(?:-[A-Za-z]{4})?"  # script
    r"(?:-(?:[A-Za-z]{2}|[0-9]{3}))?"  # region
    r"(?:-(?:[A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*"  # variants
    r"(?:-[0-9A-WYZa-wyz](?:-[A-Za-z0-9]{2,8})+)*"  # extensions
    r"(?:-[Xx](?:-[A-Za-z0-9]{1,8})+)?"  # private use
    r"|[Xx](?:-[A-Za-z0-9]{1,8})+"  # private use only
    r"|[Ii]-[A-Za-z]{2,8}(?:-[A-Za-z]{2,8})*)\Z"  # grandfathered irregular/regular shape
)


def is_language_tag(tag: str) -> bool:
    """BCP 47 shape (RFC 5646 ABNF); registry membership is not checked."""
    return _LANGTAG.match(tag) is not None


# --------------------------------------------------------------------------- datatypes

_TZ = r"(?:Z|[+-](?:(?:0\d|1[0-3]):[0-5]\d|14:00))?"
_YEAR = r"-?(?:[1-9]\d{3,}|0\d{3})"
_DATE = re.compile(rf"({_YEAR})-(\d\d)-(\d\d){_TZ}\Z")
_TIME = r"(?:(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?|24:00:00(?:\.0+)?)"
_DATETIME = re.compile(rf"({_YEAR})-(\d\d)-(\d\d)T{_TIME}{_TZ}\Z")
_DATETIMESTAMP = re.compile(rf"({_YEAR})-(\d\d)-(\d\d)T{_TIME}(?:Z|[+-]\d\d:\d\d)\Z")
_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)\Z")
_INTEGER = re.compile(r"[+-]?\d+\Z")
_DOUBLE = re.compile(r"(?:[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[+-]?INF|NaN)\Z")
_DURATION = re.compile(
    r"-?P(?=\d|T\d)(?:\d+Y)?(?:\d+M)?(?:\d+D)?(?:T(?=\d)(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d+)?S)?)?\Z"
)
_SIMPLE: dict[str, re.Pattern[str]] = {
    "boolean": re.compile(r"(?:true|false|1|0)\Z"),
    "decimal": _DECIMAL,
    "double": _DOUBLE,
    "float": _DOUBLE,
    "time": re.compile(rf"{_TIME}{_TZ}\Z"),
    "gYear": re.compile(rf"{_YEAR}{_TZ}\Z"),
    "gYearMonth": re.compile(rf"{_YEAR}-(?:0[1-9]|1[0-2]){_TZ}\Z"),
    "gMonth": re.compile(rf"--(?:0[1-9]|1[0-2]){_TZ}\Z"),
    "gDay": re.compile(rf"---(?:0[1-9]|[12]\d|3[01]){_TZ}\Z"),
    "gMonthDay": re.compile(rf"--(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01]){_TZ}\Z"),
    "duration": _DURATION,
    "yearMonthDuration": re.compile(r"-?P(?=\d)(?:\d+Y)?(?:\d+M)?\Z"),
    "dayTimeDuration": re.compile(
        r"-?P(?=\d|T\d)(?:\d+D)?(?:T(?=\d)(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d+)?S)?)?\Z"
    ),
    "hexBinary": re.compile(r"(?:[0-9A-Fa-f]{2})*\Z"),
    "base64Binary": re.compile(r"(?:[A-Za-z0-9+/] ?)*(?:=\s?){0,2}\Z"),
    "normalizedString": re.compile(r"[^\r\n\t]*\Z"),
    "token": re.compile(r"(?:[^\s](?:[^\r\n\t ]| (?! ))*[^\s]|[^\s])?\Z"),
    "NMTOKEN": re.compile(r"[\w.:\-]+\Z"),
    "Name": re.compile(r"[A-Za-z_:][\w.:\-]*\Z"),
    "NCName": re.compile(r"[A-Za-z_][\w.\-]*\Z"),
}
# Integer types and their inclusive bounds (None = unbounded).
_INT_RANGES: dict[str, tuple[int | None, int | None]] = {
    "integer": (None, None),
    "nonPositiveInteger": (None, 0),
    "negativeInteger": (None, -1),
    "nonNegativeInteger": (0, None),
    "positiveInteger": (1, None),
    "long": (-(2**63), 2**63 - 1),
    "int": (-(2**31), 2**31 - 1),
    "short": (-(2**15), 2**15 - 1),
    "byte": (-128, 127),
    "unsignedLong": (0, 2**64 - 1),
    "unsignedInt": (0, 2**32 - 1),
    "unsignedShort": (0, 2**16 - 1),
    "unsignedByte": (0, 255),
}
# XSD built-ins accepted without a lexical check.
_UNCHECKED = {"string", "anyURI", "QName", "NOTATION", "ENTITY", "ENTITIES", "ID", "IDREF"}
_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _valid_day(year: str, month: str, day: str) -> bool:
    m, d = int(month), int(day)
    if not 1 <= m <= 12 or d < 1 or d > _DAYS[m - 1]:
        return False
    if m == 2 and d == 29:
        y = int(year)
        return y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)
    return True


def _date_checker(pattern: re.Pattern[str]) -> Callable[[str], bool]:
    def check(lex: str) -> bool:
        m = pattern.match(lex)
        return m is not None and _valid_day(m.group(1), m.group(2), m.group(3))

    return check


def _int_checker(lo: int | None, hi: int | None) -> Callable[[str], bool]:
    def check(lex: str) -> bool:
        if not _INTEGER.match(lex):
            return False
        n = int(lex)
        return (lo is None or n >= lo) and (hi is None or n <= hi)

    return check


def _checkers() -> dict[str, Callable[[str], bool]]:
    out: dict[str, Callable[[str], bool]] = {}
    for name, pat in _SIMPLE.items():
        out[XSD + name] = lambda lex, p=pat: p.match(lex) is not None
    for name, (lo, hi) in _INT_RANGES.items():
        out[XSD + name] = _int_checker(lo, hi)
    out[XSD + "date"] = _date_checker(_DATE)
    out[XSD + "dateTime"] = _date_checker(_DATETIME)
    out[XSD + "dateTimeStamp"] = _date_checker(_DATETIMESTAMP)
    out[XSD + "language"] = is_language_tag
    for name in _UNCHECKED:
        out[XSD + name] = lambda lex: True
    return out


LEXICAL_CHECKS: dict[str, Callable[[str], bool]] = _checkers()
# The datatypes whose lexical check is one regular expression: a column of values is
# checked by C calls alone.
LEXICAL_PATTERNS: dict[str, re.Pattern[str]] = {XSD + n: p for n, p in _SIMPLE.items()} | {
    XSD + "integer": _INTEGER
}


def datatype_problem(datatype: str) -> str | None:
    """Why ``datatype`` cannot be used for a literal, or None. Unknown names in the XSD
    namespace are typos, not extensions, so they are refused."""
    if datatype == RDF_LANG_STRING:
        return "rdf:langString cannot be given as a datatype; give a language instead"
    if datatype.startswith(XSD) and datatype not in LEXICAL_CHECKS:
        return f"xsd:{datatype[len(XSD) :]} is not an XSD datatype"
    return None


def lexical_ok(lex: str, datatype: str) -> bool:
    """Is ``lex`` in the lexical space of ``datatype``? Datatypes outside XSD are not checked."""
    check = LEXICAL_CHECKS.get(datatype)
    return True if check is None else check(lex)


def typed_literal(lex: str, datatype: str) -> str:
    """N-Triples literal; xsd:string is written as a simple literal (same RDF 1.1 term)."""
    if datatype == XSD_STRING:
        return quote_literal(lex)
    return quote_literal(lex) + "^^<" + datatype + ">"
