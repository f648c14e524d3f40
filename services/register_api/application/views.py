"""Use cases: find a person, and see their data by section. Each checks the user's scopes first; the
field policy then trims every response in one place (the HTTP entrypoint), which also audits it."""
from __future__ import annotations

from contracts.subjects import FindPerson
from services.register_api.application.context import RegisterApi
from services.register_api.application.errors import NotFound
from services.register_api.application.gather import find, gather
from services.register_api.domain.access import Forbidden, Principal, check_own, check_scope
from services.register_api.domain.sections import SECTION_SCOPES, check_sections, readable_sections

SEARCH_SECTIONS = ["person"]


async def find_person(api: RegisterApi, principal: Principal, *, customer_number: int | None = None,
                      card_number: str | None = None, identity_code: str | None = None,
                      household_id: str | None = None) -> dict:
    """The person with this customer number, card (or member number) or identity code (blind index), or a
    member of the household to read it through."""
    check_scope(principal, "person:search")
    person_id = await find(api, FindPerson(customer_number=customer_number, card_number=card_number,
                                           identity_code=identity_code, household_id=household_id))
    found = await gather(api, person_id, SEARCH_SECTIONS) if person_id else None
    return {"items": [found] if found else []}


def _sections(principal: Principal, requested: list[str] | None) -> list[str]:
    if requested is None:
        sections = readable_sections(principal.scopes)
        if not sections:
            raise Forbidden("these roles read no section of a person's data")
        return sections
    sections = check_sections(requested)
    for section in sections:
        check_scope(principal, SECTION_SCOPES[section])
    return sections


async def person_view(api: RegisterApi, principal: Principal, person_id: str,
                      sections: list[str] | None = None) -> dict:
    """The person's data in the sections asked for (default: every section the user's roles read)."""
    chosen = _sections(principal, sections)
    check_own(principal, person_id)
    found = await gather(api, person_id, chosen)
    if found is None:
        raise NotFound("no such person")
    return found
