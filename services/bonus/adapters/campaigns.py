"""The campaigns table and the outlets pricing reads (double_bonus_campaigns)."""
from __future__ import annotations

from datetime import date, datetime

import asyncpg

from services.bonus.domain.campaigns import Campaign
from shared.db import Connection

_SELECT = ("SELECT c.campaign_id, c.cooperative_id, c.name, c.starts_at, c.ends_at, c.created_at, c.ended_at,"
           " coalesce(array_agg(d.outlet_id ORDER BY d.outlet_id) FILTER (WHERE d.outlet_id IS NOT NULL), '{}')"
           " AS outlet_ids FROM campaigns c LEFT JOIN double_bonus_campaigns d USING (campaign_id)")


def _campaign(row: asyncpg.Record) -> Campaign:
    return Campaign(row["campaign_id"], row["cooperative_id"] or "", row["name"] or "", tuple(row["outlet_ids"]),
                    row["starts_at"], row["ends_at"])


async def find(conn: Connection, campaign_id: str) -> Campaign | None:
    row = await conn.fetchrow(f"{_SELECT} WHERE c.campaign_id = $1 GROUP BY c.campaign_id", campaign_id)
    return _campaign(row) if row else None


async def lock(conn: Connection, campaign_id: str) -> Campaign | None:
    """The campaign, locked against a concurrent end until the transaction ends."""
    await conn.execute("SELECT 1 FROM campaigns WHERE campaign_id = $1 FOR UPDATE", campaign_id)
    return await find(conn, campaign_id)


async def month_statuses(conn: Connection, months: list[date]) -> dict[date, str]:
    """The months that have a status (a month nobody booked into yet is open), shared-locked so that a close
    cannot start under a campaign being created."""
    rows = await conn.fetch("SELECT month, status FROM months WHERE month = ANY($1::date[]) FOR SHARE", months)
    return {r["month"]: r["status"] for r in rows}


async def insert(conn: Connection, campaign: Campaign) -> None:
    await conn.execute("INSERT INTO campaigns (campaign_id, cooperative_id, name, starts_at, ends_at)"
                       " VALUES ($1, $2, $3, $4, $5)", campaign.campaign_id, campaign.cooperative_id, campaign.name,
                       campaign.starts_at, campaign.ends_at)
    await conn.executemany("INSERT INTO double_bonus_campaigns (campaign_id, outlet_id, starts_at, ends_at)"
                           " VALUES ($1, $2, $3, $4)",
                           [(campaign.campaign_id, outlet, campaign.starts_at, campaign.ends_at)
                            for outlet in sorted(set(campaign.outlet_ids))])


async def end(conn: Connection, campaign_id: str, ends_at: datetime, now: datetime) -> None:
    await conn.execute("UPDATE campaigns SET ends_at = $2, ended_at = $3 WHERE campaign_id = $1",
                       campaign_id, ends_at, now)
    await conn.execute("UPDATE double_bonus_campaigns SET ends_at = $2 WHERE campaign_id = $1", campaign_id, ends_at)


async def listed(conn: Connection, campaign_id: str | None, cooperative_id: str | None,
                 ended_after: datetime | None, limit: int) -> list[asyncpg.Record]:
    """Campaigns newest start first: one, of one cooperative or all, and (given `ended_after`) only those not
    ended by then."""
    return await conn.fetch(
        f"{_SELECT} WHERE ($1::text IS NULL OR c.campaign_id = $1) AND ($2::text IS NULL OR c.cooperative_id = $2)"
        " AND ($3::timestamptz IS NULL OR (c.ends_at > $3 AND c.ends_at > c.starts_at))"
        " GROUP BY c.campaign_id ORDER BY c.starts_at DESC, c.campaign_id LIMIT $4", campaign_id, cooperative_id,
        ended_after, limit)
