"""The consent service's contracts: commands by their discriminator, segment definitions checked, the
register's update to S-Bank carrying only permissions, and the person state's new fields optional."""
from __future__ import annotations

import pytest
from pydantic import ValidationError

from contracts.events.consent import ConsentCommand, DefineSegment, SetPermission
from contracts.events.membership_states import PersonState
from contracts.events.sbank import MarketingPermissions, RegisterSbankUpdate
from contracts.topics import BY_NAME, CONSENT_COMMANDS, CONSENT_STATES

pytestmark = pytest.mark.unit

SET_BLOCK = {"command": "set_block", "person_id": "p-1", "block": "telemarketing", "blocked": True,
             "source": "self_service", "collection_point": "s-mobiili", "at": "2030-01-01T10:00:00+02:00"}
DEFINE = {"command": "define_segment", "name": "families-with-kids", "purpose": "marketing", "channel": "email",
          "criteria": {"cooperatives": ["hok-elanto"], "age_bands": ["35-44"]}, "attributes": ["age_band"],
          "defined_at": "2030-01-01T10:00:00+02:00"}


def test_a_consent_command_is_read_by_its_discriminator():
    command = ConsentCommand.model_validate(SET_BLOCK).root
    assert (command.block, command.blocked, command.actor) == ("telemarketing", True, "customer")
    assert ConsentCommand.model_validate(DEFINE).root.criteria.age_bands == ["35-44"]


@pytest.mark.parametrize("data, fragment", [
    ({**SET_BLOCK, "block": "everything"}, "block"),
    ({**SET_BLOCK, "at": "2030-01-01T10:00:00"}, "timezone"),
    ({**SET_BLOCK, "source": "guess"}, "source"),
    ({**DEFINE, "name": "Families"}, "name"),
    ({**DEFINE, "attributes": ["age_band", "age_band"]}, "twice"),
    ({**DEFINE, "attributes": ["first_name"]}, "attributes"),
    ({**DEFINE, "criteria": {"min_bonus_tier_bp": 400, "max_bonus_tier_bp": 100}}, "above"),
    ({**DEFINE, "purpose": "profiling"}, "purpose"),
])
def test_bad_consent_commands_are_schema_violations(data, fragment):
    with pytest.raises(ValidationError) as raised:
        ConsentCommand.model_validate(data)
    assert fragment in str(raised.value)


def test_the_topics_are_registered_with_their_keys_and_cleanup():
    assert BY_NAME["consent.commands.v1"] is CONSENT_COMMANDS and CONSENT_COMMANDS.cleanup == "delete"
    assert (CONSENT_STATES.key, CONSENT_STATES.cleanup, CONSENT_STATES.retention_ms) == ("person id", "compact", -1)


def test_the_registers_update_to_sbank_may_carry_only_permissions():
    update = RegisterSbankUpdate(update_id="consent-1", sbank_customer_ref="SB-0012345", causation_id="c-1",
                                 permissions=MarketingPermissions(email=False),
                                 source_time="2030-01-01T10:00:00+02:00")
    assert update.model_dump(exclude_none=True, exclude_defaults=True).keys() == {
        "update_id", "sbank_customer_ref", "causation_id", "permissions", "source_time"}


def test_a_person_state_published_before_the_consent_fields_still_reads():
    old = {"person_id": "p-1", "version": 1, "customer_kind": "other_customer", "language": "fi", "deceased": False,
           "marketing_prohibition": False, "sbank_customer": False, "staff_discount": False}
    state = PersonState.model_validate(old)
    assert (state.address_protection, state.home_municipality, state.sbank_customer_ref) == (None, None, None)


def test_set_permission_defaults_the_actor_to_the_customer():
    assert SetPermission(person_id="p", channel="sms", granted=False, source="customer_service",
                         collection_point="customer-service/phone", at="2030-01-01T10:00:00Z").actor == "customer"
    with pytest.raises(ValidationError):
        DefineSegment.model_validate({**DEFINE, "channel": "fax"})
