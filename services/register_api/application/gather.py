"""A person's data gathered from every service's read endpoint, by section, in parallel."""
from __future__ import annotations

import asyncio
from datetime import datetime, timezone

from services.bonus.application.read_person import bonus_part, month_to_date_part
from services.cards.application.read_person import cards_part
from services.consent.application.read_person import consents_part, segments_part
from services.membership.application.read_person import person_part
from services.purchases.application.read_person import purchases_part
from services.register_api.application.context import RegisterApi
from services.register_api.domain.sections import SECTIONS, services_for


def _periods(household: dict) -> list[tuple]:
    return [(p["household_id"], p["valid_from"], p["valid_to"]) for p in household["history"]]


async def _cards(api: RegisterApi, person_id: str, membership: dict) -> dict:
    async with api.pools["cards"].acquire() as conn:
        return await cards_part(conn, person_id)


async def _purchases(api: RegisterApi, person_id: str, membership: dict) -> dict:
    async with api.pools["purchases"].acquire() as conn:
        return {"purchases": await purchases_part(conn, person_id)}


async def _bonus(api: RegisterApi, person_id: str, membership: dict) -> dict:
    async with api.pools["bonus"].acquire() as conn:
        part = await bonus_part(conn, person_id, _periods(membership["household"]))
        now = datetime.now(timezone.utc)
        return {"bonus": {**part, "month_to_date": await month_to_date_part(
            conn, membership["household"]["household_id"], now)}}


async def _consent(api: RegisterApi, person_id: str, membership: dict) -> dict:
    """The register's prohibition and non-disclosure (membership) with the blocks and permissions in force,
    and the marketing segments the person is in."""
    async with api.pools["consent"].acquire() as conn:
        return {"consents": {**membership["consents"], **await consents_part(conn, person_id)},
                "segments": await segments_part(conn, person_id)}


PARTS = {"cards": _cards, "purchases": _purchases, "bonus": _bonus, "consent": _consent}


async def gather(api: RegisterApi, person_id: str, sections: list[str]) -> dict | None:
    """The requested sections of the person's data; None when the register knows no such person."""
    async with api.pools["membership"].acquire() as conn:
        membership = await person_part(conn, person_id, api.membership)
    if membership is None:
        return None
    membership["person"]["pseudonym"] = api.pseudonym(person_id)
    # a section of its own (its own scope): the household's customer group and the person's supporter groups
    membership["customer_groups"] = membership["household"].pop("customer_groups")
    wanted = sorted(services_for(sections) - {"membership"})
    parts = await asyncio.gather(*(PARTS[name](api, person_id, membership) for name in wanted))
    everything = {**membership, **{k: v for part in parts for k, v in part.items()}}
    return {section: everything[section] for section in SECTIONS if section in sections}
