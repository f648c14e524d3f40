"""The data subject's rights on the real PostgreSQL: an extract with every service's part (compared with what
the services hold), the retention run over data aged past two years, and erasure proven on the tables and on
what goes to the topics (the consent service's outbox: the tombstones of the consent state and the segments)."""
from __future__ import annotations

from datetime import timedelta

import orjson

from contracts.events.consent import ConsentCommand, SetBlock
from contracts.events.digital import CustomerContact
from contracts.events.marketing import segment_topic
from contracts.events.membership import Resign
from contracts.topics import CONSENT_STATES, MEMBERSHIP_PERSONS
from coopreg.simulate.person_history import seed_person_history
from services.consent.application.config import ConsentConfig
from services.consent.application.erase_person import suppression_tokens
from services.digital.application.config import DigitalConfig
from services.digital.application.inbound import apply_contacts
from services.membership.application.config import MembershipConfig
from tests.support.consent import (
    block,
    commands,
    defined,
    outbox_values,
    permission,
    person_state,
    person_states,
    unique,
)
from tests.support.consent import segment as segment_definition
from tests.support.factories import incoming
from tests.support.membership_db import run
from tests.support.people import register
from tests.support.privacy import hand_on
from tests.support.register_api import NOW, bearer, client_fixture, own_fixture, schema_text
from tests.support.retention import handed_on_retention_run

DPO = "data_protection_officer"


client = client_fixture()
own = own_fixture()


async def _with_consent(pools, settings, person) -> tuple[str, str]:
    """The person as the consent service knows them: a permission, a block on surveys, in a segment; returns
    the segment's name and the person's S-Bank reference."""
    config, name, ref = ConsentConfig.from_settings(settings), unique("rights"), unique("SB")
    await person_states(pools["consent"], config, person_state(person.person_id, household_id=person.household_id,
                                                               sbank_customer_ref=ref))
    await commands(pools["consent"], config, permission(person.person_id, 0), block(person.person_id, "surveys", 1))
    await defined(pools["consent"], config, segment_definition(name))
    return name, ref


async def test_the_extract_holds_every_services_part_of_the_person(client, settings, pools):
    person = await seed_person_history(pools, settings, NOW, days=60)
    segment, ref = await _with_consent(pools, settings, person)
    mine = bearer(settings, "data_subject", person_id=person.person_id)
    request = client.post(f"/persons/{person.person_id}/extract-requests", headers=mine)
    assert request.status_code == 201
    tracked = request.json()["extract_request"]
    assert tracked["status"] == "ready" and tracked["deadline"] > tracked["requested_at"]
    extract = client.get(f"/extract-requests/{tracked['request_id']}/document", headers=mine).json()
    # each part as the service holds it
    receipts = await pools["purchases"].fetch("SELECT receipt_id FROM receipts WHERE person_id = $1", person.person_id)
    bookings = await pools["bonus"].fetch("SELECT receipt_id FROM purchases WHERE person_id = $1", person.person_id)
    cards = await pools["cards"].fetch("SELECT card_token FROM cards WHERE person_id = $1", person.person_id)
    memberships = await pools["membership"].fetch("SELECT membership_id FROM memberships WHERE person_id = $1",
                                                  person.person_id)
    email = await pools["membership"].fetchval("SELECT value FROM base_data WHERE person_id = $1 AND field_group ="
                                               " 'email' AND ended_at IS NULL", person.person_id)
    assert sorted(p["receipt_id"] for p in extract["purchases"]) == sorted(r["receipt_id"] for r in receipts)
    assert len(extract["purchases"]) == len(person.receipts) > 50
    assert sorted(b["receipt_id"] for b in extract["bonus"]["bookings"]) == sorted(r["receipt_id"] for r in bookings)
    assert [c["card_token"] for c in extract["cards"]] == [r["card_token"] for r in cards]
    assert [m["membership_id"] for m in extract["memberships"]] == [r["membership_id"] for r in memberships]
    assert extract["contact"]["email"] == orjson.loads(email)
    assert extract["person"]["identity_code"] == person.identity_code
    assert extract["benefit_account"][0]["iban"].startswith("FI")
    assert extract["household"]["household_id"] == person.household_id
    receipts_held = await pools["consent"].fetch("SELECT item, value FROM consent_receipts WHERE person_id = $1"
                                                 " ORDER BY item", person.person_id)
    members = await pools["consent"].fetch("SELECT segment, pseudonym FROM segment_members WHERE person_id = $1",
                                           person.person_id)
    assert sorted((r["item"], r["value"]) for r in extract["consents"]["receipts"]) == sorted(
        tuple(r) for r in receipts_held)
    assert extract["consents"]["blocks"]["surveys"] is True and extract["consents"]["permissions"]["email"] is True
    # every segment the person is published in (segments other tests defined may hold them too)
    assert sorted((m["segment"], m["pseudonym"]) for m in extract["segments"]["published_in"]) == \
        sorted(tuple(r) for r in members)
    assert segment in [m["segment"] for m in extract["segments"]["published_in"]]
    assert extract["segments"]["facts"]["sbank_customer_ref"] == ref and "consent" in extract["extract"]["sources"]
    html = client.get(f"/extract-requests/{tracked['request_id']}/document", params={"format": "html"}, headers=mine)
    assert html.headers["content-type"].startswith("text/html") and "Meikäläinen" in html.text
    assert person.receipts[0] in html.text
    someone_else = bearer(settings, "data_subject", person_id="p-someone-else")
    assert client.get(f"/extract-requests/{tracked['request_id']}/document", headers=someone_else).status_code == 404


async def _age_history(pools, person, years: int = 3) -> None:
    """Move the person's ended contact data and a paid month past the retention period."""
    old = NOW - timedelta(days=365 * years)
    await pools["membership"].execute(
        "INSERT INTO base_data (person_id, field_group, value, source, source_time, ended_at)"
        " VALUES ($1, 'email', '{\"address\": \"old@example.fi\"}', 'customer', $2, $2)", person.person_id, old)
    await pools["bonus"].execute(
        "INSERT INTO statements (household_id, month, cooperative_id, tier_table, rate_bp, tier_total_cents,"
        " bonus_cents, fuel_bonus_cents, payment_method_benefit_cents, payouts)"
        " VALUES ($1, date_trunc('month', $2::timestamptz)::date, 'hok-elanto', 'common', 100, 10000, 100, 0, 5, 1)",
        person.household_id, old)


async def _blocks_set_and_lifted(pools, settings, person) -> None:
    """Surveys blocked and lifted about three years ago; telemarketing blocked and lifted last month."""
    config, old, recent = ConsentConfig.from_settings(settings), NOW - timedelta(days=1100), NOW - timedelta(days=30)
    await person_states(pools["consent"], config, person_state(person.person_id, household_id=person.household_id))
    changes = [("surveys", True, old), ("surveys", False, old + timedelta(days=30)), ("telemarketing", True, recent),
               ("telemarketing", False, recent + timedelta(days=1))]
    await commands(pools["consent"], config, *[ConsentCommand(SetBlock(
        person_id=person.person_id, block=name, blocked=blocked, source="customer_service", actor="anna",
        collection_point="asiakaspalvelu", at=at)) for name, blocked, at in changes])


async def test_the_retention_run_erases_what_is_past_two_years_and_only_that(client, settings, pools, own):
    person = await seed_person_history(pools, settings, NOW, days=800)
    await _age_history(pools, person)
    await _blocks_set_and_lifted(pools, settings, person)
    cutoff = NOW - timedelta(days=731)
    report = await handed_on_retention_run(client, settings, own, pools)
    assert report["erased"]["purchases"]["purchases"] >= 60 and report["erased"]["bonus"]["purchases"] >= 60
    assert report["erased"]["bonus"]["paid_bonus"] >= 1 and report["erased"]["membership"]["ended_contact_data"] >= 1
    assert report["kept"] == ["membership_records", "contribution_records"]
    left = await pools["purchases"].fetch("SELECT purchased_at FROM receipts WHERE person_id = $1", person.person_id)
    assert left and min(r["purchased_at"] for r in left) >= cutoff - timedelta(days=1)
    assert not await pools["bonus"].fetchval("SELECT count(*) FROM purchases WHERE person_id = $1 AND purchased_at"
                                             " < $2", person.person_id, cutoff - timedelta(days=1))
    assert "old@example.fi" not in await schema_text(pools["membership"], "membership")
    assert await pools["membership"].fetchval("SELECT count(*) FROM base_data WHERE person_id = $1 AND field_group ="
                                              " 'email'", person.person_id) == 1
    # a service block lifted over two years ago goes; its lifting (in force) and the recent ones stay
    assert report["erased"]["consent"]["service_blocks"] >= 1
    receipts = await pools["consent"].fetch("SELECT item, value FROM consent_receipts WHERE person_id = $1"
                                            " ORDER BY item, source_time", person.person_id)
    assert [(r["item"], r["value"]) for r in receipts] == [
        ("block:surveys", False), ("block:telemarketing", True), ("block:telemarketing", False)]
    again = await handed_on_retention_run(client, settings, own, pools)
    assert again["erased"]["purchases"]["purchases"] == 0 and again["persons_erasure_requested"] == 0
    assert again["erased"]["consent"]["service_blocks"] == 0
    runs = client.get("/retention/runs", headers=bearer(settings, DPO)).json()["items"]
    assert runs[0]["retention"]["run_id"] == again["run_id"]


async def _everywhere(pools) -> str:
    return " ".join([await schema_text(pools[name], name, in_flight=False)
                     for name in ("membership", "cards", "purchases", "bonus", "consent", "digital")])


async def test_an_erased_person_cannot_be_read_back_from_the_tables(client, settings, pools, own):
    person = await seed_person_history(pools, settings, NOW, days=20)
    segment, ref = await _with_consent(pools, settings, person)
    placed = await pools["consent"].fetch("SELECT segment, pseudonym FROM segment_members WHERE person_id = $1",
                                          person.person_id)
    assert segment in {r["segment"] for r in placed}
    contact = CustomerContact(contact_id=unique("c"), person_id=person.person_id, channel="chat",
                              reason="address_change",
                              handler="cs-anna", contacted_at=NOW, notes=f"New street {person.street}")
    async with pools["digital"].acquire() as conn, conn.transaction():
        await apply_contacts(conn, [incoming(contact)], DigitalConfig.from_settings(settings))
    config = MembershipConfig.from_settings(settings)
    extract = client.post(f"/persons/{person.person_id}/extract-requests", headers=bearer(settings, DPO)).json()
    refused = client.post(f"/persons/{person.person_id}/erasure", headers=bearer(settings, DPO))
    assert (refused.status_code, refused.json()["error"]) == (409, "relationship_active")
    await run(pools["membership"], config, Resign(person_id=person.person_id, resigned_at=NOW))
    requested = client.post(f"/persons/{person.person_id}/erasure", headers=bearer(settings, DPO))
    assert requested.status_code == 202, requested.text
    request_id = requested.json()["erasure"]["request_id"]
    assert {s["status"] for s in requested.json()["erasure"]["services"].values()} == {"pending"}
    await hand_on(settings, own, pools)
    erased = client.get(f"/erasures/{request_id}", headers=bearer(settings, DPO))
    assert erased.json()["erasure"]["status"] == "completed", erased.text
    report = (await own.fetchval("SELECT report::text FROM erasures WHERE person_id = $1", person.person_id))
    report = orjson.loads(report)
    assert report["key_destroyed"] is True
    left = await _everywhere(pools)
    for trace in (person.email, person.phone, person.street,
                  person.household_id + " ", person.identity_code, ref):
        assert trace not in left
    # A receipt's id alone outlives the erasure (purchases migration 014), so that a late copy is dropped as
    # seen: its row there, with no content and nothing naming a person, is the one place it stands.
    kept = await pools["purchases"].fetch("SELECT * FROM receipt_ids WHERE receipt_id = $1", person.receipts[0])
    assert [(list(r.keys()), r["content_hash"]) for r in kept] == [(["receipt_id", "purchased_at", "content_hash"],
                                                                     None)]
    assert left.count(person.receipts[0]) == 1 and f"({person.receipts[0]}," in left
    for schema, table in (("cards", "cards"), ("purchases", "receipts"), ("bonus", "purchases"),
                          ("membership", "base_data"), ("consent", "consent_receipts"), ("consent", "consent_items"),
                          ("consent", "segment_members"),
                          ("digital", "contact_log")):
        rows = await pools[schema].fetch(f"SELECT * FROM {table} WHERE person_id = $1", person.person_id)
        assert [r.get("field_group") for r in rows] == ([] if table != "base_data" else ["name"]), table
    # the topics: the person's consent state and their place in every segment get tombstones
    for row in placed:
        assert (await outbox_values(pools["consent"], segment_topic(row["segment"]), row["pseudonym"]))[-1] is None
    assert (await outbox_values(pools["consent"], CONSENT_STATES.name, person.person_id))[-1] is None
    # membership's person state ends in a tombstone, staged in the erasure's transaction, the last word
    states = await outbox_values(pools["membership"], MEMBERSHIP_PERSONS.name, person.person_id)
    assert states[0] is not None and states[-1] is None
    assert report["membership"]["person_state_tombstoned"] == 1
    assert report["digital"]["contact_log"] == 1  # the sixth service's report, with the other five
    assert set(report) >= {"membership", "cards", "purchases", "bonus", "consent", "digital"}
    # what they prohibited survives as a suppression under keyed tokens, and follows S-Bank's reference
    consent = {k: v for k, v in report["consent"].items() if k != "disclosures"}
    assert consent == {"rows": 4, "segments_left": len(placed), "suppression_kept": 1}
    # every segment delivery and S-Bank update was logged as a disclosure, and the log went with the rest
    assert report["consent"]["disclosures"] >= len(placed) + 1
    tokens = suppression_tokens(ConsentConfig.from_settings(settings), person.person_id, ref)
    kept = await pools["consent"].fetch("SELECT kind, blocks FROM marketing_suppressions WHERE token = ANY($1)"
                                        " ORDER BY kind", list(tokens.values()))
    assert [(r["kind"], r["blocks"]) for r in kept] == [("person", ["surveys"]), ("sbank_customer", ["surveys"])]
    returning = unique("p")
    await person_states(pools["consent"], ConsentConfig.from_settings(settings),
                        person_state(returning, sbank_customer_ref=ref))
    assert await pools["consent"].fetchval("SELECT value FROM consent_items WHERE person_id = $1 AND item ="
                                           " 'block:surveys'", returning) is True
    # the member register stays, as the Co-operatives Act requires; the earlier extract is unreadable
    assert await pools["membership"].fetchval("SELECT count(*) FROM memberships WHERE person_id = $1",
                                              person.person_id) == 1
    document = client.get(f"/extract-requests/{extract['extract_request']['request_id']}/document",
                          headers=bearer(settings, DPO))
    assert (document.status_code, document.json()["error"]) == (409, "person_erased")
    view = client.get(f"/persons/{person.person_id}", headers=bearer(settings, DPO)).json()
    assert view["contact"]["email"] is None and view["cards"] == [] and view["purchases"] == []
    change = client.patch(f"/persons/{person.person_id}/contact", json={"language": "sv"},
                          headers=bearer(settings, "customer_service"))
    assert (change.status_code, change.json()["error"]) == (409, "person_erased")


async def test_the_retention_run_erases_a_person_whose_relationship_ended_over_two_years_ago(client, settings, pools,
                                                                                             own):
    person = await seed_person_history(pools, settings, NOW - timedelta(days=1000), days=30)
    await run(pools["membership"], MembershipConfig.from_settings(settings),
              Resign(person_id=person.person_id, resigned_at=NOW - timedelta(days=900)))
    report = await handed_on_retention_run(client, settings, own, pools)
    assert report["persons_erasure_requested"] >= 1
    assert await pools["membership"].fetchval("SELECT erased_at IS NOT NULL FROM persons WHERE person_id = $1",
                                              person.person_id)
    assert not await pools["cards"].fetchval("SELECT count(*) FROM cards WHERE person_id = $1", person.person_id)
    assert person.email not in await schema_text(pools["membership"], "membership")
    assert (await outbox_values(pools["membership"], MEMBERSHIP_PERSONS.name, person.person_id))[-1] is None


async def test_the_retention_run_erases_a_customer_who_never_joined_two_years_after_their_last_activity(
        client, settings, pools, own):
    config = MembershipConfig.from_settings(settings)
    idle, recent = register(registered_at=NOW - timedelta(days=800)), register(registered_at=NOW - timedelta(days=600))
    await run(pools["membership"], config, idle, recent)
    assert (await handed_on_retention_run(client, settings, own, pools))["persons_erasure_requested"] >= 1
    left = await pools["membership"].fetch("SELECT person_id FROM persons WHERE person_id = ANY($1)",
                                           [idle.person_id, recent.person_id])
    assert [r["person_id"] for r in left] == [recent.person_id]
