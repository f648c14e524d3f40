"""The membership commands: one topic, told apart by `command`; bad values left to the service's rules."""
from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from contracts.events.membership import JoinCooperative, MembershipCommand, RegisterCustomer
from contracts.schemas import topic_schema
from contracts.topics import BY_NAME

pytestmark = pytest.mark.unit

REGISTER = {"command": "register_customer", "person_id": "p-1", "identity_code": "131052-308T",
            "name": {"first_names": "Maija", "last_name": "Meikäläinen"}, "registered_at": "2030-01-01T10:00:00+02:00"}


def test_a_command_is_read_by_its_discriminator():
    command = MembershipCommand.model_validate(REGISTER).root
    assert isinstance(command, RegisterCustomer) and command.language == "fi"


def test_a_command_round_trips_as_plain_json():
    join = JoinCooperative(person_id="p-1", cooperative_id="hok-elanto", membership_id="m-1", household_id="h-1",
                           first_payment_id="pay-1", first_payment_cents=2000,
                           joined_at="2030-01-01T10:00:00+02:00")
    assert MembershipCommand.model_validate_json(join.model_dump_json()).root == join


@pytest.mark.parametrize("data, fragment", [
    ({**REGISTER, "command": "adopt"}, "does not match any of the expected tags"),
    ({k: v for k, v in REGISTER.items() if k != "command"}, "Unable to extract tag"),
    ({**REGISTER, "iban": "FI2112345600000785"}, "Extra inputs"),
    ({**REGISTER, "registered_at": "2030-01-01T10:00:00"}, "timezone"),
])
def test_bad_commands_are_schema_violations(data, fragment):
    with pytest.raises(ValidationError) as raised:
        MembershipCommand.model_validate(data)
    assert fragment in str(raised.value)


@pytest.mark.parametrize("data, command", [
    ({"command": "register_with_partner", "person_id": "p-1", "partner_id": "elisa",
      "valid_from": "2030-01-01T10:00:00+02:00"}, "RegisterWithPartner"),
    ({"command": "leave_supporter_group", "person_id": "p-1", "group_id": "Not A Slug",
      "left_at": "2030-01-01T10:00:00+02:00"}, "LeaveSupporterGroup"),
    ({"command": "set_household_group", "household_id": "h-1", "valid_from": "2030-01-01T10:00:00+02:00"},
     "SetHouseholdGroup"),
])
def test_registration_commands_leave_ids_for_the_service_to_check(data, command):
    assert type(MembershipCommand.model_validate(data).root).__name__ == command


def test_a_wrong_identity_code_passes_the_schema_for_the_service_to_name_it():
    assert MembershipCommand.model_validate({**REGISTER, "identity_code": "131052-308U"})


def test_the_published_schema_is_an_object_of_the_commands_fields():
    schema = topic_schema(BY_NAME["membership.commands.v1"])
    assert schema["type"] == "object" and schema["additionalProperties"] is False
    assert {"command", "identity_code", "first_payment_cents", "invitation_id"} <= set(schema["properties"])
    assert len(schema["oneOf"]) == 17
    assert {"partner_id", "group_id", "valid_from", "valid_to", "household_id"} <= set(schema["properties"])
    json.dumps(schema)
