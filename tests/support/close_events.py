"""The events the bonus service's close publisher sends for a month, built from its statements as the
publisher builds them (services/bonus/application/publish_close.py), without sending them: for tests that
check what a close pays on the database alone."""
from __future__ import annotations

from datetime import date

import orjson

from services.bonus.application.publish_close import FEEDS, ClosedMonth


async def close_events_of(pool, month: date) -> list[tuple[str, str, dict, dict[str, str]]]:
    """(topic, household, value, headers) of every payout and statement of the month, feed by feed in key
    order."""
    closed, events = ClosedMonth.of(month), []
    async with pool.acquire() as conn:
        for feed in FEEDS:
            after, built = "", []
            while batch := await feed.read(conn, closed, after, 1000):
                built += [(topic, key.decode(), orjson.loads(value), {k: v.decode() for k, v in headers})
                          for topic, key, value, headers in feed.events(batch, closed)]
                after = batch.through
            events += sorted(built, key=lambda event: event[1])
    return events


async def household_close_events(pool, household: str, topic: str) -> list[tuple[dict, dict[str, str]]]:
    """(value, headers) of a household's events on `topic` from the closes of each of its months."""
    months = [r["month"] for r in await pool.fetch(
        "SELECT month FROM statements WHERE household_id = $1 ORDER BY month", household)]
    return [(value, headers) for month in months for t, key, value, headers in await close_events_of(pool, month)
            if t == topic and key == household]


ACCOUNT = {"account_ref": "test-account", "account_type": "current_account", "last_four": "0000",
           "valid_from": "2030-01-01T00:00:00Z", "sealed_for": "p-test", "iban_sealed": "AA=="}


async def give_benefit_accounts(pool, month: date) -> None:
    """Every household with purchases in the month gets a benefit account as the bonus service keeps it (as
    membership.households.v1 would bring it), unless it has one: without one its payouts would be held."""
    await pool.execute("INSERT INTO household_accounts (household_id, version, benefit_account)"
                       " SELECT DISTINCT household_id, 0, $2::jsonb FROM accruals WHERE month = $1"
                       " ON CONFLICT (household_id) DO UPDATE SET benefit_account = excluded.benefit_account"
                       " WHERE household_accounts.benefit_account IS NULL", month, orjson.dumps(ACCOUNT).decode())
