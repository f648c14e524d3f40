"""The refusal of relationship messages to the mobile phone (seed §12, issue 28) on the real PostgreSQL: set by
the customer in self-service or by customer service through the register API, carried out by the consent
service from the very command the API staged, in the person's data and extract, and honoured in what is
published: the person leaves every SMS segment (customer-relationship messages too) but no e-mail one, and
their consent state names the block for any sender that reads it."""
from __future__ import annotations

from contracts.events.consent import ConsentCommand
from contracts.topics import CONSENT_STATES
from coopreg.simulate.person_history import seed_person_history
from services.consent.application.config import ConsentConfig
from tests.support.consent import (
    commands,
    defined,
    outbox_values,
    permission,
    person_state,
    person_states,
    segment,
    segment_view,
    unique,
)
from tests.support.register_api import NOW, bearer, client_fixture, own_fixture, staged

client, own = client_fixture(), own_fixture()


async def test_a_refusal_of_mobile_messages_takes_the_person_out_of_sms_segments_only(client, settings, pools, own):
    config, pool = ConsentConfig.from_settings(settings), pools["consent"]
    person = await seed_person_history(pools, settings, NOW, days=3)
    await person_states(pool, config, person_state(person.person_id, household_id=person.household_id))
    await commands(pool, config, permission(person.person_id, 0, channel="sms"),
                   permission(person.person_id, 0, channel="email"))
    sms, email, offers = unique("relationship-sms"), unique("relationship-email"), unique("offers-sms")
    for name, purpose, channel in ((sms, "customer_relationship", "sms"), (email, "customer_relationship", "email"),
                                   (offers, "marketing", "sms")):
        await defined(pool, config, segment(name, purpose=purpose, channel=channel))
    placed = dict(await pool.fetch("SELECT segment, pseudonym FROM segment_members WHERE person_id = $1",
                                   person.person_id))
    assert {sms, email, offers} <= set(placed)
    assert placed[sms] in await segment_view(pool, sms)

    # the customer refuses in self-service; the consent service applies the command the API staged
    mine = bearer(settings, "data_subject", person_id=person.person_id)
    refused = client.put(f"/persons/{person.person_id}/blocks", json={"block": "mobile_messages", "blocked": True},
                         headers=mine)
    assert refused.status_code == 202, refused.text
    command, _ = await staged(own, settings, refused.json()["change"]["change_id"])
    assert ConsentCommand.model_validate(command).root.source == "self_service"
    await commands(pool, config, ConsentCommand.model_validate(command))

    pseudonyms = dict(await pool.fetch("SELECT segment, pseudonym FROM segment_members WHERE person_id = $1",
                                       person.person_id))
    assert set(pseudonyms) & {sms, email, offers} == {email}  # out of both SMS segments, still in the e-mail one
    for name in (sms, offers):  # a tombstone under their pseudonym: the sender drops them
        assert (await outbox_values(pool, f"marketing.segment.{name}.v1", placed[name]))[-1] is None
        assert placed[name] not in await segment_view(pool, name)
    assert placed[email] in await segment_view(pool, email)
    state = (await outbox_values(pool, CONSENT_STATES.name, person.person_id))[-1]
    assert "mobile_messages" in state["blocks"]

    # in the person's data and extract, as the customer sees it
    consents = client.get(f"/persons/{person.person_id}/consents", headers=mine).json()["consents"]
    assert consents["blocks"]["mobile_messages"] is True
    assert any(r["item"] == "block:mobile_messages" and r["value"] for r in consents["receipts"])
    # customer service lifts it for the customer on the phone: they are back in the relationship SMS segment
    lifted = client.put(f"/persons/{person.person_id}/blocks", json={"block": "mobile_messages", "blocked": False},
                        headers=bearer(settings, "customer_service", "cs-anna"))
    assert lifted.status_code == 202
    command, _ = await staged(own, settings, lifted.json()["change"]["change_id"])
    await commands(pool, config, ConsentCommand.model_validate(command))
    back = {r["segment"] for r in await pool.fetch("SELECT segment FROM segment_members WHERE person_id = $1",
                                                   person.person_id)}
    assert {sms, email, offers} <= back
