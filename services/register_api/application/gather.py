"""A person's data gathered from every service's subject endpoint, by section, in parallel."""
from __future__ import annotations

import asyncio

from contracts.subjects import FindPerson, PartRequest, PersonFacts, PersonQuery, periods_of
from services.register_api.application.context import RegisterApi
from services.register_api.application.errors import Invalid
from services.register_api.domain.disclosures import together
from services.register_api.domain.sections import SECTIONS, services_for
from shared import disclosure_log


async def gather(api: RegisterApi, person_id: str, sections: list[str]) -> dict | None:
    """The requested sections of the person's data; None when the register knows no such person."""
    membership = (await api.services.ask("membership", "part", PartRequest(person_id=person_id))).sections
    if membership is None:
        return None
    membership["person"]["pseudonym"] = api.pseudonym(person_id)
    # a section of its own (its own scope): the household's customer group and the person's supporter groups
    membership["customer_groups"] = membership["household"].pop("customer_groups")
    household = membership["household"]
    request = PartRequest(person_id=person_id, household_periods=periods_of(household["history"]),
                          household_id=household["household_id"], at=api.clock())
    wanted = sorted(services_for(sections) - {"membership"})
    answers = await asyncio.gather(*(api.services.ask(name, "part", request) for name in wanted))
    parts = {name: answer.sections or {} for name, answer in zip(wanted, answers, strict=True)}
    # the disclosure log is kept by whoever disclosed: the API's own entries and each service's, as one
    logs = [part.pop("disclosures", []) for part in (membership, *parts.values())]
    if "disclosures" in sections:
        async with api.own.acquire() as conn:
            own = await disclosure_log.of_person(conn, person_id)
        membership["disclosures"] = together(own, *logs)
    if "consent" in parts:  # the register's prohibition and non-disclosure with the blocks and permissions
        parts["consent"]["consents"] = {**membership["consents"], **parts["consent"]["consents"]}
    everything = {**membership, **{k: v for part in parts.values() for k, v in part.items()}}
    return {section: everything[section] for section in SECTIONS if section in sections}


async def find(api: RegisterApi, query: FindPerson) -> str | None:
    """Whose customer number or identity code (membership), or card or member number (cards), this is."""
    service = "cards" if query.card_number is not None else "membership"
    found = await api.services.ask(service, "find", query)
    if found.invalid:
        raise Invalid("invalid_identifier", found.invalid, public=True)
    return found.person_id


async def facts(api: RegisterApi, person_id: str, invitation_id: str | None = None) -> PersonFacts:
    return await api.services.ask("membership", "facts", PersonQuery(person_id=person_id, invitation_id=invitation_id))
