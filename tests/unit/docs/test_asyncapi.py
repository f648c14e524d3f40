"""The AsyncAPI documents in docs/asyncapi/ are the ones the services generate today."""
from __future__ import annotations

import pytest
import yaml

from coopreg.asyncapi import DOCS, render
from services.registry import SERVICES

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_committed_asyncapi_document_matches_the_service(name):
    committed = DOCS / f"{name}.yaml"
    assert committed.exists(), "run `coopreg docs`"
    assert committed.read_text() == render(SERVICES[name]), "the service changed: run `coopreg docs`"


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_every_message_has_a_real_payload_schema(name):
    spec = yaml.safe_load(render(SERVICES[name]))
    for message in spec["components"]["messages"].values():
        model = message["payload"]["$ref"].rsplit("/", 1)[1]
        assert spec["components"]["schemas"][model]["type"] == "object"
