"""The services' named reads for the operator's tools (chaos, demo, benchmarks, the erasure proof) on real
PostgreSQL: each runs on the operator's connection, which looks across schemas, and on the owning
service's own, and answers in named records."""
from __future__ import annotations

from datetime import date, datetime, timezone

import asyncpg

from services.bonus.adapters import reads as bonus_reads
from services.consent.adapters import reads as consent_reads
from services.membership.adapters import reads as membership_reads
from services.purchases.adapters import reads as purchases_reads
from shared import outbox

FAR_MONTH = date(2091, 3, 1)  # no test books anything for it


async def _operator(settings) -> asyncpg.Connection:
    pg = settings.pg
    return await asyncpg.connect(host=pg.host, port=pg.port, user=pg.user, database=pg.database,
                                 password=pg.password.get_secret_value())


async def test_the_reads_answer_on_the_operator_s_connection_in_named_records(settings):
    conn = await _operator(settings)
    try:
        storing = await purchases_reads.storing_progress(conn)
        assert storing._fields == ("stored", "unresolved", "outbox") and storing.unresolved <= storing.stored
        booking = await bonus_reads.booking_progress(conn)
        assert booking.booked == await bonus_reads.purchases_booked(conn) == len(
            await bonus_reads.booked_households(conn))
        statuses = await purchases_reads.receipt_statuses(conn)
        assert len(statuses) == storing.stored
        assert await purchases_reads.receipts_stored_like(conn, "%") == storing.stored
        assert len(await purchases_reads.storing_delays_ms(conn, "%")) == storing.stored
        assert await purchases_reads.receipts_seen_since(conn, "no-such-run-%", datetime.now(timezone.utc)) == 0
        assert await purchases_reads.conflicting_receipts(conn) <= set(statuses)
        assert await purchases_reads.cards_known(conn) >= 0
        assert await purchases_reads.card_allocations_of(conn, "p-nobody") == 0
        for accrual in await bonus_reads.accruals(conn):
            assert accrual.receipts >= 0 and accrual.totals.bonus_cents is not None
        assert await bonus_reads.month_status(conn, FAR_MONTH) is None
        assert await bonus_reads.month_announced(conn, FAR_MONTH) is None
        assert await bonus_reads.payouts_published(conn, FAR_MONTH) is False
        assert FAR_MONTH not in await bonus_reads.months_not_open(conn)
        assert await bonus_reads.statements_written(conn, FAR_MONTH) == 0
        closed = await bonus_reads.closed_statements(conn)
        assert closed._fields == ("households", "payouts") and closed.households >= 0
        assert isinstance(await bonus_reads.outbox_empty(conn), bool)
        assert await bonus_reads.purchases_booked_for(conn, "p-nobody") == 0
        assert await membership_reads.persons_registered(conn, ["p-nobody"]) == 0
        assert await membership_reads.current_household_members(conn, "h-nobody") == 0
        assert await membership_reads.household_dissolved(conn, "h-nobody") is None
        assert await membership_reads.updates_ignored_as_erased(conn, ["dvv", "sbank"]) >= 0
        assert await consent_reads.segment_places_of(conn, "no-such-segment", "p-nobody") == 0
        assert await consent_reads.segment_places(conn) >= 0
        assert await membership_reads.persons_known(conn) >= await membership_reads.persons_registered(conn, [])
        assert await membership_reads.households_known(conn) >= 0
        assert 0 <= await membership_reads.members_in_households(conn) <= await membership_reads.persons_known(conn)
        assert await purchases_reads.cards_in_households(conn) >= 0
        assert await purchases_reads.partner_registrations_kept(conn) >= 0
        unresolved = await purchases_reads.unresolved_receipts(conn, 5)
        assert len(unresolved) <= 5 and "accepted" not in unresolved.values()
        assert await bonus_reads.purchases_booked_in(conn, FAR_MONTH) == 0
        assert [await outbox.staged(conn, schema) >= 0 for schema in ("bonus", "purchases")] == [True, True]
    finally:
        await conn.close()


async def test_the_reads_answer_on_the_owning_service_s_own_connection(pools):
    async with pools["bonus"].acquire() as conn:
        assert await bonus_reads.month_status(conn, FAR_MONTH) is None
        assert (await bonus_reads.booking_progress(conn)).booked >= 0
    async with pools["purchases"].acquire() as conn:
        assert (await purchases_reads.storing_progress(conn)).stored >= 0
    async with pools["membership"].acquire() as conn:
        assert await membership_reads.household_dissolved(conn, "h-nobody") is None
    async with pools["consent"].acquire() as conn:
        assert await consent_reads.segment_places_of(conn, "no-such-segment", "p-nobody") == 0
