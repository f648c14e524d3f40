"""Changes through the register API: the same commands the services take, staged in the API's outbox sealed
for the person, audited in the same transaction; the audit log itself cannot be altered."""
from __future__ import annotations

import asyncpg
import pytest

from contracts.events.consent import ConsentCommand
from contracts.events.membership import MembershipCommand
from coopreg.simulate.person_history import seed_person_history
from shared.subject_keys import HEADER
from tests.support.register_api import NOW, bearer, client_fixture, own_fixture, staged


@pytest.fixture(scope="module")
async def person(settings, pools):
    return await seed_person_history(pools, settings, NOW, days=3)


client, own = client_fixture(), own_fixture()


async def test_a_rectification_is_the_membership_command_sealed_for_the_person(client, settings, person, own):
    response = client.patch(f"/persons/{person.person_id}/contact", json={"email": "maija.new@example.fi"},
                            headers=bearer(settings, "data_subject", person_id=person.person_id))
    assert response.status_code == 202, response.text
    change = response.json()["change"]
    command, headers = await staged(own, settings, change["change_id"])
    assert MembershipCommand.model_validate(command).root.email == "maija.new@example.fi"
    assert b"maija.new" not in headers["value"] and headers[HEADER] == person.person_id
    audit = await own.fetchrow("SELECT * FROM audit.audit_log WHERE operation = 'rectify_contact_data'"
                               " AND $1 = ANY(person_ids)"
                               " ORDER BY seq DESC LIMIT 1", person.person_id)
    assert (audit["action"], audit["fields"], audit["purpose"]) == ("change", ["contact.email"], "self_service")


async def test_blocks_permissions_and_the_marketing_prohibition_are_published(client, settings, person, own):
    staff = bearer(settings, "customer_service", user="anna")
    block = client.put(f"/persons/{person.person_id}/blocks", json={"block": "telemarketing", "blocked": True},
                       headers=staff)
    permission = client.put(f"/persons/{person.person_id}/permissions", json={"channel": "sms", "granted": False},
                            headers=staff)
    prohibition = client.put(f"/persons/{person.person_id}/marketing-prohibition", json={"prohibited": True},
                             headers=staff)
    assert [r.status_code for r in (block, permission, prohibition)] == [202, 202, 202]
    command, _ = await staged(own, settings, block.json()["change"]["change_id"])
    assert ConsentCommand.model_validate(command).root.source == "customer_service"
    command, _ = await staged(own, settings, prohibition.json()["change"]["change_id"])
    assert MembershipCommand.model_validate(command).root.marketing_prohibition is True


def test_invalid_contact_data_are_refused_with_the_services_reason(client, settings, person):
    response = client.patch(f"/persons/{person.person_id}/contact", json={"mobile_phone": "12"},
                            headers=bearer(settings, "customer_service"))
    assert (response.status_code, response.json()["error"]) == (422, "invalid_phone")


def test_a_role_without_the_change_scope_cannot_change(client, settings, person):
    for role in ("finance", "marketing_analyst", "auditor", "card_operations"):
        response = client.patch(f"/persons/{person.person_id}/contact", json={"language": "sv"},
                                headers=bearer(settings, role))
        assert response.status_code == 403, role


def test_household_commands_need_a_household(client, settings, person):
    leave = client.post(f"/persons/{person.person_id}/household/leave", headers=bearer(settings, "customer_service"))
    assert leave.status_code == 202  # the main member's own household: the membership service decides
    accept = client.post(f"/persons/{person.person_id}/household/invitations/inv-unknown/accept",
                         headers=bearer(settings, "customer_service"))
    assert (accept.status_code, accept.json()["error"]) == (409, "unknown_invitation")


@pytest.mark.parametrize("statement", ["UPDATE audit.audit_log SET actor = 'nobody'", "DELETE FROM audit.audit_log",
                                       "TRUNCATE audit.audit_log"])
async def test_the_audit_log_cannot_be_altered(own, statement):
    async with own.acquire() as conn:
        await conn.execute("INSERT INTO audit.audit_log (actor, roles, action, operation, person_ids, fields, purpose)"
                           " VALUES ('t', '{}', 'read', 't', '{}', '{}', 'audit')")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.execute(statement)
