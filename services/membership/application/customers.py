"""Use cases: register a customer, and update their contact data (a change made with the register).

A registration is the person's own act (self-service or customer service through the register API): it is
the only thing that brings back a person the register erased, so it clears their erasure marker; a
population-register, S-Bank or HR update about them stores nothing (`erased_subjects`)."""
from __future__ import annotations

from contracts.envelope import Envelope
from contracts.events.membership import RegisterCustomer, UpdateContactData
from services.membership.adapters import persons
from services.membership.application import publish
from services.membership.application.base_data import apply_changes, contact_changes, name_value
from services.membership.application.config import MembershipConfig
from services.membership.application.sbank_outbound import send_to_sbank
from services.membership.domain.errors import PersonAlreadyRegistered, UnknownPerson
from services.membership.domain.identity_code import parse_identity_code
from services.membership.domain.membership import check_person_is_alive
from services.membership.domain.numbers import helsinki_date
from services.membership.domain.precedence import CHANGED_BY, FieldChange, FieldGroup, Source, Version
from shared.db import Connection


async def register_customer(conn: Connection, command: RegisterCustomer, cause: Envelope,
                            config: MembershipConfig) -> None:
    code = parse_identity_code(command.identity_code)
    changes = [FieldChange(FieldGroup.NAME, name_value(command.name)), *contact_changes(command)]
    if command.children_birth_years:  # kept as base data from the start, so a correction shows what it replaced
        changes.append(FieldChange(FieldGroup.CHILDREN_BIRTH_YEARS, sorted(command.children_birth_years)))
    token = config.identity_token(code)
    if await persons.by_token(conn, token) is not None:
        raise PersonAlreadyRegistered()
    if command.sbank_customer_ref and await persons.by_sbank_ref(conn, command.sbank_customer_ref):
        raise PersonAlreadyRegistered("sbank_customer_ref")
    marker = config.erasure_marker(code)
    await persons.forget_erasure(conn, marker)
    inserted = await persons.insert(
        conn, person_id=command.person_id, token=token, erasure_marker=marker,
        encrypted=config.encrypt_identity_code(command.person_id, code), birth_date=code.birth_date,
        gender=code.gender.value, language=command.language, marketing_prohibition=command.marketing_prohibition,
        children_birth_years=sorted(command.children_birth_years), sbank_customer_ref=command.sbank_customer_ref,
        registered_at=command.registered_at, relationship_start=helsinki_date(command.registered_at))
    if not inserted:
        raise PersonAlreadyRegistered("person_id")
    await apply_changes(conn, command.person_id, changes, Version(Source.CUSTOMER, command.registered_at))
    await publish.person(conn, command.person_id, cause)


async def locked_person(conn: Connection, person_id: str):
    """The person's row, locked; a command about someone the register does not know is refused."""
    person = await persons.lock(conn, person_id)
    if person is None:
        raise UnknownPerson()
    return person


async def update_contact_data(conn: Connection, command: UpdateContactData, cause: Envelope,
                              config: MembershipConfig) -> None:
    changes = contact_changes(command)
    person = await locked_person(conn, command.person_id)
    check_person_is_alive(person["deceased_on"] is not None)
    version = Version(CHANGED_BY[command.changed_by], command.updated_at)
    applied = await apply_changes(conn, command.person_id, changes, version)
    await send_to_sbank(conn, person, applied, version, cause)
    await publish.person(conn, command.person_id, cause)
