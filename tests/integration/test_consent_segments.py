"""Segments on the real PostgreSQL: a new block, a withdrawn permission, death and erasure each take a person
out (tombstone); the household's product-data block; address protection; retiring; and, over random change
sequences, the puts and tombstones in the outbox converge to exactly the allowed set."""
from __future__ import annotations

import random

import pytest

from contracts.events.consent import ConsentCommand, RetireSegment
from contracts.events.marketing import segment_topic
from contracts.topics import CONSENT_STATES
from services.consent.application.config import ConsentConfig
from services.consent.application.maintenance import drain
from services.consent.domain.consent import (
    OwnConsent,
    Statement,
    block_item,
    effective_consent,
    in_force,
    permission_item,
)
from services.consent.domain.segments import PersonFacts, SegmentDefinition, segment_entry
from tests.support.consent import (
    T0,
    block,
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
from tests.support.service_fixtures import config_of, pool_of

config, pool = config_of(ConsentConfig), pool_of("consent")


async def allowed_person(pool, config, **state) -> str:
    person_id = unique("p")
    await person_states(pool, config, person_state(person_id, **state))
    await commands(pool, config, permission(person_id, 0))
    return person_id


WITHDRAWALS = {  # how it reaches the service, and what it is
    "a new block": (commands, lambda p: block(p, "all_marketing", 5)),
    "the permission withdrawn": (commands, lambda p: permission(p, 5, granted=False)),
    "death": (person_states, lambda p: person_state(p, 2, deceased=True, marketing_prohibition=True)),
    "erasure": (person_states, lambda p: p),  # the tombstone of the person's state
    "the register's prohibition": (person_states, lambda p: person_state(
        p, 2, marketing_prohibition=True, marketing_prohibition_source="population_register")),
}


@pytest.mark.parametrize("cause", sorted(WITHDRAWALS))
async def test_each_withdrawal_takes_the_person_out_with_a_tombstone(pool, config, cause):
    name = unique("w")
    person_id = await allowed_person(pool, config)
    await defined(pool, config, segment(name))
    pseudonym = config.pseudonym(name, person_id)
    assert (await segment_view(pool, name))[pseudonym]["cooperative_id"] == "hok-elanto"
    send, withdrawal = WITHDRAWALS[cause]
    await send(pool, config, withdrawal(person_id))
    assert pseudonym not in await segment_view(pool, name)
    assert (await outbox_values(pool, segment_topic(name), pseudonym))[-1] is None


async def test_an_erased_person_leaves_nothing_but_the_fact_of_erasure(pool, config):
    name, person_id = unique("e"), await allowed_person(pool, config, sbank_customer_ref=unique("SB"))
    await defined(pool, config, segment(name))
    await person_states(pool, config, person_id)
    assert await pool.fetchval("SELECT count(*) FROM consent_receipts WHERE person_id = $1", person_id) == 0
    assert await pool.fetchval("SELECT count(*) FROM segment_members WHERE person_id = $1", person_id) == 0
    assert (await outbox_values(pool, CONSENT_STATES.name, person_id))[-1] is None
    row = await pool.fetchrow("SELECT * FROM persons WHERE person_id = $1", person_id)
    assert row["erased_at"] is not None and row["sbank_customer_ref"] is None and row["birth_year"] is None


async def test_a_household_members_product_data_block_takes_the_household_out(pool, config):
    name, household = unique("pd"), unique("h")
    main = await allowed_person(pool, config, household_id=household)
    member = await allowed_person(pool, config, household_id=household)
    await defined(pool, config, segment(name, uses_product_data=True))
    assert len({config.pseudonym(name, p) for p in (main, member)} & set(await segment_view(pool, name))) == 2
    # the member forbids product-level targeting: it covers the household's purchases, so both leave
    await commands(pool, config, block(member, "product_data_targeting", 5))
    assert not {config.pseudonym(name, p) for p in (main, member)} & set(await segment_view(pool, name))
    state = (await outbox_values(pool, CONSENT_STATES.name, main))[-1]
    assert (state["product_data_targeting_blocked"], state["blocks"]) == (True, [])
    # the member leaves the household: the block is theirs alone again
    await person_states(pool, config, person_state(member, 2, household_id=None))
    assert config.pseudonym(name, main) in await segment_view(pool, name)


async def test_a_protected_address_never_leaves_in_a_segment(pool, config):
    name = unique("a")
    protected = await allowed_person(pool, config, address_protection=True, home_municipality=None)
    open_person = await allowed_person(pool, config)
    await defined(pool, config, segment(name, attributes=["municipality", "age_band"]))
    view = await segment_view(pool, name)
    assert "municipality" not in view[config.pseudonym(name, protected)]
    assert view[config.pseudonym(name, open_person)]["municipality"] == "091"
    assert view[config.pseudonym(name, open_person)]["age_band"] is not None


async def test_a_retired_segment_is_emptied_and_a_repeated_definition_changes_nothing(pool, config):
    name = unique("r")
    person_id = await allowed_person(pool, config)
    await defined(pool, config, segment(name))
    await commands(pool, config, segment(name))
    assert await pool.fetchval("SELECT version FROM segment_definitions WHERE name = $1", name) == 1
    await commands(pool, config, ConsentCommand(RetireSegment(name=name, retired_at=T0)))
    await drain(pool, name, config)
    assert await segment_view(pool, name) == {}
    await commands(pool, config, permission(person_id, 9, channel="sms"))  # a retired segment gets nobody
    assert await segment_view(pool, name) == {}


# --- convergence over random change sequences -----------------------------------------------------------

BLOCKS = ("all_marketing", "email_messages", "direct_mail", "product_data_targeting", "product_data_collection",
          "surveys", "mobile_messages")


def random_changes(rng: random.Random, people: list[str], households: list[str]) -> list:
    versions = {p: 1 for p in people}
    changes = []
    for _ in range(40):
        person, minutes = rng.choice(people), rng.randrange(1, 30)
        roll = rng.random()
        if roll < 0.45:
            changes.append(block(person, rng.choice(BLOCKS), minutes, blocked=rng.random() < 0.6))
        elif roll < 0.85:
            channel = rng.choice(("email", "sms"))
            changes.append(permission(person, minutes, granted=rng.random() < 0.6, channel=channel))
        else:
            versions[person] += 1
            changes.append(person_state(person, versions[person], household_id=rng.choice(households + [None]),
                                        deceased=rng.random() < 0.1))
    return changes


class Model:
    """The changes as the test sent them, and what the domain says of them: the expected segment members."""

    def __init__(self, states: dict) -> None:
        self.states, self.statements = states, {person: [] for person in states}

    def apply(self, change) -> None:
        if isinstance(change, ConsentCommand):
            command = change.root
            item = (block_item(command.block) if hasattr(command, "block") else permission_item(command.channel))
            value = command.blocked if hasattr(command, "block") else command.granted
            self.statements[command.person_id].append(Statement(item, value, command.at))
        else:
            self.states[change.person_id] = change

    def expected(self, definition, config: ConsentConfig, name: str) -> set[str]:
        own = {p: OwnConsent.from_items(in_force(statements)) for p, statements in self.statements.items()}
        members = set()
        for person, state in self.states.items():
            others = [own[p] for p, s in self.states.items() if p != person and state.household_id
                      and s.household_id == state.household_id]
            consent = effective_consent(own[person], others, deceased=state.deceased)
            facts = PersonFacts(person, cooperative_id=state.cooperative_id, language=state.language,
                                customer_kind=state.customer_kind, address_protection=state.address_protection,
                                home_municipality=state.home_municipality, birth_year=state.birth_year)
            if segment_entry(definition, facts, consent, config.today()) is not None:
                members.add(config.pseudonym(name, person))
        return members


@pytest.mark.parametrize("seed", range(5))
async def test_outbox_puts_and_tombstones_converge_to_the_allowed_set(pool, config, seed):
    rng = random.Random(seed)
    people, households = [unique("p") for _ in range(5)], [unique("h"), unique("h")]
    model = Model({p: person_state(p, household_id=rng.choice(households)) for p in people})
    await person_states(pool, config, *model.states.values())
    definitions = {unique("c"): segment_definition("marketing", "email", True),
                   unique("c"): segment_definition("survey", "post", False)}
    for name, definition in definitions.items():
        await defined(pool, config, segment(name, definition.purpose, definition.channel,
                                            uses_product_data=definition.uses_product_data))
    for change in random_changes(rng, people, households):  # each in its own transaction, as delivered
        model.apply(change)
        if isinstance(change, ConsentCommand):
            await commands(pool, config, change)
        else:
            await person_states(pool, config, change)
    for name, definition in definitions.items():
        ours = {config.pseudonym(name, person) for person in people}  # other tests' people are in it too
        assert set(await segment_view(pool, name)) & ours == model.expected(
            SegmentDefinition(name, definition.purpose, definition.channel,
                              uses_product_data=definition.uses_product_data), config, name)


def segment_definition(purpose: str, channel: str, uses_product_data: bool) -> SegmentDefinition:
    return SegmentDefinition("", purpose, channel, uses_product_data=uses_product_data)
