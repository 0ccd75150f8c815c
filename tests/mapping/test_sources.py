"""Reading sources at the edge: JSON streamed, CSV rows, encodings, compression."""

from __future__ import annotations

import gzip
import io
import json
import tarfile
import zipfile
from pathlib import Path

import pytest

from newskg.errors import Location, MappingError
from newskg.mapping import sources
from newskg.mapping.model import LogicalSource
from newskg.mapping.sources import FileSources, csv_records, json_records

WHERE = Location("m.yaml", 3, 5)


def source(path: str, iterator: str = "$", **kw) -> LogicalSource:
    return LogicalSource(path, iterator, WHERE, **kw)


DOC = {
    "meta": {"title": "t", "n": 1.5},
    "people": [{"id": 1, "tags": ["a", "b"]}, {"id": 2}, None],
    "orgs": {"list": [{"code": "o1"}], "other": [1, 2]},
    "map": {"x": {"v": 1}, "y": {"v": 2}},
}


@pytest.mark.parametrize("chunk", [1, 7, 1 << 20])
def test_one_pass_serves_every_iterator_in_document_order(monkeypatch, chunk):
    monkeypatch.setattr(sources, "_CHUNK", chunk)  # values cut across reads
    wanted = [
        source("d.json", "$.people[*]"),
        source("d.json", "$.orgs.list[*]"),
        source("d.json", "$.meta"),
        source("d.json", "$.people[*].tags[*]"),
        source("d.json", "$.map.*"),
        source("d.json", "$"),
    ]
    found = list(json_records(io.StringIO(json.dumps(DOC, indent=2)), wanted, "d.json"))
    by = {i: [r for j, r in found if j == i] for i in range(len(wanted))}
    assert by[0] == [{"id": 1, "tags": ["a", "b"]}, {"id": 2}, None]
    assert by[1] == [{"code": "o1"}]
    assert by[2] == [{"title": "t", "n": 1.5}]
    assert by[3] == ["a", "b"]
    assert by[4] == [{"v": 1}, {"v": 2}]
    assert by[5] == [DOC]


def test_bad_json_names_the_data_file_and_line():
    with pytest.raises(MappingError) as info:
        list(
            json_records(
                io.StringIO('{"people": [\n {"id": 1},\n {"id": }]}'),
                [source("d.json", "$.people[*]")],
                "d.json",
            )
        )
    assert info.value.message.startswith("d.json:3: not valid JSON")
    assert info.value.location == WHERE


def test_csv_rows_empty_cells_nulls_and_a_short_row():
    rows = list(
        csv_records(io.StringIO("a,b\n1,\n2,NULL\n"), source("x.csv", nulls=("NULL",)), "x.csv")
    )
    assert rows == [{"a": "1", "b": ""}, {"a": "2", "b": None}]
    with pytest.raises(MappingError) as info:
        list(csv_records(io.StringIO("a,b\n1,2\n3\n"), source("x.csv"), "x.csv"))
    assert info.value.message == "x.csv:3: this row has 1 field(s) but the header has 2"


def _write(folder: Path, name: str, data: bytes) -> None:
    path = folder / name
    if name.endswith(".tar.gz") or name.endswith(".tar.xz"):
        mode = "w:gz" if name.endswith("gz") else "w:xz"
        with tarfile.open(path, mode) as tar:
            info = tarfile.TarInfo("people.csv")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    elif name.endswith(".zip"):
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("people.csv", data)
    elif name.endswith(".gz"):
        path.write_bytes(gzip.compress(data))
    else:
        path.write_bytes(data)


@pytest.mark.parametrize(
    ("name", "encoding"),
    [
        ("people.csv", "utf-8"),
        ("people.csv", "utf-16"),
        ("people.csv.gz", "utf-8"),
        ("people.csv.zip", "utf-8"),
        ("people.csv.tar.gz", "utf-8"),
        ("people.csv.tar.xz", "utf-16"),
    ],
)
def test_compressed_and_encoded_files(tmp_path, name, encoding):
    _write(tmp_path, name, "id,name\n1,Zoë\n".encode(encoding))
    src = source(name, formulation="csv", encoding=encoding, root=str(tmp_path))
    assert list(FileSources().records([src])) == [(0, {"id": "1", "name": "Zoë"})]


def test_a_missing_file_is_an_error_at_the_mapping(tmp_path):
    with pytest.raises(MappingError) as info:
        list(FileSources(tmp_path).records([source("nope.json")]))
    assert info.value.location == WHERE
    assert "not found" in info.value.message


def test_csv_rows_are_records_and_columns():
    """A CSV batch behaves as its list of records, and gives a column without making them."""
    text = "a,b\n1,\n2,NULL\n3,x\n"
    (rows,) = sources.csv_batches(io.StringIO(text), source("x.csv", nulls=("NULL",)), "x.csv")
    records = [{"a": "1", "b": ""}, {"a": "2", "b": None}, {"a": "3", "b": "x"}]
    assert list(rows) == records and len(rows) == 3
    assert rows[1] == records[1] and list(rows[1:]) == records[1:]
    assert None not in rows and records[0] in rows
    assert rows.column("b") == ["", None, "x"] and rows.column("c") is None
