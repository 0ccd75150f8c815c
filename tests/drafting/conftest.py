"""What the drafting tests share: the model, the fixture registry and a drafter of texts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from newskg.drafting import Draft, draft_facts
from newskg.inputs import load_registry
from newskg.inputs.entities import Registry
from newskg.model.schema import Model, load_model
from tests.conftest import FIXTURE_SEEDS, ROOT


@pytest.fixture(scope="session")
def model() -> Model:
    return load_model(ROOT / "ontology" / "model.yaml")


@pytest.fixture(scope="session")
def registry(model: Model) -> Registry:
    return load_registry(FIXTURE_SEEDS / "entities.yaml", model)


@pytest.fixture(scope="session")
def draft(model: Model, registry: Registry) -> Callable[..., Draft]:
    def make(text: str, **options: Any) -> Draft:
        return draft_facts(text, registry, model, **options)

    return make
