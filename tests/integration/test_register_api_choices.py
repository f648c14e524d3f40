"""The customer's choice of e-receipts through the register API (issue 28) on the real PostgreSQL: set by the
customer in self-service and withdrawn by customer service for them, each the consent service's `set_choice`
staged sealed for the person and audited in the same transaction, carried out by the consent service from the
very command the API staged, and then in the person's consents, their consent state (which the purchases
service issues e-receipts by) and their register extract. Anyone else is refused, and the refusal audited."""
from __future__ import annotations

import pytest

from contracts.events.consent import ConsentCommand, SetChoice
from contracts.topics import CONSENT_STATES
from coopreg.simulate.person_history import seed_person_history
from services.consent.application.config import ConsentConfig
from tests.support.consent import commands, outbox_values, person_state, person_states
from tests.support.register_api import NOW, bearer, client_fixture, own_fixture, staged

client, own = client_fixture(), own_fixture()
CHOICE = "consents.choices.e_receipts"


@pytest.fixture(scope="module")
async def person(settings, pools):
    seeded = await seed_person_history(pools, settings, NOW, days=2)
    await person_states(pools["consent"], ConsentConfig.from_settings(settings),
                        person_state(seeded.person_id, household_id=seeded.household_id))
    return seeded


async def last_change(own, person_id: str):
    return await own.fetchrow("SELECT actor, action, operation, fields, purpose FROM audit.audit_log"
                              " WHERE $1 = ANY(person_ids) AND action = 'change' ORDER BY seq DESC LIMIT 1", person_id)


async def applied(settings, pools, own, change_id: str) -> SetChoice:
    """The command the API staged, carried out by the consent service as it takes it from its topic."""
    command, _ = await staged(own, settings, change_id)
    consent = ConsentCommand.model_validate(command)
    await commands(pools["consent"], ConsentConfig.from_settings(settings), consent)
    assert isinstance(consent.root, SetChoice)
    return consent.root


async def test_the_customer_chooses_e_receipts_and_customer_service_withdraws_them(client, settings, pools, own,
                                                                                  person):
    mine = bearer(settings, "data_subject", user=f"customer-{person.person_id}", person_id=person.person_id)
    chosen = client.put(f"/persons/{person.person_id}/choices", json={"choice": "e_receipts", "chosen": True},
                        headers=mine)
    assert chosen.status_code == 202, chosen.text
    assert (chosen.json()["change"]["command"], chosen.json()["change"]["fields"]) == ("set_choice", [CHOICE])
    command = await applied(settings, pools, own, chosen.json()["change"]["change_id"])
    assert (command.choice, command.chosen, command.source, command.actor) == (
        "e_receipts", True, "self_service", "customer")
    assert tuple(await last_change(own, person.person_id)) == (
        f"customer-{person.person_id}", "change", "set_choice", [CHOICE], "self_service")

    consents = client.get(f"/persons/{person.person_id}/consents", headers=mine).json()["consents"]
    assert consents["choices"] == {"e_receipts": True}
    assert any(r["item"] == "choice:e_receipts" and r["value"] and r["source"] == "self_service"
               for r in consents["receipts"])
    state = (await outbox_values(pools["consent"], CONSENT_STATES.name, person.person_id))[-1]
    assert state["choices"] == ["e_receipts"]  # what the purchases service issues e-receipts by
    request = client.post(f"/persons/{person.person_id}/extract-requests", headers=mine).json()["extract_request"]
    extract = client.get(f"/extract-requests/{request['request_id']}/document", headers=mine).json()
    assert extract["consents"]["choices"] == {"e_receipts": True}

    # customer service withdraws it for the customer on the phone, under their own (pseudonymous) name
    staff = bearer(settings, "customer_service", user="cs-anna")
    withdrawn = client.put(f"/persons/{person.person_id}/choices", json={"choice": "e_receipts", "chosen": False},
                           headers=staff)
    assert withdrawn.status_code == 202, withdrawn.text
    command = await applied(settings, pools, own, withdrawn.json()["change"]["change_id"])
    assert (command.chosen, command.source, command.collection_point) == (
        False, "customer_service", "register-api/customer-service")
    assert command.actor.startswith("staff:") and "cs-anna" not in command.actor
    assert tuple(await last_change(own, person.person_id)) == (
        "cs-anna", "change", "set_choice", [CHOICE], "customer_service")
    consents = client.get(f"/persons/{person.person_id}/consents", headers=staff).json()["consents"]
    assert consents["choices"] == {"e_receipts": False}
    assert (await outbox_values(pools["consent"], CONSENT_STATES.name, person.person_id))[-1]["choices"] == []


@pytest.mark.parametrize("role", ["finance", "marketing_analyst", "card_operations", "membership_admin", "auditor",
                                  "authority_requests", "operations"])
async def test_a_role_without_the_consent_scope_is_refused_and_the_refusal_audited(client, settings, own, person,
                                                                                 role):
    user = f"{role}-choices"
    refused = client.put(f"/persons/{person.person_id}/choices", json={"choice": "e_receipts", "chosen": True},
                         headers=bearer(settings, role, user=user))
    assert (refused.status_code, refused.json()["error"]) == (403, "forbidden")
    audit = await own.fetchrow("SELECT action, operation, person_ids FROM audit.audit_log WHERE actor = $1"
                               " ORDER BY seq DESC LIMIT 1", user)
    assert tuple(audit) == ("refused", "set_choice", [person.person_id])


async def test_a_customer_cannot_choose_for_another_person(client, settings, pools, own, person):
    other = await seed_person_history(pools, settings, NOW, days=1)
    staged_before = await own.fetchval("SELECT count(*) FROM outbox")
    refused = client.put(f"/persons/{person.person_id}/choices", json={"choice": "e_receipts", "chosen": True},
                         headers=bearer(settings, "data_subject", user="someone-else", person_id=other.person_id))
    assert (refused.status_code, refused.json()["error"]) == (403, "forbidden")
    assert await own.fetchval("SELECT count(*) FROM outbox") == staged_before  # nothing sent
    audit = await own.fetchrow("SELECT action, operation, person_ids FROM audit.audit_log WHERE actor = 'someone-else'"
                               " ORDER BY seq DESC LIMIT 1")
    assert tuple(audit) == ("refused", "set_choice", [person.person_id])


def test_an_unknown_choice_or_person_is_refused(client, settings, person):
    staff = bearer(settings, "customer_service")
    unknown = client.put(f"/persons/{person.person_id}/choices", json={"choice": "paper_receipts", "chosen": True},
                         headers=staff)
    assert (unknown.status_code, unknown.json()["error"]) == (422, "invalid_request")
    nobody = client.put("/persons/p-nobody-at-all/choices", json={"choice": "e_receipts", "chosen": True},
                        headers=staff)
    assert (nobody.status_code, nobody.json()["error"]) == (404, "not_found")
