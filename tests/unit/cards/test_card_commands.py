"""`cards.commands.v1` carries a union of card commands; what producers sent before it still passes."""
import json

import pytest
from pydantic import ValidationError

from contracts.events.card_commands import (
    BlockCard,
    CardCommand,
    ExpireCards,
    IssueDigitalToken,
    LiftCardBlock,
    ReallocateCards,
    RegisterMemberNumber,
    ReplaceCard,
    SetCustomerCode,
    SetSCode,
)
from contracts.events.cards import IssueCard
from contracts.topics import CARD_COMMANDS
from shared.delivery import describe_validation

pytestmark = pytest.mark.unit

NUMBER, OTHER = "9246000000000018", "9246000000000026"
AT = "2030-05-01T12:00:00+03:00"
LEGACY_ISSUE = {"card_number": NUMBER, "card_type": "visa_debit", "person_id": "p-1", "household_id": "hh-1",
                "cooperative_id": "hok-elanto", "membership_id": "m-1", "valid_from": AT}
COMMANDS = [
    (IssueCard, {**LEGACY_ISSUE, "command": "issue_card"}),
    (IssueDigitalToken, {"command": "issue_digital_token", "token_number": OTHER, "parent_card_number": NUMBER,
                         "issued_at": AT}),
    (BlockCard, {"command": "block_card", "card_number": NUMBER, "reason": "stolen", "blocked_at": AT}),
    (LiftCardBlock, {"command": "lift_card_block", "card_number": NUMBER, "lifted_at": AT}),
    (ReplaceCard, {"command": "replace_card", "card_number": NUMBER, "new_card_number": OTHER, "replaced_at": AT}),
    (ExpireCards, {"command": "expire_cards", "as_of": AT}),
    (ReallocateCards, {"command": "reallocate_cards", "person_id": "p-1", "household_id": "hh-2",
                       "accepted_at": AT}),
    (RegisterMemberNumber, {"command": "register_member_number", "member_number": "1234567897", "person_id": "p-1",
                            "household_id": "hh-1", "cooperative_id": "hok-elanto", "membership_id": "m-1",
                            "valid_from": AT}),
    (SetCustomerCode, {"command": "set_customer_code", "person_id": "p-1", "customer_code": "0420", "set_at": AT}),
    (SetSCode, {"command": "set_s_code", "person_id": "p-1", "s_code": "maija@example.fi", "set_at": AT}),
]


def test_the_commands_topic_carries_the_union():
    assert CARD_COMMANDS.model is CardCommand


@pytest.mark.parametrize(("model", "data"), COMMANDS, ids=[model.__name__ for model, _ in COMMANDS])
def test_each_command_is_told_apart_by_its_name(model, data):
    command = CardCommand.model_validate(data).root
    assert type(command) is model
    assert CardCommand.model_validate_json(CardCommand(command).model_dump_json()).root == command


def test_an_issue_card_sent_before_the_union_existed_is_still_an_issue_card():
    command = CardCommand.model_validate_json(json.dumps(LEGACY_ISSUE)).root
    assert isinstance(command, IssueCard) and command.command == "issue_card"


@pytest.mark.parametrize(("data", "location"), [
    ({"command": "block_card", "card_number": "4111-1111", "reason": "lost", "blocked_at": AT},
     "block_card.card_number"),
    ({"command": "block_card", "card_number": NUMBER, "reason": "temporary_block_lapsed", "blocked_at": AT},
     "block_card.reason"),
    ({"command": "lift_card_block", "card_number": NUMBER, "lifted_at": "2030-05-01T12:00:00"},
     "lift_card_block.lifted_at"),
    ({"command": "set_customer_code", "person_id": "p-1", "customer_code": "12345", "set_at": AT},
     "set_customer_code.customer_code"),
    ({"command": "shred_card", "card_number": NUMBER}, "message"),
    ({**LEGACY_ISSUE, "card_type": "member_number"}, "issue_card.card_type"),
])
def test_malformed_commands_are_schema_violations_naming_the_field(data, location):
    with pytest.raises(ValidationError) as raised:
        CardCommand.model_validate(data)
    assert describe_validation(raised.value).startswith(location)


def test_secrets_never_show_in_a_commands_repr_or_its_validation_errors():
    issue = CardCommand.model_validate(LEGACY_ISSUE).root
    code = CardCommand.model_validate(COMMANDS[8][1]).root
    assert NUMBER not in repr(issue) and "0420" not in repr(code)
    with pytest.raises(ValidationError) as raised:
        CardCommand.model_validate({**COMMANDS[8][1], "customer_code": "04200"})
    assert "04200" not in describe_validation(raised.value)
