"""Routes of the disclosure log: staff with the right role record what they disclosed to an authority on its
lawful request. The person's entries are read as the `disclosures` section of their data and extract."""
from __future__ import annotations

from fastapi import APIRouter, Depends

from services.register_api.application import disclosures
from services.register_api.application.context import RegisterApi
from services.register_api.domain.access import Principal
from services.register_api.entrypoints import schemas
from services.register_api.entrypoints.auth import current_principal, current_purpose
from services.register_api.entrypoints.errors import ERROR_RESPONSES
from services.register_api.entrypoints.policed_route import PolicedRoute
from services.register_api.entrypoints.routes_persons import CHANGE, PERSON, api_of

router = APIRouter(route_class=PolicedRoute, responses=ERROR_RESPONSES, tags=["rights"])


@router.post("/persons/{person_id}/disclosures", status_code=201, openapi_extra=CHANGE,
             summary="Record a disclosure to an authority on its lawful request (legal basis and reference required)")
async def record_disclosure(disclosure: schemas.AuthorityDisclosure, person_id: str = PERSON,
                            api: RegisterApi = Depends(api_of), principal: Principal = Depends(current_principal),
                            purpose: str = Depends(current_purpose)):
    return await disclosures.record_authority_request(
        api, principal, purpose, person_id, recipient=disclosure.recipient, data=disclosure.data,
        legal_basis=disclosure.legal_basis, reference=disclosure.reference, disclosed_at=disclosure.disclosed_at)
