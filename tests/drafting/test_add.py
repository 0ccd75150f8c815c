"""`newskg add`: the article byte for byte and a draft beside it, or nothing at all; and a
draft completed as a curator would complete it builds."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
import yaml

import newskg
from newskg.errors import InputError
from tests.conftest import ROOT, run_cli

NEW_ARTICLE = ROOT / "tests" / "fixtures" / "drafts" / "new-article"


def _folders(project: Path) -> set[str]:
    return {p.name for p in (project / "seeds").iterdir()}


def test_add_keeps_the_text_byte_for_byte_and_names_it_by_date_and_hash(project, tmp_path):
    source = tmp_path / "new.txt"
    source.write_bytes((NEW_ARTICLE / "article.txt").read_bytes())
    result = run_cli("add", source, "--project", project)
    assert result.code == 0, result.err
    folder = project / "seeds" / "2023-03-03_b32a38fa"
    assert (folder / "article.txt").read_bytes() == source.read_bytes()
    assert "drafted" in result.out and "1 events" in result.out
    assert "facts file is an unreviewed draft" in run_cli("build", "--project", project).err


def test_the_api_takes_the_bytes_and_the_options(project):
    report = newskg.add(
        b"The agency signed an MOU with Huawei. It runs for two years.",
        project=project,
        article_id="my-article",
        date="2022-01-31",
        title="An MOU",
    )
    assert report.id == "my-article" and report.counts["agreements"] == 1
    facts = yaml.safe_load(report.facts.read_text(encoding="utf-8"))
    assert facts["article"]["title"] == "An MOU" and facts["article"]["date"] == "2022-01-31"


def test_standard_input_is_read_with_a_dash(project, monkeypatch):
    text = "BANGKOK, 3 March 2023 - Ren Zhengfei met the press."
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
    result = run_cli("add", "-", "--project", project, "--id", "from-stdin")
    assert result.code == 0, result.err
    assert (project / "seeds" / "from-stdin" / "article.txt").read_text() == text


def test_a_byte_order_mark_and_crlf_are_kept_and_said(project, tmp_path):
    raw = "\ufeffThe Thai PM met Ren on 3 March 2023.\r\nHe spoke.\r\n".encode()
    source = tmp_path / "crlf.txt"
    source.write_bytes(raw)
    result = run_cli("add", source, "--project", project, "--id", "crlf")
    assert result.code == 0, result.err
    assert (project / "seeds" / "crlf" / "article.txt").read_bytes() == raw
    assert "byte-order mark" in result.out and "CRLF" in result.out


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        (b"", [], "is empty"),
        (b" \n\r\n\t", [], "is empty"),
        (b"PK\x03\x04\x00\x00binary", [], "is not text: byte 2 is 0x03"),
        (b"caf\xe9 au lait.", [], "is not UTF-8 (byte 3)"),
        (b"Just a headline without an end", ["--id", "x"], "has no sentence end"),
        (b"A sentence without any date.", [], "states no date"),
        (b"A text. It ends.", ["--id", "../escape"], "is a path, not a folder name"),
        (b"A text. It ends.", ["--id", "a/b"], "is a path, not a folder name"),
        (b"A text. It ends.", ["--id", "000_62ce04f1d7ffd07b"], "already exists"),
        (b"A text. It ends.", ["--id", "huawei"], "is also an id in the registry"),
        (b"A text. It ends.", ["--id", "bad id"], "cannot be an article id"),
        (b"A text. It ends.", ["--date", "2021-02-30"], "bad --date"),
    ],
)
def test_bad_input_gets_a_clear_message_and_writes_nothing(
    project, tmp_path, content, args, message
):
    source = tmp_path / "input.txt"
    source.write_bytes(content)
    before = _folders(project)
    result = run_cli("add", source, "--project", project, *args)
    assert result.code == 2 and "Traceback" not in result.err
    assert message in result.err.splitlines()[0], result.err
    assert _folders(project) == before


def test_a_missing_file_is_an_input_error(project):
    with pytest.raises(InputError, match="article file missing"):
        newskg.add(project / "nope.txt", project=project)


def test_a_draft_completed_as_a_curator_would_builds(project, tmp_path):
    """The curator's edits of tests/fixtures/drafts/new-article/review.yaml: registry
    entries for the candidates kept, each record filled and its `draft:` line deleted."""
    result = run_cli("add", NEW_ARTICLE / "article.txt", "--project", project)
    assert result.code == 0, result.err
    (folder,) = [p for p in (project / "seeds").iterdir() if p.name.startswith("2023-03-03_")]
    review = yaml.safe_load((NEW_ARTICLE / "review.yaml").read_text(encoding="utf-8"))
    facts = yaml.safe_load((folder / "facts.yaml").read_text(encoding="utf-8"))
    for section in review["delete"]:
        del facts[section]
    for section, changes in review["facts"].items():
        records = [facts[section]] if section == "article" else facts[section]
        by_id = {r.get("id"): r for r in records}
        edits = {None: changes} if section == "article" else changes
        assert set(by_id) == set(edits), f"every drafted {section} record is reviewed"
        for fid, keys in edits.items():
            for key, value in keys.items():
                if value is None:
                    del by_id[fid][key]
                else:
                    by_id[fid][key] = value
    (folder / "facts.yaml").write_text(yaml.safe_dump(facts, sort_keys=False), encoding="utf-8")
    entities = project / "seeds" / "entities.yaml"
    registry = yaml.safe_load(entities.read_text(encoding="utf-8"))
    registry["entities"].extend(review["entities"])
    entities.write_text(yaml.safe_dump(registry, sort_keys=False), encoding="utf-8")

    built = run_cli("build", "--project", project)
    assert built.code == 0, built.err
    meetings = run_cli("query", "meetings", "--kg", project / "kg", "--queries", ROOT / "queries")
    assert "Government House" in meetings.out or "government-house" in meetings.out
