"""Use cases: the Double Bonus campaigns, listed, created and ended by the cooperatives' finance staff.

The bonus service owns them: a list is asked of its endpoint, a change is its command on `bonus.campaigns.v1`
staged in the API's outbox with its audit entry in one transaction (published if and only if audited). A
campaign is about no person, so the command is not sealed and the entry names no one. What the service would
refuse (an end before the start, a start already past) is checked by the service's own rules first, and the id
against what it has, so it is a 422 or 409 here and not a dead letter."""
from __future__ import annotations

from datetime import datetime, timedelta

from contracts.envelope import Envelope
from contracts.events.bonus_campaigns import CampaignCommand, CreateDoubleBonusCampaign, EndDoubleBonusCampaign
from contracts.subjects import Campaigns, CampaignsRequest, CommandCheck
from contracts.topics import BONUS_CAMPAIGNS
from services.register_api.adapters import audit_log
from services.register_api.application.context import SOURCE, RegisterApi
from services.register_api.application.errors import Conflict, Invalid, NotFound
from services.register_api.domain.access import Principal, check_scope
from shared import outbox

READ_SCOPE, CHANGE_SCOPE = "bonus_campaign:read", "bonus_campaign:change"
# A command reaches the bonus service within seconds through the outbox; a start closer than this could pass
# before the service applies it, which then refuses it (a campaign never reaches back).
START_LEAD = timedelta(minutes=2)


async def _campaigns(api: RegisterApi, query: CampaignsRequest) -> Campaigns:
    return await api.services.ask("bonus", "campaigns", query)


async def listed(api: RegisterApi, principal: Principal, cooperative_id: str | None, current_only: bool) -> dict:
    check_scope(principal, READ_SCOPE)
    answer = await _campaigns(api, CampaignsRequest(cooperative_id=cooperative_id, current_only=current_only))
    return {"campaigns": [c.model_dump(mode="json") for c in answer.campaigns]}


async def _publish(api: RegisterApi, principal: Principal, purpose: str, command: CampaignCommand,
                   operation: str, fields: list[str]) -> dict:
    inner = command.root
    envelope = Envelope(source=SOURCE, type=BONUS_CAMPAIGNS.event_type)
    entry = audit_log.AuditEntry(principal.user, tuple(principal.roles), "change", operation, (), tuple(fields),
                                 purpose)
    async with api.own.acquire() as conn, conn.transaction():
        await outbox.add(conn, [outbox.OutgoingEvent(BONUS_CAMPAIGNS.name, inner.campaign_id, envelope, command)])
        await audit_log.append(conn, entry)
    return {"change": {"change_id": envelope.id, "command": inner.command, "campaign_id": inner.campaign_id,
                       "fields": sorted(fields), "status": "accepted", "topic": BONUS_CAMPAIGNS.name},
            "campaign": inner.model_dump(mode="json", exclude={"command"})}


async def _check(api: RegisterApi, command: CampaignCommand) -> None:
    result = await api.services.ask("bonus", "check", CommandCheck(command=command.model_dump(mode="json")))
    if result.violation:
        raise Invalid(result.violation, result.message or result.violation, public=True)


async def create(api: RegisterApi, principal: Principal, purpose: str, *, campaign_id: str, cooperative_id: str,
                 name: str, outlet_ids: list[str], starts_at: datetime, ends_at: datetime) -> dict:
    check_scope(principal, CHANGE_SCOPE)
    command = CampaignCommand(CreateDoubleBonusCampaign(
        command="create_campaign", campaign_id=campaign_id, cooperative_id=cooperative_id, name=name,
        outlet_ids=outlet_ids, starts_at=starts_at, ends_at=ends_at))
    await _check(api, command)
    if starts_at < api.clock() + START_LEAD:
        raise Invalid("campaign_starts_too_soon", "a campaign must start at least two minutes from now, so that "
                                                  "it is in force before its first purchase", public=True)
    if (await _campaigns(api, CampaignsRequest(campaign_id=campaign_id))).campaigns:
        raise Conflict("campaign_exists", "a campaign with this id exists")
    return await _publish(api, principal, purpose, command, "create_campaign",
                          ["campaign_id", "cooperative_id", "name", "outlet_ids", "starts_at", "ends_at"])


async def end(api: RegisterApi, principal: Principal, purpose: str, campaign_id: str, ends_at: datetime | None) -> dict:
    check_scope(principal, CHANGE_SCOPE)
    found = (await _campaigns(api, CampaignsRequest(campaign_id=campaign_id))).campaigns
    if not found:
        raise NotFound("no such campaign")
    now = api.clock()
    if found[0].ends_at <= now:
        raise Conflict("campaign_already_ended", "the campaign has already ended")
    command = CampaignCommand(EndDoubleBonusCampaign(command="end_campaign", campaign_id=campaign_id,
                                                     ends_at=ends_at or now))
    return await _publish(api, principal, purpose, command, "end_campaign", ["campaign_id", "ends_at"])
