"""The one command dispatch: each command to its use case in order, a broken rule of any service rejecting
the message with the rule's stable code; and the one rule-violation type the services' domains share."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from contracts.events.card_commands import CardCommand, LiftCardBlock, SetSCode
from contracts.events.consent import ConsentCommand, RetireSegment
from services.bonus.domain.months import MonthNotEnded
from services.cards.domain.errors import CardRuleViolation
from services.consent.domain.errors import PersonErased, UnknownSegment
from services.membership.domain.errors import InvalidIban, MembershipRuleViolation, UnknownHousehold
from shared.commands import apply_each, command_of, dispatch
from shared.delivery import Rejected
from shared.rules import RuleViolation
from tests.support.factories import incoming

pytestmark = pytest.mark.unit

AT = "2031-05-01T10:00:00+00:00"
LIFT = LiftCardBlock(command="lift_card_block", card_number="6390001234567890", lifted_at=AT)
S_CODE = SetSCode(command="set_s_code", person_id="p1", s_code="matti.m", set_at=AT)


@pytest.mark.parametrize("violation, code", [
    (CardRuleViolation("s_code_taken", "another person has this S-code"), "s_code_taken"),
    (InvalidIban(), "invalid_iban"),
    (UnknownHousehold("why"), "unknown_household"),
    (PersonErased(), "person_erased"),
    (UnknownSegment("no segment 'x' was defined"), "unknown_segment"),
    (MonthNotEnded("2030-01 has not ended"), "month_not_ended"),
])
def test_every_service_s_broken_rule_is_a_rule_violation_with_its_code(violation, code):
    assert isinstance(violation, RuleViolation) and violation.code == code


def test_a_rule_violation_without_a_message_is_detailed_by_its_code():
    assert (PersonErased().detail, str(InvalidIban())) == ("person_erased", "invalid IBAN")
    assert MembershipRuleViolation("which part").reason == "which part"


def test_the_rule_violation_module_stays_as_pure_as_the_domains_importing_it():
    tree = ast.parse((Path(__file__).resolve().parents[3] / "shared" / "rules.py").read_text())
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert imported == {"__future__"}


def test_a_command_of_a_union_topic_is_its_root_and_a_handed_command_itself():
    assert command_of(incoming(CardCommand(LIFT))) is LIFT
    assert command_of(incoming(LIFT)) is LIFT


async def test_commands_go_to_their_use_cases_in_order_with_envelope_and_config():
    seen = []

    async def lift(conn, command, cause, config):
        seen.append(("lift", command, cause.id, config, conn))

    async def s_code(conn, command, cause, config):
        seen.append(("s_code", command, cause.id, config, conn))

    messages = [incoming(CardCommand(S_CODE), "e1"), incoming(CardCommand(LIFT), "e2"), incoming(S_CODE, "e3")]
    await dispatch("conn", messages, {LiftCardBlock: lift, SetSCode: s_code}, "config")
    assert seen == [("s_code", S_CODE, "e1", "config", "conn"), ("lift", LIFT, "e2", "config", "conn"),
                    ("s_code", S_CODE, "e3", "config", "conn")]


async def test_a_broken_rule_rejects_its_message_with_the_code_and_stops_the_batch():
    applied = []

    async def refuse_second(conn, command, cause, config):
        if cause.id == "e2":
            raise CardRuleViolation("card_blocked", "the card is blocked for good")
        applied.append(cause.id)

    messages = [incoming(ConsentCommand(RetireSegment(command="retire_segment", name="summer", retired_at=AT)), e)
                for e in ("e1", "e2", "e3")]
    with pytest.raises(Rejected) as rejected:
        await dispatch(None, messages, {RetireSegment: refuse_second}, None)
    assert (rejected.value.reason, rejected.value.detail, applied) == (
        "card_blocked", "the card is blocked for good", ["e1"])


async def test_a_failure_that_is_no_rule_is_not_a_rejection():
    async def fail(conn, message, extra):
        raise RuntimeError(extra)

    with pytest.raises(RuntimeError, match="database away"):
        await apply_each(None, [incoming(LIFT)], fail, "database away")


async def test_a_rule_without_a_message_is_rejected_with_its_code_as_detail():
    async def erased(conn, message):
        raise PersonErased()

    with pytest.raises(Rejected) as rejected:
        await apply_each(None, [incoming(LIFT)], erased)
    assert (rejected.value.reason, rejected.value.detail) == ("person_erased", "person_erased")
