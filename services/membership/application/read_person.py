"""The membership service's read endpoints for the register API: find a person, and the person's part of
the register (base and contact data with history, memberships, contributions, benefit accounts, yearly
benefits, households with their customer groups and the person's supporter groups, staff data, partner
registrations).

The register API calls these functions with a connection to this service's own schema; they only read.
Identity codes and account numbers are decrypted here, for the person's own extract and for the roles
the API's field policy lets see them, and never logged.
"""
from __future__ import annotations

from datetime import date

import orjson

from services.membership.adapters import corrections, persons
from services.membership.adapters import person_reads as reads
from services.membership.application.config import MembershipConfig
from services.membership.domain.errors import MembershipRuleViolation
from services.membership.domain.identity_code import parse_identity_code
from services.membership.domain.numbers import day_start
from shared import disclosure_log
from shared.db import Connection

CONTACT_GROUPS = ("permanent_address", "temporary_address", "home_municipality", "mobile_phone", "other_phone",
                  "email")
PERSON_GROUPS = ("name", "language", "marketing_prohibition", "non_disclosure", "children_birth_years")
# Where a value came from, in the extract's words (the register's codes are short).
SOURCE_NAMES = {"customer": "customer", "staff": "staff", "sbank": "sbank", "dvv": "population_register",
                "hr": "hr_register"}


async def find_by_identity_code(conn: Connection, identity_code: str, config: MembershipConfig) -> str | None:
    """The person with this identity code, through its blind index (never a decryption)."""
    try:
        code = parse_identity_code(identity_code, allow_temporary=True)
    except MembershipRuleViolation:
        return None
    return await persons.by_token(conn, config.identity_token(code))


async def find_by_customer_number(conn: Connection, customer_number: int) -> str | None:
    return await reads.by_customer_number(conn, customer_number)


async def find_by_household(conn: Connection, household_id: str) -> str | None:
    """A member of the household to read it through: its current main member, else any current member,
    else its last member (a dissolved household)."""
    members = await reads.household_members(conn, household_id)
    current = [m for m in members if m["valid_to"] is None] or members[-1:]
    current.sort(key=lambda m: m["role"] != "main_member")
    return current[0]["person_id"] if current else None


def _person(row, config: MembershipConfig, current: dict, base: list) -> dict:
    return {
        "person_id": row["person_id"], "customer_number": row["customer_number"],
        "identity_code": config.identity_code_of(row).value, "name": current.get("name"),
        "birth_date": row["birth_date"], "birth_year": row["birth_date"].year, "gender": row["gender"],
        "language": row["language"], "non_disclosure": row["non_disclosure"],
        "marketing_prohibition": row["marketing_prohibition"],
        "children_birth_years": list(row["children_birth_years"]),
        "relationship_start": row["relationship_start"], "relationship_valid_until": row["relationship_valid_until"],
        "deceased_on": row["deceased_on"], "registered_at": row["registered_at"],
        "sbank_customer": row["sbank_customer_ref"] is not None,
        **_provenance(base, PERSON_GROUPS),
    }


def _provenance(base_rows: list, groups: tuple[str, ...]) -> dict:
    """Where each current value of the groups came from and when (`sources`), and every value they replaced
    with its own source and time, and when it ended (`history`): the trail of each correction."""
    mine = [r for r in base_rows if r["field_group"] in groups]
    sources = {r["field_group"]: {"source": SOURCE_NAMES.get(r["source"], r["source"]), "source_time": r["source_time"]}
               for r in mine if r["ended_at"] is None}
    history = [{"field_group": r["field_group"], "value": orjson.loads(r["value"]),
                "source": SOURCE_NAMES.get(r["source"], r["source"]), "source_time": r["source_time"],
                "ended_at": r["ended_at"]}
               for r in mine if r["ended_at"] is not None]
    return {"sources": sources, "history": history}


def _contact(base_rows: list) -> tuple[dict, dict]:
    current = {r["field_group"]: orjson.loads(r["value"]) for r in base_rows if r["ended_at"] is None}
    contact = {group: current.get(group) for group in CONTACT_GROUPS}
    return current, {**contact, **_provenance(base_rows, CONTACT_GROUPS)}


def _history_of(found: list[dict], field: str, target: str) -> list[dict]:
    return [{"previous": c["previous"], "value": c["value"], "source": SOURCE_NAMES.get(c["source"], c["source"]),
             "source_time": c["source_time"], "recorded_at": c["recorded_at"]}
            for c in found if c["field"] == field and c["target"] == target]


def _memberships(rows: list, found: list[dict]) -> list[dict]:
    memberships = [dict(r) for r in rows]
    for membership in memberships:
        membership.pop("person_id", None)
        membership["agreement"] = {"terms_version": membership.pop("agreement_terms_version"),
                                   "accepted_at": membership.pop("agreement_accepted_at"),
                                   "channel": membership.pop("agreement_channel")}
        membership["joining_outlet_history"] = _history_of(found, "joining_outlet", membership["membership_id"])
    return memberships


def _staff(rows: list, found: list[dict]) -> list[dict]:
    return [{**dict(r), "source": SOURCE_NAMES.get(r["source"], r["source"]),
             "history": _history_of(found, "staff_employment", f"{r['employer']}|{r['employment_start'].isoformat()}")}
            for r in rows]


async def _contributions(conn: Connection, person_id: str) -> list[dict]:
    rows = await reads.contributions(conn, person_id)
    payments = await reads.payments(conn, [r["contribution_id"] for r in rows])
    return [{"contribution_id": r["contribution_id"], "full_cents": r["full_cents"], "started_on": r["started_on"],
             "fully_paid_on": r["fully_paid_on"],
             "payments": [{k: p[k] for k in ("payment_id", "amount_cents", "source", "paid_on", "paid_at")}
                          for p in payments if p["contribution_id"] == r["contribution_id"]]}
            for r in rows]


async def _household(conn: Connection, person_id: str) -> dict:
    periods = [dict(r) for r in await reads.household_periods(conn, person_id)]
    current = next((p for p in periods if p["valid_to"] is None), None)
    members = [dict(m) for m in await reads.household_members(conn, current["household_id"])] if current else []
    return {"household_id": current and current["household_id"], "role": current and current["role"],
            "status": current and current["status"],
            "main_member_person_id": current and current["main_person_id"], "members": members,
            "history": periods, "invitations": [dict(r) for r in await reads.invitations(conn, person_id)]}


async def _customer_groups(conn: Connection, person_id: str) -> dict:
    return {"household_groups": [dict(r) for r in await reads.household_groups(conn, person_id)],
            "supporter_groups": [dict(r) for r in await reads.supporter_groups(conn, person_id)]}


async def person_part(conn: Connection, person_id: str, config: MembershipConfig) -> dict | None:
    """Everything the membership service holds about the person, by section; None if it knows no such person."""
    row = await reads.person(conn, person_id)
    if row is None:
        return None
    base = await reads.base_data(conn, person_id)
    current, contact = _contact(base)
    found = await corrections.of_person(conn, person_id)
    accounts = [{"iban": config.decrypt_iban(person_id, r["iban_encrypted"]), "last_four": r["last_four"],
                 "account_type": r["account_type"], "valid_from": r["valid_from"], "valid_to": r["valid_to"],
                 "source": r["source"]}
                for r in await reads.benefit_accounts(conn, person_id)]
    return {
        "person": _person(row, config, current, base), "contact": contact,
        "staff": _staff(await reads.staff_employments(conn, person_id), found),
        "memberships": _memberships(await reads.memberships(conn, person_id), found),
        "contributions": await _contributions(conn, person_id),
        "benefit_account": accounts, "yearly_benefits": [dict(r) for r in await reads.yearly_benefits(conn, person_id)],
        "household": {**await _household(conn, person_id),
                      "customer_groups": await _customer_groups(conn, person_id)},
        "orders": [dict(r) for r in await reads.partner_registrations(conn, person_id)],
        "consents": {"marketing_prohibition": row["marketing_prohibition"], "non_disclosure": row["non_disclosure"]},
        "disclosures": await disclosure_log.of_person(conn, person_id),
    }


async def exists(conn: Connection, person_id: str) -> bool:
    return await reads.person(conn, person_id) is not None


async def household_command_key(conn: Connection, person_id: str, invitation_id: str | None = None) -> str | None:
    """The key of a household command (its main member), so an invitation, its acceptance and a leave of one
    household stay in order: the main member of the invitation's household, or of the person's household.
    With an invitation, None unless it is the person's own and still open: accepting another's invitation
    is refused by this service anyway, so the API refuses it before telling anyone it was accepted."""
    if invitation_id is not None:
        return await reads.main_member_of_invitation(conn, invitation_id, person_id)
    return await reads.current_main_member(conn, person_id)


async def household_members_in_month(conn: Connection, household_id: str, month: str) -> tuple[bool, list[str]]:
    """Whether the household exists, and who belonged to it at any time in the Helsinki month `YYYY-MM`:
    the persons whose data the household's Bonus of that month is."""
    if not await reads.household_known(conn, household_id):
        return False, []
    year, number = (int(part) for part in month.split("-"))
    start = day_start(date(year, number, 1))
    end = day_start(date(year + number // 12, number % 12 + 1, 1))
    return True, await reads.members_between(conn, household_id, start, end)
