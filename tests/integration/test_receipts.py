"""Receipts on the real PostgreSQL: stored once, conflicts flagged, resolved to the household of the time."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import orjson

from contracts.envelope import Envelope
from contracts.events.cards import AllocationPeriod, CardState
from contracts.events.purchases import PurchaseAccepted
from contracts.topics import PURCHASES_ACCEPTED
from coopreg.simulate.receipts import card_number, pos_purchase
from services.purchases.application.apply_card_state import when_card_changes_resolve_waiting_receipts
from services.purchases.application.config import PurchasesConfig
from services.purchases.application.record_purchases import record_purchases
from services.purchases.application.retention import erase_person
from shared.outbox import header_pairs
from shared.pseudonym import keyed_token
from tests.support.factories import incoming

T0 = datetime(2035, 1, 1, tzinfo=timezone.utc)


async def record(pool, config, *receipts):
    async with pool.acquire() as conn, conn.transaction():
        await record_purchases(conn, [incoming(r) for r in receipts], config)


async def card_changes(pool, state: CardState):
    async with pool.acquire() as conn, conn.transaction():
        await when_card_changes_resolve_waiting_receipts(conn, [incoming(state)])


def card_state(config, number: str, *periods: tuple) -> CardState:
    return CardState(card_token=keyed_token("card", number, config.index_key), last_four=number[-4:],
                     card_type="cash_card", status="active",
                     history=[AllocationPeriod(person_id=p, household_id=h, cooperative_id="hok-elanto",
                                               valid_from=start, valid_to=end) for p, h, start, end in periods])


def fresh_number() -> str:
    return card_number(uuid.uuid4().int % 10**10)


async def accepted_for(pool, receipt_id: str):
    rows = await pool.fetch("SELECT value FROM outbox WHERE topic = 'purchases.accepted.v1'")
    return [orjson.loads(r["value"]) for r in rows if orjson.loads(r["value"])["receipt_id"] == receipt_id]


async def test_a_receipt_resolves_to_the_household_its_card_belonged_to_at_purchase_time(settings, pools):
    pool = pools["purchases"]
    config = PurchasesConfig(settings.secrets.index_key.get_secret_value())
    number, moved = fresh_number(), T0 + timedelta(days=10)
    await card_changes(pool, card_state(config, number, ("p1", "h-old", T0, moved), ("p1", "h-new", moved, None)))
    before = pos_purchase(f"r-{uuid.uuid4().hex}", number, moved - timedelta(hours=1), [("grocery", 1000)])
    after = pos_purchase(f"r-{uuid.uuid4().hex}", number, moved + timedelta(hours=1), [("grocery", 2000)])
    await record(pool, config, before, after)
    assert (await accepted_for(pool, before.receipt_id))[0]["household_id"] == "h-old"
    assert (await accepted_for(pool, after.receipt_id))[0]["household_id"] == "h-new"


async def test_an_exact_duplicate_is_stored_and_published_once(settings, pools):
    pool = pools["purchases"]
    config = PurchasesConfig(settings.secrets.index_key.get_secret_value())
    number = fresh_number()
    await card_changes(pool, card_state(config, number, ("p1", "h1", T0, None)))
    receipt = pos_purchase(f"r-{uuid.uuid4().hex}", number, T0 + timedelta(days=1), [("grocery", 1000)])
    await record(pool, config, receipt, receipt)
    await record(pool, config, receipt)
    assert len(await accepted_for(pool, receipt.receipt_id)) == 1
    assert await pool.fetchval("SELECT count(*) FROM receipt_conflicts WHERE receipt_id = $1",
                               receipt.receipt_id) == 0


async def test_a_conflicting_duplicate_is_flagged_and_never_merged(settings, pools):
    pool = pools["purchases"]
    config = PurchasesConfig(settings.secrets.index_key.get_secret_value())
    number, receipt_id = fresh_number(), f"r-{uuid.uuid4().hex}"
    await card_changes(pool, card_state(config, number, ("p1", "h1", T0, None)))
    first = pos_purchase(receipt_id, number, T0 + timedelta(days=1), [("grocery", 1000)])
    changed = pos_purchase(receipt_id, number, T0 + timedelta(days=1), [("grocery", 9999)])
    await record(pool, config, first)
    await record(pool, config, changed)
    assert await pool.fetchval("SELECT total_cents FROM receipts WHERE receipt_id = $1", receipt_id) == 1000
    assert await pool.fetchval("SELECT count(*) FROM receipt_conflicts WHERE receipt_id = $1", receipt_id) == 1


async def test_a_copy_of_an_erased_persons_receipt_arriving_late_does_not_bring_them_back(settings, pools):
    pool = pools["purchases"]
    config = PurchasesConfig(settings.secrets.index_key.get_secret_value())
    number, person = fresh_number(), f"p-{uuid.uuid4().hex[:8]}"
    await card_changes(pool, card_state(config, number, (person, "h1", T0, None)))
    receipt = pos_purchase(f"r-{uuid.uuid4().hex}", number, T0 + timedelta(days=1), [("grocery", 1000)])
    await record(pool, config, receipt)
    async with pool.acquire() as conn, conn.transaction():
        await erase_person(conn, person)
    other_content = pos_purchase(receipt.receipt_id, number, T0 + timedelta(days=1), [("grocery", 9999)])
    await record(pool, config, receipt, other_content)  # the till's backlog, after the erasure
    token = keyed_token("card", number, config.index_key)
    assert await pool.fetchval("SELECT count(*) FROM receipts WHERE receipt_id = $1 OR identifier_token = $2",
                               receipt.receipt_id, token) == 0
    assert await pool.fetchval("SELECT count(*) FROM receipt_conflicts WHERE receipt_id = $1",
                               receipt.receipt_id) == 0
    assert len(await accepted_for(pool, receipt.receipt_id)) == 1  # the one published before the erasure


async def test_a_new_receipt_of_an_erased_persons_card_is_dropped_not_left_waiting(settings, pools):
    from services.purchases.application.report_unresolved import resolve_and_report

    pool = pools["purchases"]
    config = PurchasesConfig(settings.secrets.index_key.get_secret_value())
    number, person = fresh_number(), f"p-{uuid.uuid4().hex[:8]}"
    await card_changes(pool, card_state(config, number, (person, "h1", T0, None)))
    async with pool.acquire() as conn, conn.transaction():
        await erase_person(conn, person)
    # a purchase the till sends only after the erasure: no card data will ever come for it
    late = pos_purchase(f"r-{uuid.uuid4().hex}", number, T0 + timedelta(days=2), [("grocery", 1200)])
    await record(pool, config, late)
    await resolve_and_report(pool, config)
    token = keyed_token("card", number, config.index_key)
    assert await pool.fetchval("SELECT count(*) FROM receipts WHERE identifier_token = $1", token) == 0
    assert await pool.fetchval("SELECT content_hash IS NULL FROM receipt_ids WHERE receipt_id = $1", late.receipt_id)
    await record(pool, config, late)  # a copy of it, later still: seen, not stored
    assert await pool.fetchval("SELECT count(*) FROM receipts WHERE identifier_token = $1", token) == 0
    assert await accepted_for(pool, late.receipt_id) == []


async def test_a_cards_tombstone_drops_the_receipts_waiting_for_it_and_a_new_state_lifts_it(settings, pools):
    from services.purchases.application.report_unresolved import resolve_and_report
    from tests.support.consent import tombstone

    pool = pools["purchases"]
    config = PurchasesConfig(settings.secrets.index_key.get_secret_value())
    number = fresh_number()
    token = keyed_token("card", number, config.index_key)
    waiting = pos_purchase(f"r-{uuid.uuid4().hex}", number, T0 + timedelta(days=2), [("grocery", 800)])
    await record(pool, config, waiting)
    async with pool.acquire() as conn, conn.transaction():
        await when_card_changes_resolve_waiting_receipts(conn, [tombstone(token)])  # the holder was erased
    assert await pool.fetchval("SELECT count(*) FROM receipts WHERE identifier_token = $1", token) == 0
    assert await pool.fetchval("SELECT count(*) FROM erased_cards WHERE card_token = $1", token) == 1

    await card_changes(pool, card_state(config, number, ("p7", "h7", T0, None)))  # the cards service states it
    assert await pool.fetchval("SELECT count(*) FROM erased_cards WHERE card_token = $1", token) == 0
    after = pos_purchase(f"r-{uuid.uuid4().hex}", number, T0 + timedelta(days=3), [("grocery", 600)])
    await record(pool, config, after)
    await resolve_and_report(pool, config)
    assert (await accepted_for(pool, after.receipt_id))[0]["household_id"] == "h7"


async def test_a_receipt_waits_for_late_card_data_and_is_accepted_when_it_arrives(settings, pools):
    pool = pools["purchases"]
    config = PurchasesConfig(settings.secrets.index_key.get_secret_value())
    number = fresh_number()
    receipt = pos_purchase(f"r-{uuid.uuid4().hex}", number, T0 + timedelta(days=3), [("grocery", 1500)])
    await record(pool, config, receipt)
    assert await pool.fetchval("SELECT status FROM receipts WHERE receipt_id = $1", receipt.receipt_id) == "unresolved"
    await card_changes(pool, card_state(config, number, ("p9", "h9", T0, None)))
    assert await pool.fetchval("SELECT status FROM receipts WHERE receipt_id = $1", receipt.receipt_id) == "accepted"
    assert (await accepted_for(pool, receipt.receipt_id))[0]["household_id"] == "h9"


async def test_card_numbers_are_never_stored_in_clear(settings, pools):
    pool = pools["purchases"]
    config = PurchasesConfig(settings.secrets.index_key.get_secret_value())
    number = fresh_number()
    await record(pool, config, pos_purchase(f"r-{uuid.uuid4().hex}", number, T0, [("grocery", 100)]))
    dump = await pool.fetchval("SELECT string_agg(r::text, ' ') FROM receipts r")
    assert number not in dump and number[-4:] in dump


async def test_a_partner_purchase_resolves_through_the_member_number(settings, pools):
    from contracts.events.partner import PartnerPurchase
    from services.purchases.application.record_partner_purchases import record_partner_purchases
    from tests.integration.test_partner_registrations import person_state, states

    pool = pools["purchases"]
    config = PurchasesConfig(settings.secrets.index_key.get_secret_value())
    member_number = str(uuid.uuid4().int % 10**12).zfill(12)
    member = CardState(card_token=keyed_token("member", member_number, config.index_key),
                       last_four=member_number[-4:], card_type="cash_card", status="active",
                       history=[AllocationPeriod(person_id="p7", household_id="h7", cooperative_id="kpo",
                                                 valid_from=T0)])
    await card_changes(pool, member)
    await states(pool, person_state("p7", 1, ("elisa", T0, None)))  # registered with the partner
    purchase = PartnerPurchase(purchase_id=uuid.uuid4().hex, partner_id="elisa", member_number=member_number,
                               purchased_at=T0 + timedelta(days=2), currency="EUR", total_cents=3990)
    async with pool.acquire() as conn, conn.transaction():
        await record_partner_purchases(conn, [incoming(purchase)], config)
    [published] = await accepted_for(pool, f"partner:elisa:{purchase.purchase_id}")
    assert (published["household_id"], published["bonus_eligible_cents"]) == ("h7", 3990)
    assert published["payment_method_eligible_cents"] == 0


async def test_a_receipt_unresolved_past_the_horizon_is_reported_and_still_resolves_later(settings, pools):
    from services.purchases.adapters.receipts import expire_unresolved

    pool = pools["purchases"]
    config = PurchasesConfig(settings.secrets.index_key.get_secret_value())
    number = fresh_number()
    receipt = pos_purchase(f"r-{uuid.uuid4().hex}", number, T0 + timedelta(days=3), [("grocery", 700)])
    await record(pool, config, receipt)
    await pool.execute("UPDATE receipts SET stored_at = now() - interval '31 days' WHERE receipt_id = $1",
                       receipt.receipt_id)
    async with pool.acquire() as conn:
        assert await expire_unresolved(conn, 30) >= 1
    assert await pool.fetchval("SELECT status FROM receipts WHERE receipt_id = $1",
                               receipt.receipt_id) == "unresolved_expired"
    await card_changes(pool, card_state(config, number, ("p3", "h3", T0, None)))
    assert (await accepted_for(pool, receipt.receipt_id))[0]["household_id"] == "h3"


async def test_a_receipt_that_raced_its_card_data_is_resolved_by_the_sweep(settings, pools):
    from services.purchases.adapters.receipts import Allocation, replace_allocations
    from services.purchases.application.report_unresolved import resolve_and_report

    pool = pools["purchases"]
    config = PurchasesConfig(settings.secrets.index_key.get_secret_value())
    number = fresh_number()
    receipt = pos_purchase(f"r-{uuid.uuid4().hex}", number, T0 + timedelta(days=3), [("grocery", 900)])
    await record(pool, config, receipt)
    # the card's allocation committed without seeing the receipt (two concurrent transactions)
    async with pool.acquire() as conn, conn.transaction():
        await replace_allocations(conn, keyed_token("card", number, config.index_key),
                                  [Allocation(T0, None, "p5", "h5", "hok-elanto", True)])
    assert await pool.fetchval("SELECT status FROM receipts WHERE receipt_id = $1", receipt.receipt_id) == "unresolved"
    resolved, _ = await resolve_and_report(pool, config)
    assert resolved >= 1
    assert (await accepted_for(pool, receipt.receipt_id))[0]["household_id"] == "h5"


async def consent_of(pool, person: str, household: str, version: int, *, collection=False, targeting=False):
    from contracts.events.consent import ConsentState, Permissions
    from services.purchases.application.keep_product_data_consents import (
        when_consent_changes_keep_product_data_rules,
    )

    state = ConsentState(person_id=person, version=version, household_id=household, blocks=[],
                         permissions=Permissions(email=False, sms=False), marketing_prohibited=False,
                         product_data_collection_blocked=collection, product_data_targeting_blocked=targeting,
                         product_data_services_blocked=False)
    async with pool.acquire() as conn, conn.transaction():
        await when_consent_changes_keep_product_data_rules(conn, [incoming(state)])


async def test_a_household_that_forbade_collection_keeps_the_receipt_total_only(settings, pools):
    pool = pools["purchases"]
    config = PurchasesConfig(settings.secrets.index_key.get_secret_value())
    number, household = fresh_number(), f"h-{uuid.uuid4().hex[:8]}"
    await card_changes(pool, card_state(config, number, ("p1", household, T0, None)))
    # another member of the household forbade collecting product-level data
    await consent_of(pool, f"other-{household}", household, 1, collection=True)
    receipt = pos_purchase(f"r-{uuid.uuid4().hex}", number, T0 + timedelta(days=1),
                           [("grocery", 1000), ("general", 500)])
    await record(pool, config, receipt)
    row = await pool.fetchrow("SELECT lines, total_cents, bonus_eligible_cents FROM receipts WHERE receipt_id = $1",
                              receipt.receipt_id)
    assert (orjson.loads(row["lines"]), row["total_cents"], row["bonus_eligible_cents"]) == ([], 1500, 1500)


async def stored_detail(pool, receipt_id: str) -> tuple:
    row = await pool.fetchrow("SELECT lines, excluded, total_cents, bonus_eligible_cents FROM receipts"
                              " WHERE receipt_id = $1", receipt_id)
    return (orjson.loads(row["lines"]), orjson.loads(row["excluded"]), row["total_cents"],
            row["bonus_eligible_cents"])


SENSITIVE = [("grocery", 1000), ("medicine", 500), ("alcohol", 900)]


async def test_under_the_no_collection_block_no_line_or_excluded_line_is_stored_or_published(settings, pools):
    pool = pools["purchases"]
    config = PurchasesConfig(settings.secrets.index_key.get_secret_value())
    number, late_number, household = fresh_number(), fresh_number(), f"h-{uuid.uuid4().hex[:8]}"
    await card_changes(pool, card_state(config, number, ("p1", household, T0, None)))
    await consent_of(pool, f"other-{household}", household, 1, collection=True)
    receipt = pos_purchase(f"r-{uuid.uuid4().hex}", number, T0 + timedelta(days=1), SENSITIVE, payment="gift_card")
    late = pos_purchase(f"r-{uuid.uuid4().hex}", late_number, T0 + timedelta(days=1), SENSITIVE)
    await record(pool, config, receipt, late)
    await card_changes(pool, card_state(config, late_number, ("p2", household, T0, None)))  # resolved late
    # the gift card's part is an exclusion of the receipt as a whole: kept, it names no line
    assert await stored_detail(pool, receipt.receipt_id) == (
        [], [{"line_no": None, "reason": "paid_with_gift_card", "cents": 1000}], 2400, 0)
    assert await stored_detail(pool, late.receipt_id) == ([], [], 2400, 1000)
    for sent in (receipt, late):
        [event] = await accepted_for(pool, sent.receipt_id)
        assert all(e["line_no"] is None for e in event["excluded"])
        assert "medicine" not in orjson.dumps(event).decode() and "alcohol" not in orjson.dumps(event).decode()
        assert event["total_cents"] == 2400


async def test_applying_the_block_removes_the_line_detail_of_the_households_stored_receipts(settings, pools):
    pool = pools["purchases"]
    config = PurchasesConfig(settings.secrets.index_key.get_secret_value())
    household, neighbour = f"h-{uuid.uuid4().hex[:8]}", f"h-{uuid.uuid4().hex[:8]}"
    mine, theirs, moved = fresh_number(), fresh_number(), T0 + timedelta(days=5)
    await card_changes(pool, card_state(config, mine, (f"p-{household}", household, T0, moved),
                                        (f"p-{household}", neighbour, moved, None)))
    await card_changes(pool, card_state(config, theirs, (f"q-{neighbour}", neighbour, T0, None)))
    ours = pos_purchase(f"r-{uuid.uuid4().hex}", mine, T0 + timedelta(days=1), SENSITIVE)
    after_moving = pos_purchase(f"r-{uuid.uuid4().hex}", mine, T0 + timedelta(days=6), SENSITIVE)
    neighbours = pos_purchase(f"r-{uuid.uuid4().hex}", theirs, T0 + timedelta(days=1), SENSITIVE)
    await record(pool, config, ours, after_moving, neighbours)
    assert len((await stored_detail(pool, ours.receipt_id))[0]) == 3

    await consent_of(pool, f"p-{household}", household, 1, collection=True)

    assert await stored_detail(pool, ours.receipt_id) == ([], [], 2400, 1000)
    for untouched in (after_moving, neighbours):  # another household's receipts keep their detail
        lines, excluded, _, _ = await stored_detail(pool, untouched.receipt_id)
        assert len(lines) == 3 and sorted(e["reason"] for e in excluded) == ["alcohol", "medicine"]


async def test_a_household_that_forbade_targeting_keeps_the_lines_flagged(settings, pools):
    pool = pools["purchases"]
    config = PurchasesConfig(settings.secrets.index_key.get_secret_value())
    number, household = fresh_number(), f"h-{uuid.uuid4().hex[:8]}"
    await card_changes(pool, card_state(config, number, ("p1", household, T0, None)))
    await consent_of(pool, "p1", household, 2, targeting=True)
    await consent_of(pool, "p1", household, 1)  # an older state arrives late: changes nothing
    receipt = pos_purchase(f"r-{uuid.uuid4().hex}", number, T0 + timedelta(days=1), [("grocery", 1000)])
    await record(pool, config, receipt)
    row = await pool.fetchrow("SELECT lines, product_data_targeting_blocked FROM receipts WHERE receipt_id = $1",
                              receipt.receipt_id)
    assert len(orjson.loads(row["lines"])) == 1 and row["product_data_targeting_blocked"] is True


async def test_receipts_are_stored_in_the_partition_of_their_helsinki_month(settings, pools):
    pool = pools["purchases"]
    config = PurchasesConfig(settings.secrets.index_key.get_secret_value())
    number = fresh_number()
    await card_changes(pool, card_state(config, number, ("p1", "h1", T0 - timedelta(days=400), None)))
    # 22:30 UTC on 31 January is 00:30 on 1 February in Helsinki: a February receipt.
    late_january_utc = pos_purchase(f"r-{uuid.uuid4().hex}", number, datetime(2034, 1, 31, 22, 30, tzinfo=timezone.utc),
                                    [("grocery", 1000)])
    march = pos_purchase(f"r-{uuid.uuid4().hex}", number, datetime(2034, 3, 15, 12, tzinfo=timezone.utc),
                         [("grocery", 2000)])
    await record(pool, config, late_january_utc, march)
    where = {r["receipt_id"]: r["partition"] for r in await pool.fetch(
        "SELECT receipt_id, tableoid::regclass::text AS partition FROM receipts WHERE receipt_id = ANY($1::text[])",
        [late_january_utc.receipt_id, march.receipt_id])}
    assert where == {late_january_utc.receipt_id: "receipts_2034_02", march.receipt_id: "receipts_2034_03"}


async def test_retention_drops_whole_months_and_deletes_the_rest_before_the_cut_off(settings, pools):
    from services.purchases.adapters.retention import receipts_before
    pool = pools["purchases"]
    config = PurchasesConfig(settings.secrets.index_key.get_secret_value())
    number = fresh_number()
    await card_changes(pool, card_state(config, number, ("p1", "h1", datetime(2001, 1, 1, tzinfo=timezone.utc), None)))
    at = [datetime(2002, 5, 10, tzinfo=timezone.utc), datetime(2002, 6, 3, tzinfo=timezone.utc),
          datetime(2002, 6, 20, tzinfo=timezone.utc)]
    receipts = [pos_purchase(f"r-{uuid.uuid4().hex}", number, t, [("grocery", 500)]) for t in at]
    await record(pool, config, *receipts)
    async with pool.acquire() as conn, conn.transaction():
        erased = await receipts_before(conn, datetime(2002, 6, 10, tzinfo=timezone.utc))
    assert erased == 2
    assert await pool.fetchval("SELECT to_regclass('receipts_2002_05')") is None  # May dropped whole
    rows = await pool.fetch("SELECT receipt_id FROM receipts WHERE purchased_at < '2003-01-01'")
    left = {r["receipt_id"] for r in rows}
    assert left == {receipts[2].receipt_id}
    assert await pool.fetchval("SELECT count(*) FROM receipt_ids WHERE receipt_id = ANY($1::text[])",
                               [r.receipt_id for r in receipts]) == 1


async def published_event(pool, receipt_id: str):
    """The outbox row of the receipt's accepted event: its value and headers as the relay sends them."""
    for row in await pool.fetch("SELECT key, value, headers FROM outbox WHERE topic = 'purchases.accepted.v1'"):
        if orjson.loads(row["value"])["receipt_id"] == receipt_id:
            headers = header_pairs(row["headers"])
            return row["key"], row["value"], Envelope.from_headers(headers, "purchases.accepted.v1", row["value"])
    raise AssertionError(f"no accepted event for {receipt_id}")


async def test_the_event_built_in_the_database_is_the_contract_with_its_envelope(settings, pools):
    pool = pools["purchases"]
    config = PurchasesConfig(settings.secrets.index_key.get_secret_value())
    number = fresh_number()
    await card_changes(pool, card_state(config, number, ("p7", "h7", T0, None)))
    receipt = pos_purchase(f"r-{uuid.uuid4().hex}", number, T0 + timedelta(days=2),
                           [("grocery", 1500), ("alcohol", 900)], cooperative="arina")
    cause = incoming(receipt)
    async with pool.acquire() as conn, conn.transaction():
        await record_purchases(conn, [cause], config)
    key, value, envelope = await published_event(pool, receipt.receipt_id)
    event = PurchaseAccepted.model_validate_json(value)  # every field, strictly (unknown ones refused)
    assert key == b"h7"
    assert (event.household_id, event.person_id, event.cooperative_id, event.outlet_cooperative_id) == \
        ("h7", "p7", "hok-elanto", "arina")
    assert event.purchased_at == receipt.purchased_at
    assert (event.total_cents, event.bonus_eligible_cents) == (2400, 1500)
    assert [(e.reason, e.cents) for e in event.excluded] == [("alcohol", 900)]
    assert (envelope.type, envelope.source, envelope.subject) == (
        PURCHASES_ACCEPTED.event_type, "coopreg/purchases", receipt.receipt_id)
    assert envelope.correlationid == cause.envelope.id and envelope.cooperative == "hok-elanto"
    assert envelope.time.tzinfo is not None


async def test_a_receipt_resolved_late_is_published_with_the_card_states_correlation(settings, pools):
    pool = pools["purchases"]
    config = PurchasesConfig(settings.secrets.index_key.get_secret_value())
    number = fresh_number()
    receipt = pos_purchase(f"r-{uuid.uuid4().hex}", number, T0 + timedelta(days=3), [("grocery", 700)])
    await record(pool, config, receipt)
    state = incoming(card_state(config, number, ("p8", "h8", T0, None)))
    async with pool.acquire() as conn, conn.transaction():
        await when_card_changes_resolve_waiting_receipts(conn, [state])
    _, value, envelope = await published_event(pool, receipt.receipt_id)
    assert PurchaseAccepted.model_validate_json(value).household_id == "h8"
    assert envelope.correlationid == state.envelope.id
