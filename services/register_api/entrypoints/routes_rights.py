"""Routes of the data subject's rights and of oversight: register extracts, erasure, the audit log and the
retention runs."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Query
from pydantic import AwareDatetime

from services.register_api.application import erasure, extract, oversight
from services.register_api.application.context import RegisterApi
from services.register_api.domain.access import Principal
from services.register_api.entrypoints.auth import current_principal, current_purpose
from services.register_api.entrypoints.errors import ERROR_RESPONSES
from services.register_api.entrypoints.policed_route import OrjsonResponse, PolicedRoute
from services.register_api.entrypoints.routes_persons import PERSON, READ, api_of
from services.register_api.entrypoints.schemas import ExtractFormat

REQUEST = Path(pattern=r"^[A-Za-z0-9._:-]{1,64}$", description="the extract request's id")
router = APIRouter(route_class=PolicedRoute, responses=ERROR_RESPONSES)


@router.post("/persons/{person_id}/extract-requests", status_code=201, openapi_extra=READ, tags=["rights"],
             summary="Request a register extract (right of access); produced at once, tracked with its deadline")
async def request_extract(person_id: str = PERSON, api: RegisterApi = Depends(api_of),
                          principal: Principal = Depends(current_principal), purpose: str = Depends(current_purpose)):
    return await extract.request_extract(api, principal, person_id)


@router.get("/extract-requests/{request_id}", openapi_extra=READ, tags=["rights"], summary="An extract request")
async def get_extract_request(request_id: str = REQUEST, api: RegisterApi = Depends(api_of),
                              principal: Principal = Depends(current_principal),
                              purpose: str = Depends(current_purpose)):
    return await extract.extract_status(api, principal, request_id)


@router.get("/extract-requests/{request_id}/document", openapi_extra=READ, tags=["rights"],
            summary="Download the extract: JSON, or a human-readable HTML document",
            responses={200: {"content": {"application/json": {}, "text/html": {}}}})
async def download_extract(request_id: str = REQUEST, format: ExtractFormat = "json",
                           api: RegisterApi = Depends(api_of), principal: Principal = Depends(current_principal),
                           purpose: str = Depends(current_purpose)):
    return OrjsonResponse(await extract.extract_document(api, principal, request_id))


@router.post("/persons/{person_id}/erasure", status_code=202, openapi_extra={"x-audit": "erasure"}, tags=["rights"],
             summary="Request the person's erasure everywhere but the statutory member register; every service "
                     "erases its part and reports, then their key is destroyed")
async def erase_person(person_id: str = PERSON, api: RegisterApi = Depends(api_of),
                       principal: Principal = Depends(current_principal), purpose: str = Depends(current_purpose)):
    return await erasure.erase_person(api, principal, purpose, person_id)


@router.get("/erasures/{request_id}", tags=["rights"], summary="An erasure request: each service's status")
async def erasure_request(request_id: str = Path(pattern=r"^e-[0-9a-f-]{36}$"), api: RegisterApi = Depends(api_of),
                          principal: Principal = Depends(current_principal), purpose: str = Depends(current_purpose)):
    return await erasure.erasure_status(api, principal, request_id)


@router.get("/audit", openapi_extra=READ, tags=["oversight"], summary="The audit log, newest first")
async def audit_log(person_id: str | None = Query(None, pattern=r"^[A-Za-z0-9._:-]{1,64}$"),
                    actor: str | None = Query(None, max_length=200), since: AwareDatetime | None = None,
                    limit: int = Query(100, ge=1, le=1000), api: RegisterApi = Depends(api_of),
                    principal: Principal = Depends(current_principal), purpose: str = Depends(current_purpose)):
    return await oversight.audit_entries(api, principal, person_id=person_id, actor=actor, since=since, limit=limit)


@router.get("/retention/runs", openapi_extra=READ, tags=["oversight"], summary="What the retention runs erased")
async def retention_runs(limit: int = Query(20, ge=1, le=200), api: RegisterApi = Depends(api_of),
                         principal: Principal = Depends(current_principal), purpose: str = Depends(current_purpose)):
    return await oversight.retention_runs(api, principal, limit)


@router.post("/retention/runs", tags=["oversight"], summary="Run the retention job now")
async def start_retention_run(api: RegisterApi = Depends(api_of), principal: Principal = Depends(current_principal),
                              purpose: str = Depends(current_purpose)):
    return await oversight.start_retention_run(api, principal)
