"""Who may do what: roles → scopes as data, and the purposes each role works for.

Scopes are named ``resource:action`` (as in ethyca/fides). A token names a user and their roles; the
scopes a request may use are the union of the roles' scopes. The data subject (a customer in
self-service) gets their role's scopes for their own data only (`may_act_on`).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable, TypeGuard

CUSTOMER_SERVICE = "customer_service"
MEMBERSHIP_ADMIN = "membership_admin"
CARD_OPERATIONS = "card_operations"
FINANCE = "finance"
MARKETING_ANALYST = "marketing_analyst"
AUDITOR = "auditor"
DATA_PROTECTION_OFFICER = "data_protection_officer"
OPERATIONS = "operations"
# Legal staff who answer authorities' requests for information (police, customs, enforcement): they find the
# person, see what is asked for and record what they disclosed; the data protection officer may do the same.
AUTHORITY_REQUESTS = "authority_requests"
DATA_SUBJECT = "data_subject"

_READ_ALL_SECTIONS = ("person:read", "contact:read", "household:read", "customer_group:read", "membership:read",
                      "card:read", "consent:read", "purchase:read", "bonus:read", "digital:read", "contact_log:read",
                      "disclosure:read")
# Partner registrations and supporter groups are the customer's own choices (self-service too); the
# household's customer group is set by the register keeper's staff.
_REGISTRATIONS = ("partner_registration:change", "customer_group:change")

ROLE_SCOPES: dict[str, frozenset[str]] = {
    CUSTOMER_SERVICE: frozenset({"person:search", *_READ_ALL_SECTIONS, "person:rectify", "household:change",
                                 *_REGISTRATIONS, "household_group:change", "consent:change", "extract:request",
                                 "extract:read"}),
    MEMBERSHIP_ADMIN: frozenset({"person:search", "person:read", "contact:read", "household:read",
                                 "customer_group:read", "household:change", *_REGISTRATIONS,
                                 "household_group:change", "membership:read", "person:rectify",
                                 # staff data from Hertta, corrected on the employer's word
                                 "staff_data:rectify"}),
    CARD_OPERATIONS: frozenset({"person:search", "person:read", "household:read", "card:read"}),
    # a household's Bonus month (`bonus:read`) for the payouts, the tax authority report, and the cooperatives'
    # Double Bonus campaigns (data of no person)
    FINANCE: frozenset({"person:search", "person:read", "membership:read", "bonus:read", "tax_report:read",
                        "bonus_campaign:read", "bonus_campaign:change"}),
    MARKETING_ANALYST: frozenset({"person:read", "consent:read", "purchase:read"}),
    AUDITOR: frozenset({"audit:read"}),
    DATA_PROTECTION_OFFICER: frozenset({"person:search", *_READ_ALL_SECTIONS, "extract:request", "extract:read",
                                        "audit:read", "retention:run", "erasure:run", "disclosure:record"}),
    AUTHORITY_REQUESTS: frozenset({"person:search", *_READ_ALL_SECTIONS, "disclosure:record"}),
    # whoever runs the register opens a sealed dead letter to find why it failed (nothing else)
    OPERATIONS: frozenset({"dead_letter:open"}),
    DATA_SUBJECT: frozenset({*_READ_ALL_SECTIONS, "person:rectify", "household:change", *_REGISTRATIONS,
                             "consent:change", "extract:request", "extract:read"}),
}

# The purposes a role processes personal data for; the first is assumed when a request names none.
ROLE_PURPOSES: dict[str, tuple[str, ...]] = {
    CUSTOMER_SERVICE: ("customer_service", "rectification", "data_subject_request"),
    MEMBERSHIP_ADMIN: ("membership_administration", "rectification"),
    CARD_OPERATIONS: ("card_operations",),
    FINANCE: ("benefit_payments", "tax_reporting", "bonus_campaigns"),
    MARKETING_ANALYST: ("marketing_analysis",),
    AUDITOR: ("audit",),
    DATA_PROTECTION_OFFICER: ("data_subject_request", "retention", "audit", "authority_request"),
    AUTHORITY_REQUESTS: ("authority_request",),
    OPERATIONS: ("incident_handling",),
    DATA_SUBJECT: ("self_service",),
}


# A customer acting on their own data is never also staff: one token holding both would let a customer read
# what only staff may (the audit log with `auditor`), or a staff member act in self-service under their own
# name. Such a token is refused.
STAFF_ROLES = frozenset(ROLE_SCOPES) - {DATA_SUBJECT}

# Who acted, as the audit log records it: a user name or an identity provider's subject, printable text
# only. No control characters (NUL, newlines: they forge lines in anything that prints the log), no
# formatting characters (right-to-left overrides and zero-width characters make one name look like
# another), and no longer than a name need be.
ACTOR_MAX_CHARS = 128
PERSON_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
_NOT_PRINTABLE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def conflicting_roles(roles: Iterable[str]) -> bool:
    """A customer's role together with any staff role."""
    held = set(roles)
    return DATA_SUBJECT in held and bool(held & STAFF_ROLES)


def valid_actor(text: object) -> bool:
    return (isinstance(text, str) and 0 < len(text) <= ACTOR_MAX_CHARS and text == text.strip()
            and not any(unicodedata.category(char) in _NOT_PRINTABLE for char in text))


def valid_person_id(text: object) -> TypeGuard[str]:
    return isinstance(text, str) and PERSON_ID.fullmatch(text) is not None


class Forbidden(Exception):
    """The user's roles do not allow this (a scope missing, or another person's data in self-service)."""


class UnknownPurpose(ValueError):
    """The purpose named is not one the user's roles work for."""


@dataclass(frozen=True)
class Principal:
    """An authenticated user: a named staff member, or a customer (`person_id` set) in self-service."""

    user: str
    roles: frozenset[str]
    person_id: str | None = None

    @property
    def scopes(self) -> frozenset[str]:
        return scopes_for(self.roles)

    @property
    def is_data_subject(self) -> bool:
        return DATA_SUBJECT in self.roles


def scopes_for(roles: Iterable[str]) -> frozenset[str]:
    """The union of the roles' scopes; an unknown role grants nothing."""
    return frozenset(scope for role in roles for scope in ROLE_SCOPES.get(role, ()))


def check_scope(principal: Principal, scope: str) -> None:
    if scope not in principal.scopes:
        raise Forbidden(f"the scope {scope} is not granted to the roles of this user")


def may_act_on(principal: Principal, person_id: str) -> bool:
    """Staff act on anyone their scopes allow; a data subject only on themselves."""
    if principal.is_data_subject:
        return principal.person_id == person_id
    return True


def check_own(principal: Principal, person_id: str) -> None:
    if not may_act_on(principal, person_id):
        raise Forbidden("self-service reaches only the customer's own data")


def check_person(principal: Principal, scope: str, person_id: str) -> None:
    check_scope(principal, scope)
    check_own(principal, person_id)


def purpose_for(principal: Principal, requested: str | None) -> str:
    """The purpose recorded in the audit log: the one requested if a role allows it, else the default."""
    allowed = [p for role in sorted(principal.roles) for p in ROLE_PURPOSES.get(role, ())]
    if requested is None:
        if not allowed:
            raise UnknownPurpose("no purpose is defined for these roles")
        return allowed[0]
    if requested not in allowed:
        raise UnknownPurpose(f"purpose {requested!r} is not one of {sorted(set(allowed))}")
    return requested
