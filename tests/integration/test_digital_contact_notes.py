"""The contact log's notes under the person's own key, on the real PostgreSQL: customer service's free text is
sealed for the person (shared/subject_keys.py), read back in their extract through the register API, and after an
erasure through it gone with the row — and a copy taken before cannot be opened, the key being destroyed. Notes
written before, under the register-wide key, are read as they are until the start-up step moves them (migration
004, services/digital/application/reseal_notes.py), chunk by chunk and only once."""
from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from contracts.events.digital import CustomerContact
from services.digital.application.config import DigitalConfig
from services.digital.application.inbound import apply_contacts
from services.digital.application.read_person import digital_part
from services.digital.application.reseal_notes import reseal_legacy_notes
from services.digital.domain.errors import DigitalRuleViolation
from services.membership.application.config import MembershipConfig
from shared.crypto import DecryptionFailed
from shared.subject_keys import SubjectErased, unseal
from tests.support.factories import incoming
from tests.support.membership_db import run
from tests.support.people import register, unique
from tests.support.privacy import hand_on
from tests.support.register_api import NOW, bearer, client_fixture, own_fixture, schema_text

DPO = "data_protection_officer"
NOTES = "Kertoi muuttavansa Tampereelle; kortti kadonnut raitiovaunussa"

client = client_fixture()
own = own_fixture()


@pytest.fixture
def config(settings) -> DigitalConfig:
    return DigitalConfig.from_settings(settings)


async def _customer(pools, settings) -> str:
    customer = register(registered_at=NOW - timedelta(days=1))
    await run(pools["membership"], MembershipConfig.from_settings(settings), customer)
    return customer.person_id


def _contact(person_id: str, notes: str = NOTES) -> CustomerContact:
    return CustomerContact(contact_id=unique("c"), person_id=person_id, channel="phone", reason="card_lost",
                           handler="cs-anna", contacted_at=NOW - timedelta(hours=1), notes=notes)


async def _legacy_row(pools, config: DigitalConfig, person_id: str, notes: bytes | str = NOTES) -> str:
    """A contact as the service wrote it before migration 004: the notes under the register-wide key, bound to
    person and contact (or, given bytes, whatever those bytes are)."""
    contact_id = unique("c")
    blob = notes if isinstance(notes, bytes) else config.cipher.encrypt(notes,
                                                                        f"contact_log.notes:{person_id}:{contact_id}")
    await pools["digital"].execute(
        "INSERT INTO contact_log (contact_id, person_id, channel, reason, handler, contacted_at, notes_encrypted)"
        " VALUES ($1, $2, 'phone', 'card_lost', 'cs-anna', $3, $4)", contact_id, person_id, NOW - timedelta(days=9),
        blob)
    return contact_id


async def _notes_in_part(pools, config: DigitalConfig, person_id: str) -> dict[str, str | None]:
    async with pools["digital"].acquire() as conn:
        part = await digital_part(conn, person_id, config)
    return {c["contact_id"]: c["notes"] for c in part["contact_log"]}


async def test_notes_are_sealed_for_the_person_read_in_the_extract_and_unreadable_after_the_erasure(
        client, settings, pools, own, config):
    person = await _customer(pools, settings)
    contact = _contact(person)
    async with pools["digital"].acquire() as conn, conn.transaction():
        await apply_contacts(conn, [incoming(contact)], config)
    row = await pools["digital"].fetchrow("SELECT notes_sealed, notes_encrypted FROM contact_log"
                                          " WHERE contact_id = $1", contact.contact_id)
    assert row["notes_encrypted"] is None and "Tampereelle" not in await schema_text(pools["digital"], "digital")
    copy = bytes(row["notes_sealed"])  # as a backup would keep it
    # not under the register-wide key any more: that key outlives every erasure
    with pytest.raises(DecryptionFailed):
        config.open_legacy_notes(person, contact.contact_id, copy)
    async with pools["digital"].acquire() as conn:
        key = (await config.keys(conn, person))[person]
    assert config.open_notes(key, person, contact.contact_id, copy) == NOTES

    mine = bearer(settings, "data_subject", person_id=person)
    request = client.post(f"/persons/{person}/extract-requests", headers=mine).json()["extract_request"]
    extract = client.get(f"/extract-requests/{request['request_id']}/document", headers=mine).json()
    assert [(c["contact_id"], c["notes"]) for c in extract["contact_log"]] == [(contact.contact_id, NOTES)]

    erasure = client.post(f"/persons/{person}/erasure", headers=bearer(settings, DPO))
    assert erasure.status_code == 202, erasure.text
    await hand_on(settings, own, pools)
    status = client.get(f"/erasures/{erasure.json()['erasure']['request_id']}", headers=bearer(settings, DPO))
    assert status.json()["erasure"]["status"] == "completed", status.text
    assert not await pools["digital"].fetchval("SELECT count(*) FROM contact_log WHERE person_id = $1", person)
    # the key is destroyed: the copy cannot be opened by anyone, and nothing new is sealed for the person
    async with pools["digital"].acquire() as conn:
        assert await config.keys(conn, person) == {}
        with pytest.raises(SubjectErased):
            await config.seal_notes(conn, person, contact.contact_id, NOTES)
    with pytest.raises(SubjectErased):
        unseal(bytes(32), person, copy)  # nor under any other key
    assert await own.fetchval("SELECT wrapped_key IS NULL FROM subject_keys.keys WHERE subject = $1", person)


async def test_notes_under_the_register_wide_key_are_moved_under_the_persons_key_once(settings, pools, own, config):
    person, gone = await _customer(pools, settings), await _customer(pools, settings)
    old = [await _legacy_row(pools, config, person, f"{NOTES} ({n})") for n in range(5)]
    of_erased = await _legacy_row(pools, config, gone)
    # the erasure destroyed the key; this service has not deleted the rows yet
    async with own.acquire() as conn:
        await config.subject_keys.erase(conn, gone)
    # read the old way until moved: the extract shows them throughout
    before = await _notes_in_part(pools, config, person)
    assert [before[c] for c in old] == [f"{NOTES} ({n})" for n in range(5)]
    stranger = unique("p")  # notes that do not open: nobody's extract here reads them
    broken = await _legacy_row(pools, config, stranger, b"\x00not notes of this cipher")

    counts = await reseal_legacy_notes(pools["digital"], config, asyncio.Event(), chunk=2)
    assert counts["moved"] >= 5 and counts["dropped_erased"] >= 1 and counts["unreadable"] >= 1
    rows = {r["contact_id"]: r for r in await pools["digital"].fetch(
        "SELECT contact_id, notes_sealed, notes_encrypted FROM contact_log WHERE contact_id = ANY($1)",
        [*old, of_erased, broken])}
    assert all(rows[c]["notes_encrypted"] is None and rows[c]["notes_sealed"] is not None for c in old)
    assert (rows[of_erased]["notes_sealed"], rows[of_erased]["notes_encrypted"]) == (None, None)
    assert rows[broken]["notes_encrypted"] is not None and rows[broken]["notes_sealed"] is None  # left, not lost
    async with pools["digital"].acquire() as conn:
        key = (await config.keys(conn, person))[person]
    assert [config.open_notes(key, person, c, rows[c]["notes_sealed"]) for c in old] == [
        f"{NOTES} ({n})" for n in range(5)]
    after = await _notes_in_part(pools, config, person)
    assert [after[c] for c in old] == [f"{NOTES} ({n})" for n in range(5)]
    # sealed with its contact: notes copied onto another contact of the same person are refused
    await pools["digital"].execute("UPDATE contact_log SET notes_sealed = $2 WHERE contact_id = $1", old[1],
                                   rows[old[0]]["notes_sealed"])
    with pytest.raises(DigitalRuleViolation, match="another contact"):
        await _notes_in_part(pools, config, person)

    # once: a second start finds only what could not be opened
    again = await reseal_legacy_notes(pools["digital"], config, asyncio.Event(), chunk=2)
    assert again["moved"] == again["dropped_erased"] == 0 and again["unreadable"] >= 1
    await pools["digital"].execute("DELETE FROM contact_log WHERE person_id = ANY($1)", [person, gone, stranger])
