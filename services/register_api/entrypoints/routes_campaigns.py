"""Routes: the Double Bonus campaigns for the cooperatives' finance staff — listed (asked of the bonus
service), created and ended (its commands, audited as changes with the command they publish)."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Query

from services.register_api.application import campaigns
from services.register_api.application.context import RegisterApi
from services.register_api.domain.access import Principal
from services.register_api.entrypoints import schemas
from services.register_api.entrypoints.auth import current_principal, current_purpose
from services.register_api.entrypoints.errors import ERROR_RESPONSES
from services.register_api.entrypoints.policed_route import OrjsonResponse, PolicedRoute
from services.register_api.entrypoints.routes_persons import CHANGE, READ, api_of

CAMPAIGN = Path(pattern=r"^[A-Za-z0-9._:-]{1,64}$", description="the campaign id")
router = APIRouter(route_class=PolicedRoute, responses=ERROR_RESPONSES, tags=["campaigns"])


@router.get("/campaigns", openapi_extra=READ,
            summary="The Double Bonus campaigns, newest start first (planned, running and ended)")
async def list_campaigns(
        cooperative_id: str | None = Query(None, min_length=1, max_length=64, description="one cooperative's"),
        current: bool = Query(False, description="only those planned or running"),
        api: RegisterApi = Depends(api_of), principal: Principal = Depends(current_principal),
        purpose: str = Depends(current_purpose)):
    return OrjsonResponse(await campaigns.listed(api, principal, cooperative_id, current))


@router.post("/campaigns", status_code=202, openapi_extra=CHANGE,
             summary="Create a Double Bonus campaign at a cooperative's outlets over a period")
async def create_campaign(campaign: schemas.CampaignCreation, api: RegisterApi = Depends(api_of),
                          principal: Principal = Depends(current_principal), purpose: str = Depends(current_purpose)):
    return await campaigns.create(
        api, principal, purpose, campaign_id=campaign.campaign_id, cooperative_id=campaign.cooperative_id,
        name=campaign.name, outlet_ids=campaign.outlet_ids, starts_at=campaign.starts_at, ends_at=campaign.ends_at)


@router.post("/campaigns/{campaign_id}/end", status_code=202, openapi_extra=CHANGE,
             summary="End a Double Bonus campaign now (or at a later time); one not started is called off")
async def end_campaign(end: schemas.CampaignEnd | None = None, campaign_id: str = CAMPAIGN,
                       api: RegisterApi = Depends(api_of), principal: Principal = Depends(current_principal),
                       purpose: str = Depends(current_purpose)):
    return await campaigns.end(api, principal, purpose, campaign_id, end.ends_at if end else None)
