"""PostgreSQL repository of the registrations kept over time: partner registrations and supporter groups
(per person, one table each, the same shape) and the household's customer group."""
from __future__ import annotations

from datetime import datetime
from enum import Enum

import asyncpg

from shared.db import Connection


class PersonRegistration(Enum):
    """A person's registration kind: its table and the column naming what they are registered with."""

    PARTNER = ("partner_registrations", "partner_id")
    SUPPORTER_GROUP = ("supporter_groups", "group_id")

    @property
    def table(self) -> str:
        return self.value[0]

    @property
    def ref(self) -> str:
        return self.value[1]


async def periods(conn: Connection, kind: PersonRegistration, person_id: str,
                  ref: str) -> list[asyncpg.Record]:
    return await conn.fetch(f"SELECT valid_from, valid_to FROM {kind.table} WHERE person_id = $1"
                            f" AND {kind.ref} = $2 ORDER BY valid_from", person_id, ref)


async def partner_periods_of(conn: Connection, person_id: str) -> list[asyncpg.Record]:
    """Every partner registration of the person, ended ones included (its history is what is published)."""
    return await conn.fetch("SELECT partner_id, valid_from, valid_to FROM partner_registrations"
                            " WHERE person_id = $1 ORDER BY partner_id, valid_from", person_id)


async def add(conn: Connection, kind: PersonRegistration, person_id: str, ref: str, valid_from: datetime,
              valid_to: datetime | None) -> None:
    await conn.execute(f"INSERT INTO {kind.table} (person_id, {kind.ref}, valid_from, valid_to)"
                       " VALUES ($1, $2, $3, $4)", person_id, ref, valid_from, valid_to)


async def end(conn: Connection, kind: PersonRegistration, person_id: str, ref: str, valid_from: datetime,
              at: datetime) -> None:
    await conn.execute(f"UPDATE {kind.table} SET valid_to = $4 WHERE person_id = $1 AND {kind.ref} = $2"
                       " AND valid_from = $3", person_id, ref, valid_from, at)


async def end_all_of(conn: Connection, person_id: str, at: datetime) -> None:
    """Every registration of the person ends at `at` (a death): those starting later are dropped."""
    for kind in PersonRegistration:
        await conn.execute(f"DELETE FROM {kind.table} WHERE person_id = $1 AND valid_from >= $2", person_id, at)
        await conn.execute(f"UPDATE {kind.table} SET valid_to = $2 WHERE person_id = $1"
                           " AND (valid_to IS NULL OR valid_to > $2)", person_id, at)


async def current_household_group(conn: Connection, household_id: str) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT group_code, valid_from FROM customer_groups"
                               " WHERE household_id = $1 AND valid_to IS NULL", household_id)


async def end_household_group(conn: Connection, household_id: str, at: datetime) -> None:
    """The household's current group ends at `at` (one that would only start later is dropped)."""
    await conn.execute("DELETE FROM customer_groups WHERE household_id = $1 AND valid_to IS NULL"
                       " AND valid_from >= $2", household_id, at)
    await conn.execute("UPDATE customer_groups SET valid_to = $2 WHERE household_id = $1 AND valid_to IS NULL"
                       " AND valid_from < $2", household_id, at)


async def start_household_group(conn: Connection, household_id: str, group_id: str,
                                at: datetime) -> None:
    await conn.execute("INSERT INTO customer_groups (household_id, group_code, valid_from) VALUES ($1, $2, $3)",
                       household_id, group_id, at)
