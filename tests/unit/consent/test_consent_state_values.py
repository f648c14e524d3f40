"""The consent state names the domain's blocks and choices by the contract's values: `settle.consent_state`
passes them across as the contract's literal types, so the two sets must be the same."""
from typing import get_args

import pytest

from contracts.events.consent import Block, Choice
from services.consent.domain.consent import BLOCKS, CHOICES

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(("domain", "literal"), [(BLOCKS, Block), (CHOICES, Choice)])
def test_the_domain_names_each_value_as_the_contract_does(domain, literal):
    assert set(domain) == set(get_args(literal))
