"""A draft never enters the graph: the loader refuses every record marked `draft:` and the
draft-only sections, naming the first unreviewed item, and still checks everything else."""

from __future__ import annotations

import pytest

from newskg.errors import FactError
from newskg.inputs import load_article, load_registry
from newskg.model.schema import load_model
from tests.conftest import ROOT, SEED, copy_project, edit_text


@pytest.fixture
def seed(tmp_path):
    project = copy_project(tmp_path)
    model = load_model(ROOT / "ontology" / "model.yaml")
    registry = load_registry(project / "seeds" / "entities.yaml", model)
    return project / "seeds" / SEED.name, registry, model


def _problems(folder, registry, model) -> list[str]:
    with pytest.raises(FactError) as info:
        load_article(folder, registry, model)
    return [str(d) for d in info.value.diagnostics]


def test_a_fact_marked_as_a_draft_is_refused_first_with_what_it_needs(seed):
    folder, registry, model = seed
    facts = folder / "facts.yaml"
    edit_text(
        facts,
        "  - id: academy-smes-trained\n",
        "  - id: academy-smes-trained\n    draft: 'check: unit'\n",
    )
    problems = _problems(folder, registry, model)
    assert len(problems) == 1
    assert "facts.yaml:" in problems[0]
    assert (
        "facts file is an unreviewed draft: figure 'academy-smes-trained' (check: unit)"
        in problems[0]
    )
    assert "delete the line" in problems[0]


def test_the_first_unreviewed_item_in_the_file_is_named_and_the_rest_counted(seed):
    folder, registry, model = seed
    facts = folder / "facts.yaml"
    edit_text(facts, "article:\n", "article:\n  draft: 'fill: title'\n")
    edit_text(
        facts, "  - id: academy-smes-trained\n", "  - id: academy-smes-trained\n    draft: yes\n"
    )
    (facts).write_text(facts.read_text() + "candidates:\n  - name: Gen\n", encoding="utf-8")
    first = _problems(folder, registry, model)[0]
    assert "the article's metadata (fill: title); 2 more unreviewed item(s) follow" in first


def test_a_draft_is_still_checked_so_that_validate_helps_the_review(seed):
    folder, registry, model = seed
    facts = folder / "facts.yaml"
    edit_text(
        facts, "    speaker: ren-zhengfei\n", "    draft: 'check: speaker'\n    speaker: ren\n"
    )
    problems = _problems(folder, registry, model)
    assert "unreviewed draft" in problems[0]
    assert any(
        "unknown entity 'ren'" in p and "did you mean 'ren-zhengfei' (Ren)?" in p for p in problems
    )


def test_the_draft_only_sections_alone_make_a_draft(seed):
    folder, registry, model = seed
    facts = folder / "facts.yaml"
    facts.write_text(facts.read_text() + "dates:\n  - {date: '2021-11-25'}\n", encoding="utf-8")
    assert "section 'dates' (the dates the text states" in _problems(folder, registry, model)[0]
