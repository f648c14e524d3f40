"""Use case: a correction of the person's data (seed §11) the customer asked for, or staff made for them —
the children living at home, a membership's joining outlet, an employment's staff data — checked by
`domain.rectification` (names only from the population register, staff data not from the customer), applied
with its source and time, and the replaced value kept: the children's years in `base_data` like the other
base data, the joining outlet and the employment in `corrections`."""
from __future__ import annotations

from datetime import date, datetime

from contracts.envelope import Envelope
from contracts.events.membership import JoiningOutletCorrection, RectifyPersonalData, StaffEmploymentCorrection
from services.membership.adapters import corrections, memberships, persons, staff
from services.membership.application import publish
from services.membership.application.base_data import apply_changes
from services.membership.application.config import MembershipConfig
from services.membership.application.customers import locked_person
from services.membership.domain.errors import NotAMember, UnknownEmployment
from services.membership.domain.membership import check_person_is_alive
from services.membership.domain.precedence import CHANGED_BY, FieldChange, FieldGroup, Version
from services.membership.domain.rectification import check_rectification, children_years
from shared.db import Connection


def check_command(command: RectifyPersonalData) -> None:
    """What the command alone decides (also asked by the register API before it sends one)."""
    check_rectification(changed_by=command.changed_by, name_given=command.name is not None,
                        children_birth_years=command.children_birth_years,
                        joining_outlet_given=command.joining_outlet is not None,
                        staff_employment_given=command.staff_employment is not None,
                        rectified_at=command.rectified_at)


async def rectify_personal_data(conn: Connection, command: RectifyPersonalData, cause: Envelope,
                                config: MembershipConfig) -> None:
    check_command(command)
    person = await locked_person(conn, command.person_id)
    check_person_is_alive(person["deceased_on"] is not None)
    if command.children_birth_years is not None:
        years = children_years(command.children_birth_years, command.rectified_at)
        await apply_changes(conn, command.person_id, [FieldChange(FieldGroup.CHILDREN_BIRTH_YEARS, years)],
                            Version(CHANGED_BY[command.changed_by], command.rectified_at))
    if command.joining_outlet is not None:
        await _correct_joining_outlet(conn, command.person_id, command.joining_outlet, command.changed_by,
                                      command.rectified_at)
    if command.staff_employment is not None:
        await _correct_employment(conn, command.person_id, command.staff_employment, command.rectified_at)
    await publish.person(conn, command.person_id, cause)


async def _correct_joining_outlet(conn: Connection, person_id: str, correction: JoiningOutletCorrection, source: str,
                                  at: datetime) -> None:
    membership = await memberships.of_person(conn, person_id, correction.membership_id)
    if membership is None:
        raise NotAMember("no such membership of the person")
    if membership["joining_outlet"] == correction.outlet:
        return  # already so: nothing changes, nothing to keep
    await memberships.set_joining_outlet(conn, membership["membership_id"], correction.outlet)
    await corrections.record(conn, person_id, "joining_outlet", membership["membership_id"],
                             membership["joining_outlet"], correction.outlet, source, at)


async def _correct_employment(conn: Connection, person_id: str, correction: StaffEmploymentCorrection,
                              at: datetime) -> None:
    if await staff.employment(conn, person_id, correction.employer, correction.employment_start) is None:
        raise UnknownEmployment()  # staff correct what Hertta sent; a new employment comes from Hertta
    if not await save_employment_with_history(conn, person_id, correction.employer, correction.employment_start,
                                              correction.employment_end, correction.staff_discount, "staff", at):
        await persons.count_ignored(conn, "staff", "stale:employment")


def _employment_value(end: date | None, staff_discount: bool) -> dict:
    return {"employment_end": end.isoformat() if end else None, "staff_discount": staff_discount}


async def save_employment_with_history(conn: Connection, person_id: str, employer: str, start: date, end: date | None,
                                       staff_discount: bool, source: str, source_time: datetime) -> bool:
    """Store the employment's state unless a later one is stored already (True when stored); a change of an
    employment on record keeps the state it replaced, with the new one's source and time."""
    before = await staff.employment(conn, person_id, employer, start)
    if not await staff.save_employment(conn, person_id, employer, start, end, staff_discount, source_time, source):
        return False
    if before is not None:
        await corrections.record(conn, person_id, "staff_employment", f"{employer}|{start.isoformat()}",
                                 _employment_value(before["employment_end"], before["staff_discount"]),
                                 _employment_value(end, staff_discount), source, source_time)
    return True
