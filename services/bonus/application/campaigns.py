"""Use cases: Double Bonus campaigns created and ended by command (`bonus.campaigns.v1`), and listed for the
register API. Pricing reads the outlets' periods when it books a purchase (book_purchases.py)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone

from contracts.envelope import Envelope
from contracts.events.bonus_campaigns import CreateDoubleBonusCampaign, EndDoubleBonusCampaign
from contracts.subjects import CampaignsRequest
from services.bonus.adapters import campaigns as store
from services.bonus.domain.campaigns import (
    Campaign,
    CampaignExists,
    UnknownCampaign,
    check_months_open,
    check_period,
    effective_end,
    months_of,
)
from shared.commands import UseCase, dispatch
from shared.db import Connection
from shared.delivery import Incoming
from shared.logging import get_logger

log = get_logger(use_case="campaigns")


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class CampaignConfig:
    clock: Callable[[], datetime] = _utc_now


async def create_campaign(conn: Connection, command: CreateDoubleBonusCampaign, cause: Envelope,
                          config: CampaignConfig) -> None:
    campaign = Campaign(command.campaign_id, command.cooperative_id, command.name, tuple(command.outlet_ids),
                        command.starts_at, command.ends_at)
    existing = await store.lock(conn, campaign.campaign_id)
    if existing is not None:
        if existing.same_as(campaign):
            return  # the same creation sent again
        raise CampaignExists("another campaign has this id")
    check_period(campaign.starts_at, campaign.ends_at, config.clock())
    months = months_of(campaign.starts_at, campaign.ends_at)
    check_months_open(await store.month_statuses(conn, months))
    await store.insert(conn, campaign)
    log.info("campaign created", campaign_id=campaign.campaign_id, outlets=len(set(campaign.outlet_ids)))


async def end_campaign(conn: Connection, command: EndDoubleBonusCampaign, cause: Envelope,
                       config: CampaignConfig) -> None:
    campaign = await store.lock(conn, command.campaign_id)
    if campaign is None:
        raise UnknownCampaign("no campaign has this id")
    now = config.clock()
    ends_at = effective_end(campaign, command.ends_at, now)
    await store.end(conn, campaign.campaign_id, ends_at, now)
    log.info("campaign ended", campaign_id=campaign.campaign_id)


USE_CASES: dict[type, UseCase] = {CreateDoubleBonusCampaign: create_campaign, EndDoubleBonusCampaign: end_campaign}


async def when_campaign_commanded(conn: Connection, messages: list[Incoming], config: CampaignConfig) -> None:
    await dispatch(conn, messages, USE_CASES, config)


async def campaign_list(conn: Connection, query: CampaignsRequest, config: CampaignConfig) -> list[dict]:
    now = config.clock()
    rows = await store.listed(conn, query.campaign_id, query.cooperative_id, now if query.current_only else None,
                              query.limit)
    return [{"campaign_id": r["campaign_id"], "cooperative_id": r["cooperative_id"], "name": r["name"],
             "outlet_ids": list(r["outlet_ids"]), "starts_at": r["starts_at"], "ends_at": r["ends_at"],
             "created_at": r["created_at"], "ended_early_at": r["ended_at"],
             "status": _status(r["starts_at"], r["ends_at"], now)}
            for r in rows]


def _status(starts_at: datetime, ends_at: datetime, now: datetime) -> str:
    if ends_at <= starts_at:
        return "called_off"  # ended before it started
    return "planned" if now < starts_at else "running" if now < ends_at else "ended"
