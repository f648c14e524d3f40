"""Routes: a household's Bonus month, explained and so far. Audited as reads of every person who belonged to
the household in the month (`PolicedRoute`), even when the month holds nothing."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Query

from services.register_api.application import household_bonus
from services.register_api.application.context import RegisterApi
from services.register_api.domain.access import Principal
from services.register_api.entrypoints.auth import current_principal, current_purpose
from services.register_api.entrypoints.errors import ERROR_RESPONSES
from services.register_api.entrypoints.policed_route import OrjsonResponse, PolicedRoute
from services.register_api.entrypoints.routes_persons import READ, api_of

MONTH_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
HOUSEHOLD = Path(pattern=r"^[A-Za-z0-9._:-]{1,64}$", description="the household id")
router = APIRouter(route_class=PolicedRoute, responses=ERROR_RESPONSES, tags=["households"])


# Declared before `/bonus/{month}`, which would otherwise take `month-to-date` for a month.
@router.get("/households/{household_id}/bonus/month-to-date", openapi_extra=READ,
            summary="A household's Bonus month so far: purchases toward the tier, the rate, euros to the next tier")
async def household_bonus_month_to_date(
        household_id: str = HOUSEHOLD,
        month: str | None = Query(None, pattern=MONTH_PATTERN, description="YYYY-MM (default: this month in "
                                                                            "Finnish time)"),
        api: RegisterApi = Depends(api_of), principal: Principal = Depends(current_principal),
        purpose: str = Depends(current_purpose)):
    return OrjsonResponse(await household_bonus.month_to_date(api, principal, household_id, month))


@router.get("/households/{household_id}/bonus/{month}", openapi_extra=READ,
            summary="A household's Bonus month explained: totals, tier, statement, receipts and adjustments")
async def household_bonus_month(household_id: str = HOUSEHOLD,
                                month: str = Path(pattern=MONTH_PATTERN, description="YYYY-MM"),
                                api: RegisterApi = Depends(api_of), principal: Principal = Depends(current_principal),
                                purpose: str = Depends(current_purpose)):
    return OrjsonResponse(await household_bonus.explained(api, principal, household_id, month))
