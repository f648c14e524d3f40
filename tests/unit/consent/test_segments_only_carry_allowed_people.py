"""Property: no sequence of permission, block, prohibition, household, death and erasure changes — in any
order, with late and repeated statements — ever leaves a disallowed person readable in a segment topic
after it settles, and every allowed person is readable with only the attributes the segment names.

The topic is simulated as Kafka compaction keeps it (latest value per key, a tombstone removes the key),
fed only with what the domain decides to send (`segment_change`). The expectation comes from an oracle
written from the rules' text, independently of the domain's tables.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.consent.domain.consent import (
    BLOCKS,
    OwnConsent,
    Statement,
    block_item,
    effective_consent,
    latest_statement_wins,
    permission_item,
)
from services.consent.domain.segments import PersonFacts, SegmentDefinition, segment_change, segment_entry

pytestmark = pytest.mark.unit

TODAY = date(2030, 6, 1)
T0 = datetime(2030, 6, 1, 8, 0, tzinfo=timezone.utc)
PEOPLE = ("p0", "p1", "p2", "p3")
HOUSEHOLDS = (None, "h0", "h1")
PURPOSES = ("marketing", "survey", "member_mail", "customer_relationship", "warranty_receipt",
            "personalised_service")
CHANNELS = ("email", "sms", "post", "phone", "digital_ads")
MARKETING_LIKE = {"marketing", "survey", "member_mail"}


@dataclass
class World:
    """What the register has received so far, in arrival order."""

    statements: dict[str, list[Statement]] = field(default_factory=lambda: {p: [] for p in PEOPLE})
    household: dict[str, str | None] = field(default_factory=lambda: {p: None for p in PEOPLE})
    deceased: set[str] = field(default_factory=set)
    erased: set[str] = field(default_factory=set)
    facts: dict[str, PersonFacts] = field(default_factory=dict)


# --- the changes ---------------------------------------------------------------------------------------

times = st.integers(0, 12).map(lambda minutes: T0 + timedelta(minutes=minutes))
people = st.sampled_from(PEOPLE)
changes = st.one_of(
    st.tuples(st.just("block"), people, st.sampled_from(BLOCKS), st.booleans(), times),
    st.tuples(st.just("permission"), people, st.sampled_from(("email", "sms")), st.booleans(), times),
    st.tuples(st.just("household"), people, st.sampled_from(HOUSEHOLDS)),
    st.tuples(st.just("death"), people),
    st.tuples(st.just("erasure"), people),
)
segments = st.builds(
    SegmentDefinition, name=st.just("s"), purpose=st.sampled_from(PURPOSES), channel=st.sampled_from(CHANNELS),
    attributes=st.lists(st.sampled_from(("municipality", "age_band", "bonus_tier_bp")), unique=True).map(tuple),
    uses_product_data=st.booleans())
starting_consents = st.tuples(st.frozensets(st.sampled_from(BLOCKS), max_size=4),
                              st.frozensets(st.sampled_from(("email", "sms"))))
person_facts = st.builds(
    PersonFacts, person_id=st.just(""), cooperative_id=st.sampled_from(("hok-elanto", "turun")),
    address_protection=st.sampled_from((True, False, None)), home_municipality=st.sampled_from(("091", None)),
    birth_year=st.sampled_from((1950, 1990, 2012, 2016, None)), bonus_tier_bp=st.sampled_from((None, 0, 300)))


def apply(world: World, change: tuple) -> None:
    kind, person = change[0], change[1]
    if person in world.erased:
        return  # nothing of an erased person is kept again
    if kind == "block":
        world.statements[person].append(Statement(block_item(change[2]), change[3], change[4]))
    elif kind == "permission":
        world.statements[person].append(Statement(permission_item(change[2]), change[3], change[4]))
    elif kind == "household":
        world.household[person] = change[2]
    elif kind == "death":
        world.deceased.add(person)
    else:
        world.erased.add(person)
        world.statements[person], world.household[person] = [], None


# --- the system: the domain, settling everyone after each change ---------------------------------------

def own_consent(world: World, person: str) -> OwnConsent:
    latest: dict[str, Statement] = {}
    for statement in world.statements[person]:  # in arrival order, as the service applies them
        if latest_statement_wins(statement, latest.get(statement.item)):
            latest[statement.item] = statement
    return OwnConsent.from_items({item: s.value for item, s in latest.items()})


def decide(world: World, definition: SegmentDefinition, person: str) -> dict | None:
    household = world.household[person]
    others = [own_consent(world, p) for p in PEOPLE if p != person and household and world.household[p] == household]
    consent = effective_consent(own_consent(world, person), others, deceased=person in world.deceased)
    facts = PersonFacts(**{**world.facts[person].__dict__, "person_id": person, "erased": person in world.erased})
    return segment_entry(definition, facts, consent, TODAY)


def settle(world: World, definition: SegmentDefinition, topic: dict[str, dict], sent: dict[str, dict]) -> None:
    for person in PEOPLE:
        wanted = decide(world, definition, person)
        change = segment_change(sent.get(person), wanted)
        if change == "put":
            sent[person] = topic[f"pseudonym-{person}"] = wanted
        elif change == "tombstone":
            del sent[person], topic[f"pseudonym-{person}"]


# --- the oracle: the rules as the sources state them ---------------------------------------------------

def stated(world: World, person: str, item: str) -> bool:
    """The value of the statement with the latest time; the first to arrive among equal times."""
    candidates = [s for s in world.statements[person] if s.item == item]
    if not candidates:
        return False
    latest = max(s.at for s in candidates)
    return next(s for s in candidates if s.at == latest).value


def oracle_allows(world: World, definition: SegmentDefinition, person: str) -> bool:
    purpose, channel = definition.purpose, definition.channel
    facts = world.facts[person]
    if person in world.erased or person in world.deceased or facts.cooperative_id is None:
        return False
    if facts.birth_year is not None and TODAY.year - facts.birth_year < 15:
        return False
    own = {b for b in BLOCKS if stated(world, person, block_item(b))}
    household = world.household[person]
    members = [p for p in PEOPLE if p == person or (household and world.household[p] == household)]
    shared = {b for p in members for b in BLOCKS if stated(world, p, block_item(b))}
    marketing_like = purpose in MARKETING_LIKE
    refusals = [
        marketing_like and "all_marketing" in own,
        purpose == "survey" and "surveys" in own,
        purpose == "member_mail" and "owner_customer_mail" in own,
        purpose == "warranty_receipt" and "warranty_receipts" in own,
        channel == "email" and "email_messages" in own,
        channel == "sms" and "mobile_messages" in own,  # seed §12: relationship messages to mobile refused
        channel == "post" and purpose in ("marketing", "survey") and "direct_mail" in own,
        channel == "phone" and marketing_like and "telemarketing" in own,
        channel in ("email", "sms") and purpose in ("marketing", "survey")
        and not stated(world, person, permission_item(channel)),
        definition.uses_product_data and "product_data_collection" in shared,
        definition.uses_product_data and marketing_like and "product_data_targeting" in shared,
        definition.uses_product_data and not marketing_like and "product_data_services" in shared,
    ]
    return not any(refusals)


def starting_world(facts, households, consents) -> World:
    """Everyone with facts, a household (shared ones likely) and some blocks and permissions already."""
    world = World(facts=dict(zip(PEOPLE, facts, strict=True)), household=dict(zip(PEOPLE, households, strict=True)))
    for person, (blocks, permissions) in zip(PEOPLE, consents, strict=True):
        world.statements[person] = ([Statement(block_item(b), True, T0) for b in sorted(blocks)]
                                    + [Statement(permission_item(c), True, T0) for c in sorted(permissions)])
    return world


@settings(max_examples=800, deadline=None)
@given(definition=segments, facts=st.lists(person_facts, min_size=4, max_size=4),
       households=st.lists(st.sampled_from(("h0", "h0", "h1", None)), min_size=4, max_size=4),
       consents=st.lists(starting_consents, min_size=4, max_size=4), sequence=st.lists(changes, max_size=30))
def test_a_segment_topic_only_ever_carries_allowed_people(definition, facts, households, consents, sequence):
    world = starting_world(facts, households, consents)
    topic: dict[str, dict] = {}
    sent: dict[str, dict] = {}
    for change in [None, *sequence]:
        if change is not None:
            apply(world, change)
        settle(world, definition, topic, sent)
        allowed = {f"pseudonym-{p}" for p in PEOPLE if oracle_allows(world, definition, p)}
        assert set(topic) == allowed  # after each change settles: nobody else is readable, nobody missing
    for key, value in topic.items():
        person = key.removeprefix("pseudonym-")
        assert set(value) - {"purpose", "channel", "language", "cooperative_id"} <= set(definition.attributes)
        assert "municipality" not in value or world.facts[person].address_protection is False


@settings(max_examples=200, deadline=None)
@given(sequence=st.lists(st.tuples(st.sampled_from(BLOCKS), st.booleans(), times), max_size=20), data=st.data())
def test_consent_in_force_does_not_depend_on_arrival_order(sequence, data):
    statements = [Statement(block_item(block), value, at) for block, value, at in sequence]
    shuffled = data.draw(st.permutations(statements))
    first, second = World(), World()
    first.statements["p0"], second.statements["p0"] = statements, list(shuffled)
    # Equal times for one item are repeats: the first to arrive stays, so compare only unambiguous items.
    ambiguous = {s.item for s in statements for t in statements
                 if s.item == t.item and s.at == t.at and s.value != t.value}
    keep = lambda consent: {b for b in consent.blocks if block_item(b) not in ambiguous}  # noqa: E731
    assert keep(own_consent(first, "p0")) == keep(own_consent(second, "p0"))
