"""Cards on the real stack: commands to the cards service, its card states to the purchases service's
projection, and receipts resolved by it to the person and household of their own time."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import orjson
import pytest

from contracts.events.card_commands import BlockCard, LiftCardBlock, ReallocateCards, RegisterMemberNumber, ReplaceCard
from contracts.events.pos import Identifier
from contracts.topics import CARD_COMMANDS, CARD_STATE, POS_PURCHASES
from coopreg.client import read_topic
from coopreg.simulate.receipts import pos_purchase
from shared.dead_letters import dlq_topic
from tests.support.cards import fresh_member_number, fresh_number, issue_card, token, unique
from tests.support.stack import eventually

pytestmark = pytest.mark.usefixtures("services")
T0 = datetime(2032, 1, 5, 9, 0, tzinfo=timezone.utc)


def days(n: float) -> datetime:
    return T0 + timedelta(days=n)


async def send(client, person: str, *commands) -> None:
    for command in commands:
        await client.send(CARD_COMMANDS, person, command)
    await client.flush()


async def projection_has(db, card_token: str, periods: int) -> bool:
    """The purchases service's projection holds this many allocation periods of the identifier."""
    found = await db.fetchval("SELECT count(*) FROM purchases.card_allocations WHERE card_token = $1", card_token)
    return found == periods


async def resolved(settings, client, db, receipts: dict[str, tuple]) -> dict[str, tuple]:
    """Send receipts {name: (identifier kind, value, purchased at)}; (status, household) of each once stored."""
    ids = {}
    for name, (kind, value, at) in receipts.items():
        receipt = pos_purchase(unique(f"r-{name}"), fresh_number(), at, [("grocery", 2500)])
        receipt = receipt.model_copy(update={"identifier": Identifier(kind=kind, value=value, entry="chip")})
        ids[name] = receipt.receipt_id
        await client.send(POS_PURCHASES, receipt.receipt_id, receipt)
    await client.flush()

    async def stored():
        rows = await db.fetch("SELECT receipt_id, status, household_id FROM purchases.receipts"
                              " WHERE receipt_id = ANY($1)", list(ids.values()))
        return {r["receipt_id"]: (r["status"], r["household_id"]) for r in rows} if len(rows) == len(ids) else None
    by_id = await eventually(stored)
    return {name: by_id[receipt_id] for name, receipt_id in ids.items()}


async def card_states(settings, card_token: str) -> list[dict]:
    records = await read_topic(settings, CARD_STATE, timeout=3)
    return [orjson.loads(r.value) for r in records if r.key == card_token.encode()]


async def test_a_blocked_card_stops_identifying_and_its_replacement_takes_over(settings, client, db):
    person, household, old, new = unique("p"), unique("h"), fresh_number(), fresh_number()
    old_token, new_token = (token(n, settings.secrets.index_key.get_secret_value()) for n in (old, new))
    # issue, then lost on day 10 and replaced on day 11
    await send(client, person, issue_card(old, person, household, T0),
               BlockCard(command="block_card", card_number=old, reason="lost", blocked_at=days(10)),
               ReplaceCard(command="replace_card", card_number=old, new_card_number=new, replaced_at=days(11)))
    await eventually(lambda: projection_has(db, old_token, 3))
    await eventually(lambda: projection_has(db, new_token, 1))
    outcome = await resolved(settings, client, db, {
        "before_block": ("card", old, days(2)), "old_after_block": ("card", old, days(10.5)),
        "old_after_replacement": ("card", old, days(12)), "new_card": ("card", new, days(12))})
    assert outcome == {"before_block": ("accepted", household), "old_after_block": ("unresolved", None),
                       "old_after_replacement": ("unresolved", None), "new_card": ("accepted", household)}
    old_state, new_state = (await card_states(settings, old_token))[-1], (await card_states(settings, new_token))[-1]
    assert (old_state["status"], old_state["replaced_by"]) == ("replaced", new_token)
    assert (new_state["status"], new_state["replaces"]) == ("active", old_token)


async def test_a_household_change_moves_the_bonus_purchases_from_acceptance_time(settings, client, db):
    person, first, second = unique("p"), unique("h"), unique("h")
    card, member_number, accepted = fresh_number(), fresh_member_number(), days(20)
    key = settings.secrets.index_key.get_secret_value()
    await send(client, person, issue_card(card, person, first, T0, "cash_card"), RegisterMemberNumber(
        command="register_member_number", member_number=member_number, person_id=person, household_id=first,
        cooperative_id="hok-elanto", membership_id=f"m-{first}", valid_from=T0))
    # the person accepts the invitation of another household on day 20
    await send(client, person, ReallocateCards(command="reallocate_cards", person_id=person, household_id=second,
                                               cooperative_id="hok-pirkka", accepted_at=accepted))
    await eventually(lambda: projection_has(db, token(card, key), 2))
    await eventually(lambda: projection_has(db, token(member_number, key, "member_number"), 2))
    outcome = await resolved(settings, client, db, {
        "card_before": ("card", card, accepted - timedelta(minutes=1)), "card_after": ("card", card, accepted),
        "member_before": ("member_number", member_number, days(19)),
        "member_after": ("member_number", member_number, days(21))})
    assert outcome == {"card_before": ("accepted", first), "card_after": ("accepted", second),
                       "member_before": ("accepted", first), "member_after": ("accepted", second)}


async def test_the_mapping_at_a_past_time_is_the_one_that_held_then(settings, client, db):
    person, first, second, number = unique("p"), unique("h"), unique("h"), fresh_number()
    card_token = token(number, settings.secrets.index_key.get_secret_value())
    # issued day 0, blocked by its owner on day 5, lifted on day 8, moved to another household on day 30
    await send(client, person, issue_card(number, person, first, T0),
               BlockCard(command="block_card", card_number=number, reason="temporary_by_owner", blocked_at=days(5)),
               LiftCardBlock(command="lift_card_block", card_number=number, lifted_at=days(8)),
               ReallocateCards(command="reallocate_cards", person_id=person, household_id=second,
                               accepted_at=days(30)))
    await eventually(lambda: projection_has(db, card_token, 4))
    # receipts arrive after all of it, each resolved by the facts at its own purchase time
    outcome = await resolved(settings, client, db, {
        "before_issue": ("card", number, days(-1)), "issued": ("card", number, days(1)),
        "blocked": ("card", number, days(6)), "lifted": ("card", number, days(9)),
        "moved": ("card", number, days(31))})
    assert outcome == {"before_issue": ("unresolved", None), "issued": ("accepted", first),
                       "blocked": ("unresolved", None), "lifted": ("accepted", first), "moved": ("accepted", second)}
    [*_, state] = await card_states(settings, card_token)
    assert [(p["household_id"], p["usable"], p["person_id"]) for p in state["history"]] == [
        (first, True, person), (first, False, person), (first, True, person), (second, True, person)]


async def test_bad_card_commands_land_in_the_dlq_with_their_reasons_and_apply_nothing(settings, client, db):
    person, household, number = unique("p"), unique("h"), fresh_number()
    await send(client, person, issue_card(number, person, household, T0),
               BlockCard(command="block_card", card_number=number, reason="suspected_misuse", blocked_at=days(1)),
               BlockCard(command="block_card", card_number=fresh_number(), reason="lost", blocked_at=days(1)),
               LiftCardBlock(command="lift_card_block", card_number=number, lifted_at=days(2)),
               BlockCard(command="block_card", card_number=number, reason="stolen", blocked_at=days(2)),
               issue_card(number, unique("p"), household, T0),
               issue_card(fresh_number(), person, None, T0, "visa_credit"))
    await client.send_raw(CARD_COMMANDS, orjson.dumps({"command": "block_card", "card_number": "12-34"}),
                          key=person.encode())
    await client.flush()

    async def dead_letters():
        records = await read_topic(settings, dlq_topic(CARD_COMMANDS.name), timeout=3)
        found = [dict((k, v.decode()) for k, v in r.headers) for r in records if r.key == person.encode()]
        return found if len(found) >= 6 else None
    # a malformed message is dead-lettered as it is decoded, before its batch applies: order is per batch
    reasons = sorted(letter["dlq_reason"] for letter in await eventually(dead_letters))
    assert reasons == sorted(["unknown_card", "block_not_liftable", "card_already_blocked", "duplicate_card_number",
                              "person_has_no_household", "schema_violation"])
    assert await db.fetchval("SELECT count(*) FROM cards.cards WHERE person_id = $1", person) == 1
