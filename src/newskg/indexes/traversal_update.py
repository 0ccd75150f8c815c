"""The traversal index of an incremental build: the previous index with some graphs
replaced, written as changes beside the previous base (:mod:`newskg.indexes.traversal`).

The build gives the quads it removed (the replaced graphs, as the previous store held them)
and those it added. Each statement's count (how many graphs hold it) moves by the
difference; a statement whose count falls to 0 is gone, one that rises from 0 is new. Only
the rows those touch are made anew, each whole, as it is now: the out-rows of the subjects
whose counts moved, the in-rows of the objects of gone and new statements, and the hops of
both ends of those that traversal follows. They join the rows the previous changes already
held; the base files are hard-linked, never copied, so a build costs what its change
touches: a title changed is a few rows, a fact about an entity named everywhere rewrites
that entity's row, whatever its length.

Changes accumulate from build to build. Once they hold more than :data:`COMPACT_SHARE` of
the base, base and changes are merged into a new base (one pass over the arrays, no sort of
the statements), so readers never carry more than that share on top of the base.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from newskg.files import shared_copy
from newskg.indexes.numbering import Numbering, literal_flags, numbered_quads, term_arrays
from newskg.indexes.traversal import (
    ADDED_TERMS,
    BASE_ARRAYS,
    DIRECTIONS,
    TERMS,
    TYPE,
    Index,
    Rows,
    Terms,
    empty_changes,
    entries,
    load,
    ranges,
    save,
)

# Changes past this share of the base (row entries and terms) are merged into a new base.
COMPACT_SHARE = 0.125


@dataclass
class _Csr:
    """Rows of some nodes: ``nodes`` sorted, row ``i`` is ``[ptr[i], ptr[i + 1])`` of each
    column."""

    nodes: np.ndarray
    ptr: np.ndarray
    columns: dict[str, np.ndarray]


def update(
    folder: Path,
    previous: Path,
    removed: Path | list[Path],
    added: Path | list[Path],
    *,
    compact_share: float = COMPACT_SHARE,
) -> None:
    """Write to ``folder`` the index of ``previous`` less the quads in the ``removed``
    N-Quads files, plus those in ``added``. Raises ValueError (or KeyError, OSError) when
    the previous index does not hold what ``removed`` says it held: it is then no base to
    start from."""
    old = load(previous)
    numbering = Numbering(old.terms.find, old.terms.size)
    gone = numbered_quads(removed, _known(numbering))
    new = numbered_quads(added, numbering.number)
    lines = numbering.finish(new)
    added_terms, added_text = _added_terms(previous, old, lines)
    terms = old.terms.with_added(added_terms, added_text)
    type_id = numbering.find(TYPE)
    rows = _changed_rows(old, gone, new, terms, -1 if type_id is None else type_id)
    changes = {f"added_{name}": array for name, array in added_terms.items()}
    for d, csr in rows.items():
        changes[f"changed_{d}_nodes"], changes[f"changed_{d}_ptr"] = csr.nodes, csr.ptr
        changes |= {f"changed_{d}_{c}": column for c, column in csr.columns.items()}
    meta: dict[str, int | None] = {"terms": terms.size, "type": type_id}
    changed = entries(changes, "changed_") + len(added_terms["hashes"])
    base = int(old.meta["base_entries"]) + old.terms.base_size
    folder.mkdir(parents=True)
    if changed > compact_share * base:
        _compact(folder, previous, old, changes, added_text, meta)
        return
    for name in (*(f"{n}.npy" for n in BASE_ARRAYS), TERMS):
        shared_copy(previous / name, folder / name)
    (folder / ADDED_TERMS).write_bytes(added_text)
    meta |= {"base_terms": old.terms.base_size, "base_entries": old.meta["base_entries"]}
    save(folder, changes, {**meta, "changed_entries": changed})


def _known(numbering: Numbering) -> Callable[[bytes], int]:
    """The number of a term the previous index holds; a ValueError for any other."""

    def number(line: bytes) -> int:
        found = numbering.find(line)
        if found is None or found >= numbering.start:
            raise ValueError(f"traversal index: a removed quad names {line[:80]!r}, unknown")
        return found

    return number


def _added_terms(
    previous: Path, old: Index, lines: list[bytes]
) -> tuple[dict[str, np.ndarray], bytes]:
    """The term arrays and text of every term added since the base: the previous
    changes' and ``lines``, numbered on from them."""
    text = (previous / ADDED_TERMS).read_bytes()
    before = {n: old.arrays[f"added_{n}"] for n in ("offsets", "hashes", "by_hash", "literal")}
    fresh = term_arrays(lines, old.terms.size)
    hashes = np.concatenate([before["hashes"], fresh["hashes"]])
    by_hash = np.concatenate([before["by_hash"], fresh["by_hash"]])
    order = np.argsort(hashes, kind="stable")
    return {
        "offsets": np.concatenate(
            [before["offsets"], before["offsets"][-1] + fresh["offsets"][1:]]
        ),
        "hashes": hashes[order],
        "by_hash": by_hash[order],
        "literal": np.concatenate([before["literal"], literal_flags(lines)]),
    }, text + b"".join(line + b"\n" for line in lines)


def _changed_rows(
    old: Index, gone: np.ndarray, new: np.ndarray, terms: Terms, type_id: int
) -> dict[str, _Csr]:
    """Every row the changes hold after this update, by direction."""
    s, p, o, change = _statement_changes(gone, new)
    # out: the subjects' rows with the counts moved; a statement at 0 leaves its row
    subjects, held, before, keys = _with_rows(old.rows["out"], ("pred", "obj"), (s, p, o))
    counts = np.concatenate([before["count"].astype(np.int64), change])
    was = np.concatenate([np.ones(held, np.int64), np.zeros(len(s), np.int64)])
    (ks, kp, ko), (count, was) = _grouped(keys, counts, was)
    if (count < 0).any():
        raise ValueError("traversal index: a removed statement it does not hold")
    now = count > 0
    out = _rows_of(subjects, ks[now], {"pred": kp[now], "obj": ko[now], "count": count[now]})
    moved = now != (was > 0)  # the statements that are new or gone
    ms, mp, mo = ks[moved], kp[moved], ko[moved]
    # in: the objects' rows with those statements added or taken out
    objects, held, _, keys = _with_rows(old.rows["in"], ("subj", "pred"), (mo, ms, mp))
    weights = np.concatenate([np.ones(held, np.int64), np.where(now[moved], 1, -1)])
    (ko_, ks_, kp_), (held_now,) = _grouped(keys, weights)
    if ((held_now < 0) | (held_now > 1)).any():
        raise ValueError("traversal index: its rows by subject and by object disagree")
    keep = held_now == 1
    into = _rows_of(objects, ko_[keep], {"subj": ks_[keep], "pred": kp_[keep]})
    changed = {
        "out": _merged(_changed(old, "out"), out),
        "in": _merged(_changed(old, "in"), into),
    }
    # hops: both ends of every new or gone statement that traversal follows, made anew
    follows = (mp != type_id) & ~terms.is_literal(mo)
    ends = np.unique(np.concatenate([ms[follows], mo[follows]]))
    now_rows = {d: _with(old.rows[d], changed[d]) for d in ("out", "in")}
    hops = _hops(ends, now_rows["out"], now_rows["in"], terms, type_id)
    changed["hop"] = _merged(_changed(old, "hop"), hops)
    return changed


def _statement_changes(
    gone: np.ndarray, new: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(subject, predicate, object, change) of each statement whose count moves, sorted."""
    gone, new = np.unique(gone, axis=0), np.unique(new, axis=0)  # a graph holds a quad once
    keys = tuple(np.concatenate([gone[:, i], new[:, i]]) for i in range(3))
    weight = np.concatenate([np.full(len(gone), -1, np.int64), np.ones(len(new), np.int64)])
    (s, p, o), (change,) = _grouped(keys, weight)
    moved = change != 0
    return s[moved], p[moved], o[moved], change[moved]


def _with_rows(
    rows: Rows, columns: tuple[str, str], entries: tuple[np.ndarray, np.ndarray, np.ndarray]
) -> tuple[np.ndarray, int, dict[str, np.ndarray], tuple[np.ndarray, ...]]:
    """The rows of the nodes that ``entries`` (node, then ``columns``) belong to, and the
    entries after them: those nodes, how many entries their rows hold, their rows, and
    the key columns of rows and entries together."""
    nodes = np.unique(entries[0])
    lengths, row = rows.gather(nodes)
    keys = (
        np.concatenate([np.repeat(nodes, lengths), entries[0]]),
        np.concatenate([row[columns[0]], entries[1]]),
        np.concatenate([row[columns[1]], entries[2]]),
    )
    return nodes, int(lengths.sum()), row, keys


def _hops(ends: np.ndarray, out: Rows, into: Rows, terms: Terms, type_id: int) -> _Csr:
    """The hop rows of ``ends``, from their whole out- and in-rows: the non-literal objects
    and the subjects of their statements other than rdf:type, once each."""
    lengths, row = out.gather(ends)
    owner = np.repeat(ends, lengths)
    follow = (row["pred"] != type_id) & ~terms.is_literal(row["obj"].astype(np.int64))
    lengths_in, row_in = into.gather(ends)
    owner_in = np.repeat(ends, lengths_in)
    follow_in = row_in["pred"] != type_id
    keys = (
        np.concatenate([owner[follow], owner_in[follow_in]]),
        np.concatenate([row["obj"][follow], row_in["subj"][follow_in]]),
    )
    (a, b), _ = _grouped(keys, np.zeros(len(keys[0]), np.int64))
    return _rows_of(ends, a, {"node": b})


def _grouped(
    keys: tuple[np.ndarray, ...], *weights: np.ndarray
) -> tuple[tuple[np.ndarray, ...], tuple[np.ndarray, ...]]:
    """The distinct rows of the ``keys`` columns, sorted by the first column, then the
    next…, and the sum of each of ``weights`` over each."""
    order = np.lexsort(keys[::-1])
    ordered = [k[order] for k in keys]
    first = np.ones(len(order), dtype=bool)
    for column in ordered:
        first[1:] &= column[1:] == column[:-1]
    first[1:] = ~first[1:]
    starts = np.flatnonzero(first)
    if not len(starts):
        return tuple(k[:0] for k in ordered), tuple(w[:0] for w in weights)
    sums = tuple(np.add.reduceat(w[order], starts) for w in weights)
    return tuple(k[first] for k in ordered), sums


def _rows_of(nodes: np.ndarray, owners: np.ndarray, columns: dict[str, np.ndarray]) -> _Csr:
    """The rows of ``nodes`` (sorted, distinct) from entries sorted by ``owners``; a node
    with no entry gets an empty row."""
    ptr = np.append(np.searchsorted(owners, nodes), len(owners)).astype(np.int64)
    return _Csr(nodes.astype(np.int32), ptr, columns)


def _changed(old: Index, d: str) -> _Csr:
    rows = old.rows[d]
    return _Csr(rows.changed_nodes, rows.changed_ptr, rows.changed)


def _with(rows: Rows, changed: _Csr) -> Rows:
    """``rows`` with ``changed`` as its changes."""
    return Rows(rows.base_ptr, rows.base, changed.nodes, changed.ptr, changed.columns)


def _merged(old: _Csr, fresh: _Csr) -> _Csr:
    """The rows of both, ``fresh``'s where both have a node's."""
    keep = ~np.isin(old.nodes, fresh.nodes)
    nodes = np.concatenate([old.nodes[keep], fresh.nodes])
    starts = np.concatenate([old.ptr[:-1][keep], fresh.ptr[:-1]])
    lengths = np.concatenate([np.diff(old.ptr)[keep], np.diff(fresh.ptr)])
    part = np.concatenate([np.zeros(int(keep.sum()), bool), np.ones(len(fresh.nodes), bool)])
    order = np.argsort(nodes, kind="stable")
    nodes, starts, lengths, part = nodes[order], starts[order], lengths[order], part[order]
    ptr = np.append(0, np.cumsum(lengths)).astype(np.int64)
    columns = {}
    for name, column in fresh.columns.items():
        merged = np.empty(int(ptr[-1]), dtype=column.dtype)
        for which, source in ((~part, old.columns[name]), (part, column)):
            merged[ranges(ptr[:-1][which], lengths[which])] = source[
                ranges(starts[which], lengths[which])
            ]
        columns[name] = merged
    return _Csr(nodes.astype(np.int32), ptr, columns)


def _compact(
    folder: Path,
    previous: Path,
    old: Index,
    changes: dict[str, np.ndarray],
    added_text: bytes,
    meta: dict[str, int | None],
) -> None:
    """Write base and changes merged into one base, with no changes."""
    size = int(meta["terms"] or 0)
    with (folder / TERMS).open("wb") as out:
        with (previous / TERMS).open("rb") as base_terms:
            shutil.copyfileobj(base_terms, out, 1 << 24)
        out.write(added_text)
    base_offsets = old.arrays["offsets"]
    hashes = np.concatenate([old.arrays["hashes"], changes["added_hashes"]])
    by_hash = np.concatenate([old.arrays["by_hash"], changes["added_by_hash"]])
    order = np.argsort(hashes, kind="stable")
    arrays = {
        "offsets": np.concatenate([base_offsets, base_offsets[-1] + changes["added_offsets"][1:]]),
        "hashes": hashes[order],
        "by_hash": by_hash[order],
        "literal": np.concatenate([old.arrays["literal"], changes["added_literal"]]),
    }
    everything = np.arange(size, dtype=np.int64)
    for d in DIRECTIONS:
        rows = Rows(
            old.rows[d].base_ptr,
            old.rows[d].base,
            changes[f"changed_{d}_nodes"],
            changes[f"changed_{d}_ptr"],
            {c: changes[f"changed_{d}_{c}"] for c in DIRECTIONS[d]},
        )
        lengths, columns = rows.gather(everything)
        arrays[f"{d}_ptr"] = np.append(0, np.cumsum(lengths)).astype(np.int64)
        arrays |= {f"{d}_{c}": column for c, column in columns.items()}
    arrays |= empty_changes()
    (folder / ADDED_TERMS).write_bytes(b"")
    meta |= {"base_terms": size, "base_entries": entries(arrays), "changed_entries": 0}
    save(folder, arrays, meta)
