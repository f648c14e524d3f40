"""The service client's typed `ask` pairs each query name with its request and answer models as QUERIES does
(the client validates the answer by QUERIES; the use cases read it by the overload's type), so the two must say
the same."""
from typing import get_args, get_overloads, get_type_hints

import pytest

from contracts.subjects import QUERIES
from services.register_api.adapters.services import ServiceClient

pytestmark = pytest.mark.unit


def test_each_query_is_typed_with_the_models_queries_names():
    typed = {}
    for variant in get_overloads(ServiceClient.ask):
        hints = get_type_hints(variant)
        for name in get_args(hints["name"]):
            assert name not in typed, f"{name} is typed twice"
            typed[name] = (hints["query"], hints["return"])
    assert typed == QUERIES
