"""Routes: find a person, see their data by section, and change them. Each route only translates HTTP into
a use case; the field policy and the audit of reads are applied by `PolicedRoute`."""
from __future__ import annotations

from enum import Enum

from fastapi import APIRouter, Depends, Path, Query, Request

from services.register_api.application import changes, views
from services.register_api.application.context import RegisterApi
from services.register_api.domain.access import Principal
from services.register_api.domain.sections import SECTIONS
from services.register_api.entrypoints import schemas
from services.register_api.entrypoints.auth import current_principal, current_purpose
from services.register_api.entrypoints.errors import ERROR_RESPONSES
from services.register_api.entrypoints.policed_route import OrjsonResponse, PolicedRoute

Section = Enum("Section", {name: name for name in SECTIONS}, type=str)  # type: ignore[misc]  # members from data
READ, CHANGE = {"x-audit": "read"}, {"x-audit": "change"}
MAX_SECTIONS = len(SECTIONS)
PERSON = Path(pattern=r"^[A-Za-z0-9._:-]{1,64}$", description="the register's person id")
router = APIRouter(route_class=PolicedRoute, responses=ERROR_RESPONSES, tags=["persons"])


def api_of(request: Request) -> RegisterApi:
    return request.app.state.api


@router.post("/persons/search", openapi_extra=READ, summary="Find a person by customer number, card or identity code")
async def search_persons(search: schemas.PersonSearch, api: RegisterApi = Depends(api_of),
                         principal: Principal = Depends(current_principal), purpose: str = Depends(current_purpose)):
    return await views.find_person(api, principal, customer_number=search.customer_number,
                                   card_number=search.card_number, identity_code=search.identity_code,
                                   household_id=search.household_id)


@router.get("/persons/{person_id}", openapi_extra=READ, summary="A person's data, by section")
async def get_person(person_id: str = PERSON, sections: list[Section] | None = Query(None, max_length=MAX_SECTIONS),
                     api: RegisterApi = Depends(api_of), principal: Principal = Depends(current_principal),
                     purpose: str = Depends(current_purpose)):
    return OrjsonResponse(await views.person_view(api, principal, person_id,
                                                 [s.value for s in sections] if sections else None))


@router.get("/persons/{person_id}/{section}", openapi_extra=READ, summary="One section of a person's data")
async def get_person_section(section: Section, person_id: str = PERSON, api: RegisterApi = Depends(api_of),
                             principal: Principal = Depends(current_principal),
                             purpose: str = Depends(current_purpose)):
    return OrjsonResponse(await views.person_view(api, principal, person_id, [section.value]))


@router.patch("/persons/{person_id}/contact", status_code=202, openapi_extra=CHANGE, summary="Rectify contact data")
async def rectify_contact_data(change: schemas.ContactChange, person_id: str = PERSON,
                               api: RegisterApi = Depends(api_of), principal: Principal = Depends(current_principal),
                               purpose: str = Depends(current_purpose)):
    return await changes.rectify_contact_data(api, principal, purpose, person_id,
                                              change.model_dump(exclude_defaults=True, mode="python"))


@router.patch("/persons/{person_id}/personal-data", status_code=202, openapi_extra=CHANGE,
              summary="Rectify personal data: children living at home, the joining outlet, staff data (names "
                      "come only from the population register and are refused)")
async def rectify_personal_data(change: schemas.PersonalDataChange, person_id: str = PERSON,
                                api: RegisterApi = Depends(api_of), principal: Principal = Depends(current_principal),
                                purpose: str = Depends(current_purpose)):
    return await changes.rectify_personal_data(api, principal, purpose, person_id,
                                               change.model_dump(exclude_none=True, mode="python"))


@router.put("/persons/{person_id}/benefit-account", status_code=202, openapi_extra=CHANGE,
            summary="Change the member's benefit payment account (the previous one is kept as history)")
async def change_benefit_account(change: schemas.BenefitAccountChange, person_id: str = PERSON,
                                 api: RegisterApi = Depends(api_of), principal: Principal = Depends(current_principal),
                                 purpose: str = Depends(current_purpose)):
    return await changes.change_benefit_account(api, principal, purpose, person_id, change.iban, change.account_type)


@router.put("/persons/{person_id}/marketing-prohibition", status_code=202, openapi_extra=CHANGE,
            summary="Prohibit (or allow again) direct marketing and market research")
async def set_marketing_prohibition(change: schemas.MarketingProhibition, person_id: str = PERSON,
                                    api: RegisterApi = Depends(api_of),
                                    principal: Principal = Depends(current_principal),
                                    purpose: str = Depends(current_purpose)):
    return await changes.set_marketing_prohibition(api, principal, purpose, person_id, change.prohibited)


@router.put("/persons/{person_id}/blocks", status_code=202, openapi_extra=CHANGE, summary="Set or lift a block")
async def set_block(change: schemas.BlockChange, person_id: str = PERSON, api: RegisterApi = Depends(api_of),
                    principal: Principal = Depends(current_principal), purpose: str = Depends(current_purpose)):
    return await changes.set_block(api, principal, purpose, person_id, change.block, change.blocked)


@router.put("/persons/{person_id}/permissions", status_code=202, openapi_extra=CHANGE,
            summary="Grant or withdraw a marketing permission (e-mail, SMS)")
async def set_permission(change: schemas.PermissionChange, person_id: str = PERSON, api: RegisterApi = Depends(api_of),
                         principal: Principal = Depends(current_principal), purpose: str = Depends(current_purpose)):
    return await changes.set_permission(api, principal, purpose, person_id, change.channel, change.granted)


@router.put("/persons/{person_id}/choices", status_code=202, openapi_extra=CHANGE,
            summary="Choose or withdraw a service the customer asks for (e-receipts)")
async def set_choice(change: schemas.ChoiceChange, person_id: str = PERSON, api: RegisterApi = Depends(api_of),
                     principal: Principal = Depends(current_principal), purpose: str = Depends(current_purpose)):
    return await changes.set_choice(api, principal, purpose, person_id, change.choice, change.chosen)


@router.post("/persons/{person_id}/household/invitations", status_code=202, openapi_extra=CHANGE,
             summary="The main member invites a person to the household")
async def invite_to_household(invitation: schemas.Invitation, person_id: str = PERSON,
                              api: RegisterApi = Depends(api_of), principal: Principal = Depends(current_principal),
                              purpose: str = Depends(current_purpose)):
    return await changes.invite_to_household(api, principal, purpose, person_id, invitation.invitee_person_id)


@router.post("/persons/{person_id}/household/invitations/{invitation_id}/accept", status_code=202,
             openapi_extra=CHANGE, summary="The invitee accepts an invitation")
async def accept_invitation(person_id: str = PERSON, invitation_id: str = Path(pattern=r"^[A-Za-z0-9._:-]{1,64}$"),
                            api: RegisterApi = Depends(api_of), principal: Principal = Depends(current_principal),
                            purpose: str = Depends(current_purpose)):
    return await changes.accept_invitation(api, principal, purpose, person_id, invitation_id)


@router.post("/persons/{person_id}/household/leave", status_code=202, openapi_extra=CHANGE,
             summary="The person leaves their household")
async def leave_household(person_id: str = PERSON, api: RegisterApi = Depends(api_of),
                          principal: Principal = Depends(current_principal), purpose: str = Depends(current_purpose)):
    return await changes.leave_household(api, principal, purpose, person_id)
