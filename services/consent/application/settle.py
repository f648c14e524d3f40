"""Settling people: after anything that may change what is in force for them, publish their consent state
when it changed, and put them into or take them out of every live segment (put: the attributes;
tombstone: a null value under their pseudonym). Callers hold the people's locks (`adapters.people.lock`),
so one person's events are staged in the order their changes commit."""
from __future__ import annotations

import uuid
from datetime import datetime
from typing import cast

import orjson

from contracts.disclosures import LEGAL_BASES, DisclosureEntry
from contracts.envelope import Envelope
from contracts.events.consent import Block, Choice, ConsentState, Permissions
from contracts.events.marketing import SegmentMember, segment_topic
from contracts.topics import CONSENT_STATES, marketing_segment
from services.consent.adapters import consents, people, segments, states
from services.consent.application.config import ConsentConfig
from services.consent.application.definitions import from_stored
from services.consent.application.events import event
from services.consent.domain.consent import EffectiveConsent, OwnConsent, effective_consent
from services.consent.domain.segments import PersonFacts, SegmentDefinition, segment_change, segment_entry
from shared import disclosure_log, outbox
from shared.db import Connection

SEGMENT_EVENT_TYPE = marketing_segment("name").event_type
ABOUT_THE_SEGMENT = frozenset({"purpose", "channel"})  # what a member's message says of the segment, not of them


async def subject(conn: Connection, person_id: str) -> tuple[PersonFacts, EffectiveConsent, str | None]:
    """The person as a segment decision sees them, what is in force for them, and their household."""
    row = await people.person(conn, person_id)
    others = [m for m in await people.members(conn, row["household_id"]) if m != person_id]
    items = await consents.items(conn, [person_id, *others])
    consent = effective_consent(OwnConsent.from_items(items[person_id]),
                                [OwnConsent.from_items(items[m]) for m in others], deceased=row["deceased"])
    facts = PersonFacts(
        person_id=person_id, known=row["known"], erased=row["erased_at"] is not None,
        cooperative_id=row["cooperative_id"], language=row["language"],
        customer_kind=row["customer_kind"] or "other_customer", address_protection=row["address_protection"],
        home_municipality=row["home_municipality"], birth_year=row["birth_year"],
        main_member=bool(row["main_member"]), bonus_tier_bp=row["bonus_tier_bp"])
    return facts, consent, row["household_id"]


def consent_state(person_id: str, version: int, household_id: str | None, consent: EffectiveConsent) -> ConsentState:
    # The domain's blocks and choices are the contract's (tests/unit/consent/test_consent_state_values.py
    # holds them together), and pydantic checks each again as the state is built.
    return ConsentState(
        person_id=person_id, version=version, household_id=household_id,
        blocks=cast(list[Block], sorted(consent.own.blocks)),
        permissions=Permissions(email=consent.permitted("email"), sms=consent.permitted("sms")),
        marketing_prohibited=consent.marketing_prohibited,
        product_data_collection_blocked=consent.blocked("product_data_collection"),
        product_data_targeting_blocked=consent.blocked("product_data_targeting"),
        product_data_services_blocked=consent.blocked("product_data_services"),
        choices=cast(list[Choice], sorted(consent.own.choices)) if not consent.deceased else [])


async def publish_state(conn: Connection, facts: PersonFacts, consent: EffectiveConsent, household_id: str | None,
                        cause: Envelope | None) -> None:
    version, last = await states.published(conn, facts.person_id)
    if facts.erased:
        data = None
    else:
        data = consent_state(facts.person_id, version + 1, household_id, consent)
    state = data.model_dump(mode="json", exclude={"version"}) if data is not None else None
    if state == last:
        return
    await states.mark_published(conn, facts.person_id, version + 1, state)
    await outbox.add(conn, [event(CONSENT_STATES.name, CONSENT_STATES.event_type, facts.person_id, data, cause,
                                  f"consent-state:{facts.person_id}:{version + 1}")])


async def place(conn: Connection, facts: PersonFacts, consent: EffectiveConsent, definitions: list[SegmentDefinition],
                cause: Envelope | None, config: ConsentConfig) -> None:
    """Put the person into, or take them out of, each of `definitions` where that changed."""
    published = await segments.published(conn, facts.person_id)
    today, staged, disclosed = config.today(), [], []
    for definition in definitions:
        wanted = segment_entry(definition, facts, consent, today)
        pseudonym, sent = published.get(definition.name, (None, None))
        change = segment_change(sent, wanted)
        if change is None:
            continue
        pseudonym = pseudonym or config.pseudonym(definition.name, facts.person_id)
        member = None
        if wanted is not None:  # put: `segment_change` says so exactly when the person is wanted in it
            member = SegmentMember(pseudonym=pseudonym, segment=definition.name, computed_at=config.now(), **wanted)
            await segments.put_member(conn, definition.name, facts.person_id, pseudonym, wanted)
            disclosed.append(segment_disclosure(definition, facts.person_id, wanted, config.now()))
        else:
            await segments.remove_member(conn, definition.name, facts.person_id)
        effect = orjson.dumps(wanted, option=orjson.OPT_SORT_KEYS).decode() if wanted else "left"
        staged.append(event(segment_topic(definition.name), SEGMENT_EVENT_TYPE, pseudonym, member, cause,
                            f"segment:{definition.name}:{facts.person_id}:{effect}"))
    await outbox.add(conn, staged)
    await disclosure_log.record(conn, disclosed)


def segment_disclosure(definition: SegmentDefinition, person_id: str, sent: dict, at: datetime) -> DisclosureEntry:
    """A person put into a segment is their attributes delivered to the segment's recipient (a tombstone
    delivers nothing of them); logged in the transaction that stages the message."""
    return DisclosureEntry(
        disclosure_id=f"s-{uuid.uuid4()}", person_id=person_id, kind="segment_delivery",
        recipient=definition.recipient, data=tuple(sorted(f"segments.{name}" for name in sent
                                                          if name not in ABOUT_THE_SEGMENT)),
        legal_basis=LEGAL_BASES["segment_delivery"], reference=segment_topic(definition.name), disclosed_at=at,
        recorded_by="consent")


async def live_definitions(conn: Connection) -> list[SegmentDefinition]:
    return [from_stored(orjson.loads(row["definition"])) for row in await segments.live(conn)]


async def settle(conn: Connection, person_ids, cause: Envelope | None, config: ConsentConfig) -> None:
    definitions = await live_definitions(conn)
    for person_id in dict.fromkeys(person_ids):
        facts, consent, household_id = await subject(conn, person_id)
        await publish_state(conn, facts, consent, household_id, cause)
        await place(conn, facts, consent, definitions, cause, config)
