"""Use cases of the right of access: request a register extract, follow it, download it.

The extract gathers every section from every service's read endpoint. It is produced when requested
(tracked with its deadline, one month) and stored sealed under the person's own key, so the download is
exactly what was produced and erasing the person makes it unreadable. Machine-readable JSON; the HTTP
entrypoint also renders it as a human-readable document.
"""
from __future__ import annotations

import hashlib
import uuid

import orjson

from services.register_api.adapters import extract_requests as requests
from services.register_api.application.context import RegisterApi
from services.register_api.application.errors import Conflict, NotFound
from services.register_api.application.gather import gather
from services.register_api.domain.access import Principal, check_person, check_scope, may_act_on
from services.register_api.domain.extract import deadline_for
from services.register_api.domain.sections import SECTIONS
from shared.subject_keys import SubjectErased, seal, unseal

CONTROLLER = "SOK, customer relations (the controller of the S-Group owner-customer and customer register)"


def _public(row) -> dict:
    return {"extract_request": {k: (list(v) if k == "sections" and v else v) for k, v in dict(row).items()}}


async def build_extract(api: RegisterApi, person_id: str) -> dict:
    """Every section of the person's data, with what the extract is."""
    found = await gather(api, person_id, list(SECTIONS))
    if found is None:
        raise NotFound("no such person")
    about = {"person_id": person_id, "generated_at": api.clock(), "controller": CONTROLLER,
             "sections": {name: SECTIONS[name] for name in found},
             "sources": ["membership", "cards", "purchases", "bonus", "consent", "digital"]}
    return {"extract": about, **found}


async def request_extract(api: RegisterApi, principal: Principal, person_id: str) -> dict:
    check_person(principal, "extract:request", person_id)
    request_id, now = f"x-{uuid.uuid4()}", api.clock()
    async with api.own.acquire() as conn:
        await requests.insert(conn, request_id, person_id, principal.user, now, deadline_for(now))
    try:
        document = orjson.dumps(await build_extract(api, person_id), option=orjson.OPT_NON_STR_KEYS)
        async with api.own.acquire() as conn, conn.transaction():
            key = await api.subject_keys.key_for(conn, person_id)
            await requests.complete(conn, request_id, seal(key, person_id, document),
                                    hashlib.sha256(document).hexdigest(), list(SECTIONS), api.clock())
    except (NotFound, SubjectErased):
        async with api.own.acquire() as conn:
            await requests.fail(conn, request_id)
        raise NotFound("no such person") from None
    return await extract_status(api, principal, request_id)


async def _request(api: RegisterApi, principal: Principal, request_id: str):
    check_scope(principal, "extract:read")
    async with api.own.acquire() as conn:
        row = await requests.get(conn, request_id)
    if row is None or not may_act_on(principal, row["person_id"]):
        raise NotFound("no such extract request")
    return row


async def extract_status(api: RegisterApi, principal: Principal, request_id: str) -> dict:
    return _public(await _request(api, principal, request_id))


async def extract_document(api: RegisterApi, principal: Principal, request_id: str) -> dict:
    """The extract as produced; the field policy still trims it for a staff role that reads less."""
    row = await _request(api, principal, request_id)
    if row["status"] != "ready":
        raise Conflict("extract_not_ready", f"the extract is {row['status']}")
    async with api.own.acquire() as conn:
        sealed = await requests.document(conn, request_id)
        keys = await api.subject_keys.keys_of(conn, [row["person_id"]])
    if sealed is None or row["person_id"] not in keys:
        raise Conflict("person_erased", "the person's data were erased")
    return orjson.loads(unseal(keys[row["person_id"]], row["person_id"], sealed))
