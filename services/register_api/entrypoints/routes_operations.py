"""Routes of the register's own operations that disclose personal data: the tax authority report (finance)
and the opening of a sealed dead letter (operations). Both are audited reads (`PolicedRoute`)."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, ConfigDict, Field

from services.register_api.application import dead_letters, tax_reports
from services.register_api.application.context import RegisterApi
from services.register_api.domain.access import PERSON_ID, Principal
from services.register_api.entrypoints.auth import current_principal, current_purpose
from services.register_api.entrypoints.errors import ERROR_RESPONSES
from services.register_api.entrypoints.policed_route import OrjsonResponse, PolicedRoute
from services.register_api.entrypoints.routes_persons import READ, api_of

router = APIRouter(route_class=PolicedRoute, responses=ERROR_RESPONSES, tags=["operations"])


class DeadLetterOpening(BaseModel):
    """Which dead letter is opened, and whom it is about (the person it is sealed for, and any person its
    opened value names)."""

    model_config = ConfigDict(extra="forbid")
    topic: str = Field(min_length=1, max_length=249, pattern=r"^[A-Za-z0-9._-]+$")
    partition: int = Field(ge=0, le=100_000)
    offset: int = Field(ge=0)
    person_ids: list[Annotated[str, Field(pattern=PERSON_ID.pattern)]] = Field(default_factory=list, max_length=50)


@router.get("/tax-reports/{year}", openapi_extra=READ,
            summary="The tax authority report of a year: interest and refunded capital per member (finance only)")
async def tax_report(year: int = Path(ge=2000, le=2200), api: RegisterApi = Depends(api_of),
                     principal: Principal = Depends(current_principal), purpose: str = Depends(current_purpose)):
    return OrjsonResponse(await tax_reports.tax_report(api, principal, year))


@router.post("/dead-letters/openings", openapi_extra=READ,
             summary="Record that a sealed dead letter is opened, before its (masked) value is shown")
async def open_dead_letter(opening: DeadLetterOpening, principal: Principal = Depends(current_principal),
                           purpose: str = Depends(current_purpose)):
    return OrjsonResponse(dead_letters.opening(principal, opening.topic, opening.partition, opening.offset,
                                               opening.person_ids))
