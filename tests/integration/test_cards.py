"""The cards service's use cases on the real PostgreSQL: issue, tokens, block, lift, replace, household
changes from acceptance time, the mapping at a past time and the sweep — and every bad input rejected with
its reason and nothing of it applied."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from contracts.events.card_commands import (
    BlockCard,
    ExpireCards,
    IssueDigitalToken,
    LiftCardBlock,
    ReallocateCards,
    ReplaceCard,
)
from services.cards.application.config import CardsConfig
from services.cards.application.mapping import identifier_at
from services.cards.application.sweep import sweep_due_cards
from services.cards.domain.card import HELSINKI
from tests.integration.cards_helpers import latest, periods, rejection, send
from tests.support.cards import fresh_number, issue_card, token, unique, with_bad_check_digit

T0 = datetime(2031, 2, 3, 10, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def config(settings) -> CardsConfig:
    return CardsConfig(index_key=settings.secrets.index_key.get_secret_value())


def block(number: str, at: datetime, reason: str = "lost") -> BlockCard:
    return BlockCard(command="block_card", card_number=number, reason=reason, blocked_at=at)


def lift(number: str, at: datetime) -> LiftCardBlock:
    return LiftCardBlock(command="lift_card_block", card_number=number, lifted_at=at)


def move(person: str, household: str | None, at: datetime, cooperative: str | None = None) -> ReallocateCards:
    return ReallocateCards(command="reallocate_cards", person_id=person, household_id=household,
                           cooperative_id=cooperative, accepted_at=at)


# -- issue ---------------------------------------------------------------------------------------------


async def test_an_issued_card_is_kept_as_token_and_last_four_and_published_with_its_history(pools, config):
    pool, person, household, number = pools["cards"], unique("p"), unique("h"), fresh_number()
    [state] = await send(pool, config, issue_card(number, person, household, T0))
    assert (state["card_token"], state["last_four"]) == (token(number, config.index_key), number[-4:])
    assert (state["card_type"], state["status"]) == ("visa_debit", "active")
    assert datetime.fromisoformat(state["valid_until"]) == datetime(2034, 3, 1, tzinfo=HELSINKI)
    assert state["history"] == [{"person_id": person, "household_id": household, "cooperative_id": "hok-elanto",
                                 "valid_from": "2031-02-03T10:00:00Z", "valid_to": None, "usable": True}]
    stored = await pool.fetch("SELECT c.*, e.data FROM cards c JOIN card_events e USING (card_token)"
                              " WHERE c.person_id = $1", person)
    assert stored and number not in str([tuple(row) for row in stored])


async def test_a_card_number_is_unique(pools, config):
    pool, number = pools["cards"], fresh_number()
    await send(pool, config, issue_card(number, unique("p"), unique("h"), T0))
    other = unique("p")
    assert await rejection(pool, config, other, issue_card(number, other, unique("h"), T0)) == "duplicate_card_number"


async def test_a_card_number_with_a_wrong_check_digit_is_rejected(pools, config):
    person, number = unique("p"), with_bad_check_digit(fresh_number())
    command = issue_card(number, person, unique("h"), T0)
    assert await rejection(pools["cards"], config, person, command) == "invalid_card_number"


async def test_a_payment_card_is_only_for_a_person_in_a_household(pools, config):
    person = unique("p")
    command = issue_card(fresh_number(), person, None, T0, card_type="visa_credit")
    assert await rejection(pools["cards"], config, person, command) == "person_has_no_household"


async def test_a_digital_token_identifies_the_same_person_and_household_as_its_card(pools, config):
    pool, person, household, parent, wallet = pools["cards"], unique("p"), unique("h"), fresh_number(), fresh_number()
    await send(pool, config, issue_card(parent, person, household, T0))
    [state] = await send(pool, config, IssueDigitalToken(
        command="issue_digital_token", token_number=wallet, parent_card_number=parent, issued_at=T0 + timedelta(1)))
    assert (state["card_type"], state["parent_card_token"]) == ("digital_token", token(parent, config.index_key))
    assert periods(state) == [(household, True)] and state["history"][0]["person_id"] == person


async def test_a_digital_token_for_an_unknown_card_is_rejected(pools, config):
    command = IssueDigitalToken(command="issue_digital_token", token_number=fresh_number(),
                                parent_card_number=fresh_number(), issued_at=T0)
    assert await rejection(pools["cards"], config, unique("p"), command) == "unknown_card"


# -- block, lift, replace --------------------------------------------------------------------------------


async def test_a_temporary_block_makes_the_card_unusable_until_it_is_lifted(pools, config):
    pool, household, number = pools["cards"], unique("h"), fresh_number()
    await send(pool, config, issue_card(number, unique("p"), household, T0))
    [blocked] = await send(pool, config, block(number, T0 + timedelta(days=5), "temporary_by_owner"))
    assert (blocked["status"], blocked["block_reason"]) == ("temporarily_blocked", "temporary_by_owner")
    [lifted] = await send(pool, config, lift(number, T0 + timedelta(days=7)))
    assert (lifted["status"], lifted["block_reason"]) == ("active", None)
    assert periods(lifted) == [(household, True), (household, False), (household, True)]


async def test_blocking_an_unknown_card_is_rejected(pools, config):
    assert await rejection(pools["cards"], config, unique("p"), block(fresh_number(), T0)) == "unknown_card"


@pytest.mark.parametrize(("second", "reason"), [
    (lambda number: block(number, T0 + timedelta(days=2), "stolen"), "card_already_blocked"),
    (lambda number: lift(number, T0 + timedelta(days=2)), "block_not_liftable"),
    (lambda number: block(number, T0 - timedelta(days=2), "temporary_by_owner"), "change_not_retroactive"),
])
async def test_a_permanently_blocked_card_takes_no_further_block_or_lift(pools, config, second, reason):
    pool, person, number = pools["cards"], unique("p"), fresh_number()
    await send(pool, config, issue_card(number, person, unique("h"), T0 - timedelta(days=10)))
    await send(pool, config, block(number, T0, "suspected_misuse"))
    assert await rejection(pool, config, person, second(number)) == reason


async def test_a_lost_card_is_replaced_by_a_new_one_and_both_are_published_linked(pools, config):
    pool, person, household, old, new = pools["cards"], unique("p"), unique("h"), fresh_number(), fresh_number()
    await send(pool, config, issue_card(old, person, household, T0))
    await send(pool, config, block(old, T0 + timedelta(days=30)))
    states = await send(pool, config, ReplaceCard(command="replace_card", card_number=old, new_card_number=new,
                                                  replaced_at=T0 + timedelta(days=31)))
    old_token, new_token = token(old, config.index_key), token(new, config.index_key)
    assert [s["card_token"] for s in states] == [old_token, new_token]
    assert (states[0]["status"], states[0]["replaced_by"]) == ("replaced", new_token)
    assert (states[1]["status"], states[1]["replaces"], states[1]["card_type"]) == ("active", old_token, "visa_debit")
    assert periods(states[0]) == [(household, True), (household, False), (household, False)]
    assert periods(states[1]) == [(household, True)]


async def test_a_replacement_whose_number_is_taken_leaves_the_old_card_as_it_was(pools, config):
    pool, person, old, taken = pools["cards"], unique("p"), fresh_number(), fresh_number()
    await send(pool, config, issue_card(old, person, unique("h"), T0), issue_card(taken, unique("p"), unique("h"), T0))
    command = ReplaceCard(command="replace_card", card_number=old, new_card_number=taken, replaced_at=T0 + timedelta(1))
    assert await rejection(pool, config, person, command) == "duplicate_card_number"


async def test_a_batch_with_one_bad_command_applies_none_of_it(pools, config):
    pool, person, number = pools["cards"], unique("p"), fresh_number()
    assert await rejection(pool, config, person, issue_card(number, person, unique("h"), T0),
                           block(fresh_number(), T0)) == "unknown_card"


# -- household changes and the mapping over time -------------------------------------------------------


async def test_a_household_change_moves_every_card_in_use_from_acceptance_time(pools, config):
    pool, person, old_home, new_home = pools["cards"], unique("p"), unique("h"), unique("h")
    visa, cash, lost = fresh_number(), fresh_number(), fresh_number()
    await send(pool, config, *(issue_card(n, person, old_home, T0, kind)
                               for n, kind in ((visa, "visa_debit"), (cash, "cash_card"), (lost, "cash_card"))))
    await send(pool, config, block(lost, T0 + timedelta(days=3)))
    states = await send(pool, config, move(person, new_home, T0 + timedelta(days=10), "hok-pirkka"))
    assert {s["card_token"] for s in states} == {token(visa, config.index_key), token(cash, config.index_key)}
    for state in states:
        assert periods(state) == [(old_home, True), (new_home, True)]
        assert state["history"][1]["valid_from"] == "2031-02-13T10:00:00Z"
        assert state["history"][1]["cooperative_id"] == "hok-pirkka"


async def test_a_household_change_dated_before_any_cards_last_change_moves_none(pools, config):
    pool, person, household, visa, cash = pools["cards"], unique("p"), unique("h"), fresh_number(), fresh_number()
    await send(pool, config, issue_card(visa, person, household, T0),
               issue_card(cash, person, household, T0, "cash_card"))
    await send(pool, config, block(cash, T0 + timedelta(days=20), "temporary_by_owner"))
    command = move(person, unique("h"), T0 + timedelta(days=10))
    assert await rejection(pool, config, person, command) == "change_not_retroactive"


async def test_leaving_every_household_ends_payment_features_and_keeps_the_cash_card(pools, config):
    pool, person, household, visa, cash = pools["cards"], unique("p"), unique("h"), fresh_number(), fresh_number()
    await send(pool, config, issue_card(visa, person, household, T0),
               issue_card(cash, person, household, T0, "cash_card"))
    states = await send(pool, config, move(person, None, T0 + timedelta(days=10)))
    by_token = {s["card_token"]: s for s in states}
    payment, kept = by_token[token(visa, config.index_key)], by_token[token(cash, config.index_key)]
    assert (payment["status"], payment["block_reason"]) == ("blocked", "holder_left_household")
    assert (kept["status"], periods(kept)) == ("active", [(household, True), (None, True)])


async def test_a_household_change_of_a_person_without_cards_changes_nothing(pools, config):
    person = unique("p")
    assert await send(pools["cards"], config, move(person, unique("h"), T0)) == []


async def test_the_mapping_answers_whose_a_card_was_and_whether_it_worked_at_a_past_time(pools, config):
    pool, person, first, second, number = pools["cards"], unique("p"), unique("h"), unique("h"), fresh_number()
    blocked, lifted, moved = (T0 + timedelta(days=d) for d in (10, 12, 40))
    await send(pool, config, issue_card(number, person, first, T0, "cash_card"))
    await send(pool, config, block(number, blocked, "temporary_by_owner"), lift(number, lifted),
               move(person, second, moved, "hok-pirkka"))
    expected = [(T0 - timedelta(seconds=1), None), (T0, (first, "hok-elanto", True)),
                (blocked, (first, "hok-elanto", False)), (lifted - timedelta(seconds=1), (first, "hok-elanto", False)),
                (lifted, (first, "hok-elanto", True)), (moved, (second, "hok-pirkka", True))]
    async with pool.acquire() as conn:
        for at, answer in expected:
            found = await identifier_at(conn, "card", number, at, config.index_key)
            assert (found and (found.household_id, found.cooperative_id, found.card_was_usable)) == answer, at
            assert found is None or found.person_id == person
        assert await identifier_at(conn, "card", fresh_number(), T0, config.index_key) is None


# -- the sweep --------------------------------------------------------------------------------------------


async def test_the_sweep_closes_lapsed_temporary_blocks_and_expires_cards_once(pools, config):
    pool, person, household, visa, cash = pools["cards"], unique("p"), unique("h"), fresh_number(), fresh_number()
    await send(pool, config, issue_card(visa, person, household, T0),
               issue_card(cash, person, household, T0, "cash_card"))
    await send(pool, config, block(cash, T0 + timedelta(days=1), "temporary_by_owner"))
    visa_token, cash_token = token(visa, config.index_key), token(cash, config.index_key)
    # four months on: the temporary block has lapsed; the Visa is valid until March 2034
    swept = await send(pool, config, ExpireCards(command="expire_cards", as_of=T0 + timedelta(days=120)))
    lapsed = latest(swept, cash_token)
    assert (lapsed["status"], lapsed["block_reason"]) == ("blocked", "temporary_block_lapsed")
    assert visa_token not in {s["card_token"] for s in swept}
    after_validity = ExpireCards(command="expire_cards", as_of=datetime(2034, 3, 2, tzinfo=timezone.utc))
    assert latest(await send(pool, config, after_validity), visa_token)["status"] == "expired"
    assert {visa_token, cash_token}.isdisjoint(s["card_token"] for s in await send(pool, config, after_validity))


async def test_the_scheduled_sweep_is_idempotent(pools, config):
    pool, number = pools["cards"], fresh_number()
    await send(pool, config, issue_card(number, unique("p"), unique("h"), datetime(2035, 6, 1, tzinfo=timezone.utc)))
    later = datetime(2038, 8, 1, tzinfo=timezone.utc)
    assert await sweep_due_cards(pool, config, later) >= 1
    assert await sweep_due_cards(pool, config, later) == 0
    status = await pool.fetchval("SELECT status FROM cards WHERE card_token = $1", token(number, config.index_key))
    assert status == "expired"
