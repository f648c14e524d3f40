"""Publishing a change: the command staged in the API's outbox, sealed for the person, with its audit entry
in the same transaction — a change is published if and only if it is audited."""
from __future__ import annotations

from pydantic import BaseModel, RootModel

from contracts.envelope import Envelope
from contracts.subjects import CommandCheck
from contracts.topics import Topic
from services.register_api.adapters import audit_log, sealed_outbox
from services.register_api.application.context import SOURCE, RegisterApi
from services.register_api.application.errors import Conflict, Invalid, NotFound
from services.register_api.application.gather import facts
from services.register_api.domain.access import Principal
from shared.subject_keys import SubjectErased


async def check_known(api: RegisterApi, *person_ids: str) -> None:
    for person_id in person_ids:
        if not (await facts(api, person_id)).known:
            raise NotFound("no such person")


# Refusals whose message is the rule itself, a fixed sentence that says where the data are corrected instead:
# answered to the client (other messages may name the value refused, and are not).
PUBLIC_REASONS = frozenset({"name_from_population_register", "staff_data_from_hr_register"})


async def check_membership_command(api: RegisterApi, command: RootModel) -> None:
    """What the command alone decides, checked by the membership service's own rules before it is sent, so
    a bad phone number or a period ending before it starts is a 422 with its reason, not a dead letter."""
    result = await api.services.ask("membership", "check", CommandCheck(command=command.model_dump(mode="json")))
    if result.violation:
        raise Invalid(result.violation, result.message or result.violation,
                      public=result.violation in PUBLIC_REASONS)


async def publish_change(api: RegisterApi, principal: Principal, purpose: str, *, topic: Topic, key: str,
                         person_id: str, command: RootModel, fields: list[str], operation: str) -> dict:
    """Stage the command for `person_id` (Kafka key `key`) and audit it; the change receipt."""
    inner: BaseModel = command.root
    envelope = Envelope(source=SOURCE, type=topic.event_type, subject=person_id)
    entry = audit_log.AuditEntry(principal.user, tuple(principal.roles), "change", operation, (person_id,),
                                 tuple(fields), purpose)
    try:
        async with api.own.acquire() as conn, conn.transaction():
            await sealed_outbox.stage(conn, api.subject_keys, topic.name, key, person_id, command, envelope)
            await audit_log.append(conn, entry)
    except SubjectErased:
        raise Conflict("person_erased", "the person's data were erased") from None
    return {"change": {"change_id": envelope.id, "command": getattr(inner, "command", type(inner).__name__),
                       "person_id": person_id, "fields": sorted(fields), "status": "accepted", "topic": topic.name}}
