"""The card state event names the domain's kinds, statuses and block reasons by the contract's values:
`publish.card_state` passes each across as the contract's literal type, so the two sets must be the same."""
from typing import get_args

import pytest

from contracts.events import cards as contract
from services.cards.domain.card import BlockReason, CardStatus, CardType

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(("domain", "literal"), [(CardType, contract.CardType), (CardStatus, contract.CardStatus),
                                                 (BlockReason, contract.BlockReason)])
def test_the_domain_names_each_value_as_the_contract_does(domain, literal):
    assert {member.value for member in domain} == set(get_args(literal))
