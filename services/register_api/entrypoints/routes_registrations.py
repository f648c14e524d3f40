"""Routes: a person's registrations kept over time — with Bonus-granting partners, in supporter groups of
associations, and their household's customer group. Each only translates HTTP into a use case
(`application.registrations`); the field policy and the audit are applied by `PolicedRoute`."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Path

from services.register_api.application import registrations
from services.register_api.application.context import RegisterApi
from services.register_api.domain.access import Principal
from services.register_api.entrypoints import schemas
from services.register_api.entrypoints.auth import current_principal, current_purpose
from services.register_api.entrypoints.errors import ERROR_RESPONSES
from services.register_api.entrypoints.policed_route import PolicedRoute
from services.register_api.entrypoints.routes_persons import CHANGE, PERSON, api_of


def _slug():
    """A partner's or a group's id in a path (one Path per parameter: FastAPI names it after the parameter)."""
    return Path(pattern=r"^[A-Za-z0-9._:-]{1,64}$",
                description="2–32 of a-z, 0-9, - (another value is a 422 with the service's reason)")


router = APIRouter(route_class=PolicedRoute, responses=ERROR_RESPONSES, tags=["registrations"])


@router.post("/persons/{person_id}/partner-registrations", status_code=202, openapi_extra=CHANGE,
             summary="Register the person with a Bonus-granting partner for a validity period")
async def register_with_partner(registration: schemas.PartnerRegistration, person_id: str = PERSON,
                                api: RegisterApi = Depends(api_of), principal: Principal = Depends(current_principal),
                                purpose: str = Depends(current_purpose)):
    return await registrations.register_with_partner(api, principal, purpose, person_id, registration.partner_id,
                                                     registration.valid_from, registration.valid_to)


@router.post("/persons/{person_id}/partner-registrations/{partner_id}/end", status_code=202, openapi_extra=CHANGE,
             summary="End the person's registration with the partner now")
async def end_partner_registration(person_id: str = PERSON, partner_id: str = _slug(),
                                   api: RegisterApi = Depends(api_of),
                                   principal: Principal = Depends(current_principal),
                                   purpose: str = Depends(current_purpose)):
    return await registrations.end_partner_registration(api, principal, purpose, person_id, partner_id)


@router.post("/persons/{person_id}/supporter-groups", status_code=202, openapi_extra=CHANGE,
             summary="The person joins an association's supporter group for a validity period")
async def join_supporter_group(group: schemas.SupporterGroup, person_id: str = PERSON,
                               api: RegisterApi = Depends(api_of), principal: Principal = Depends(current_principal),
                               purpose: str = Depends(current_purpose)):
    return await registrations.join_supporter_group(api, principal, purpose, person_id, group.group_id,
                                                    group.valid_from, group.valid_to)


@router.post("/persons/{person_id}/supporter-groups/{group_id}/leave", status_code=202, openapi_extra=CHANGE,
             summary="The person leaves the supporter group now")
async def leave_supporter_group(person_id: str = PERSON, group_id: str = _slug(), api: RegisterApi = Depends(api_of),
                                principal: Principal = Depends(current_principal),
                                purpose: str = Depends(current_purpose)):
    return await registrations.leave_supporter_group(api, principal, purpose, person_id, group_id)


@router.put("/persons/{person_id}/household/customer-group", status_code=202, openapi_extra=CHANGE,
            summary="Set (or end) the customer group of the person's household")
async def set_household_group(group: schemas.HouseholdGroup, person_id: str = PERSON,
                              api: RegisterApi = Depends(api_of), principal: Principal = Depends(current_principal),
                              purpose: str = Depends(current_purpose)):
    return await registrations.set_household_group(api, principal, purpose, person_id, group.group_id,
                                                   group.valid_from)
