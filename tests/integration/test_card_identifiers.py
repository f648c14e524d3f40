"""A person's identifiers besides cards on the real PostgreSQL: the member number (published like a card, so
a POS `member_number` identifier resolves), the S-code and the customer code — none of them kept in clear."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from contracts.events.card_commands import ReallocateCards, RegisterMemberNumber, SetCustomerCode, SetSCode
from services.cards.application.config import CardsConfig
from services.cards.application.mapping import identifier_at
from services.cards.domain.customer_code import verify_customer_code
from tests.integration.cards_helpers import periods, rejection, send
from tests.support.cards import fresh_member_number, fresh_number, issue_card, token, unique

T0 = datetime(2032, 4, 1, 8, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def config(settings) -> CardsConfig:
    return CardsConfig(index_key=settings.secrets.index_key.get_secret_value())


def register(number: str, person: str, household: str | None, at: datetime = T0) -> RegisterMemberNumber:
    return RegisterMemberNumber(command="register_member_number", member_number=number, person_id=person,
                                household_id=household, cooperative_id="hok-elanto", membership_id=f"m-{household}",
                                valid_from=at)


def customer_code(person: str, code: str) -> SetCustomerCode:
    return SetCustomerCode(command="set_customer_code", person_id=person, customer_code=code, set_at=T0)


def s_code(person: str, name: str) -> SetSCode:
    return SetSCode(command="set_s_code", person_id=person, s_code=name, set_at=T0)


async def a_person_with_a_card(pool, config) -> str:
    person = unique("p")
    await send(pool, config, issue_card(fresh_number(), person, unique("h"), T0, "cash_card"))
    return person


async def identifiers_of(pool, person: str):
    return await pool.fetchrow("SELECT * FROM person_identifiers WHERE person_id = $1", person)


# -- member number -------------------------------------------------------------------------------------


async def test_a_member_number_is_published_under_its_own_token_like_a_card(pools, config):
    pool, person, household, number = pools["cards"], unique("p"), unique("h"), fresh_member_number()
    [state] = await send(pool, config, register(number, person, household))
    member_token = token(number, config.index_key, kind="member_number")
    assert member_token != token(number, config.index_key, kind="card")
    assert (state["card_token"], state["card_type"], state["last_four"]) == (member_token, "member_number", number[-4:])
    assert (state["valid_until"], periods(state)) == (None, [(household, True)])
    assert (await identifiers_of(pool, person))["member_number_token"] == member_token
    rows = await pool.fetch("SELECT c.*, e.data FROM cards c JOIN card_events e USING (card_token)"
                            " WHERE c.person_id = $1", person)
    assert number not in str([tuple(row) for row in rows])


async def test_the_member_number_follows_its_person_to_a_new_household(pools, config):
    pool, person, first, second, number = pools["cards"], unique("p"), unique("h"), unique("h"), fresh_member_number()
    await send(pool, config, register(number, person, first))
    moved = T0 + timedelta(days=30)
    [state] = await send(pool, config, ReallocateCards(command="reallocate_cards", person_id=person,
                                                       household_id=second, accepted_at=moved))
    assert periods(state) == [(first, True), (second, True)]
    async with pool.acquire() as conn:
        before = await identifier_at(conn, "member_number", number, moved - timedelta(seconds=1), config.index_key)
        after = await identifier_at(conn, "member_number", number, moved, config.index_key)
    assert (before.household_id, after.household_id) == (first, second)


async def test_a_member_number_is_registered_once(pools, config):
    pool, number = pools["cards"], fresh_member_number()
    await send(pool, config, register(number, unique("p"), unique("h")))
    other = unique("p")
    assert await rejection(pool, config, other, register(number, other, unique("h"))) == "duplicate_member_number"


async def test_a_person_has_one_member_number(pools, config):
    pool, person = pools["cards"], unique("p")
    await send(pool, config, register(fresh_member_number(), person, unique("h")))
    command = register(fresh_member_number(), person, unique("h"))
    assert await rejection(pool, config, person, command) == "person_has_member_number"


# -- customer code and S-code --------------------------------------------------------------------------------


async def test_the_customer_code_is_kept_only_as_a_salted_hash(pools, config):
    pool = pools["cards"]
    first, second = await a_person_with_a_card(pool, config), await a_person_with_a_card(pool, config)
    assert await send(pool, config, customer_code(first, "0420"), customer_code(second, "0420")) == []
    stored = [(await identifiers_of(pool, person))["customer_code_hash"] for person in (first, second)]
    assert stored[0] != stored[1] and not any("0420" in value for value in stored)
    assert verify_customer_code("0420", stored[0]) and not verify_customer_code("0421", stored[0])


async def test_a_new_customer_code_replaces_the_old_one(pools, config):
    pool = pools["cards"]
    person = await a_person_with_a_card(pool, config)
    await send(pool, config, customer_code(person, "1111"))
    await send(pool, config, customer_code(person, "2222"))
    stored = (await identifiers_of(pool, person))["customer_code_hash"]
    assert verify_customer_code("2222", stored) and not verify_customer_code("1111", stored)


async def test_the_s_code_is_kept_as_a_token_and_is_unique_whatever_its_case(pools, config):
    pool = pools["cards"]
    first, second = await a_person_with_a_card(pool, config), await a_person_with_a_card(pool, config)
    name = f"{unique('maija')}@example.fi"
    await send(pool, config, s_code(first, name))
    stored = (await identifiers_of(pool, first))["s_code_token"]
    assert stored and name not in stored
    assert await rejection(pool, config, second, s_code(second, name.upper())) == "s_code_taken"
    await send(pool, config, s_code(first, name.upper()))  # setting one's own S-code again is no clash
    assert (await identifiers_of(pool, first))["s_code_token"] == stored


@pytest.mark.parametrize("command", [lambda person: customer_code(person, "1234"),
                                     lambda person: s_code(person, "nobody@example.fi")])
async def test_codes_are_only_set_for_a_person_the_cards_service_knows(pools, config, command):
    person = unique("p")
    assert await rejection(pools["cards"], config, person, command(person)) == "unknown_person"
