"""The field policy: which fields of a response each role sees. Applied to every response in one place.

Responses share one vocabulary: a person's data come in sections (`person`, `contact`, `household`,
`customer_groups`, `orders`, `memberships`, `contributions`, `benefit_account`, `yearly_benefits`, `staff`,
`cards`, `identifiers`, `consents`, `segments`, `purchases`, `e_receipts`, `warranty_receipts`, `bonus`,
`web_store`, `web_orders`, `digital_services`, `contact_log`, `saved_carts`, `digital_usage`, `entered_data`,
`disclosures`), and the register's own records in
`extract_request`, `change`, `disclosure`, `audit`, `retention` and `erasure`; a household's Bonus month in `bonus`, the
tax authority report in `tax_report`, the Double Bonus campaigns in `campaigns` (the one a change names in
`campaign`), and the opening of a dead letter in `dead_letter`. A path names a field by its keys from the top
(lists are transparent, and `items` wraps a list of such documents); an allowed path admits the field and
everything below it.
A role sees the union of its roles' paths; every other field is left out, never masked.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from services.register_api.domain.access import (
    AUDITOR,
    AUTHORITY_REQUESTS,
    CARD_OPERATIONS,
    CUSTOMER_SERVICE,
    DATA_PROTECTION_OFFICER,
    DATA_SUBJECT,
    FINANCE,
    MARKETING_ANALYST,
    MEMBERSHIP_ADMIN,
    OPERATIONS,
)

EVERYTHING = "*"
TRANSPARENT = "items"
RECORDS = ("extract_request", "change")  # the register's answers about a request, for whoever made it

_CS_PERSON = ("person.person_id", "person.customer_number", "person.name", "person.birth_date", "person.language",
              "person.customer_kind", "person.non_disclosure", "person.marketing_prohibition",
              "person.relationship_start", "person.relationship_valid_until", "person.deceased_on",
              "person.sbank_customer", "person.children_birth_years", "person.sources", "person.history")

VISIBLE_FIELDS: dict[str, frozenset[str]] = {
    CUSTOMER_SERVICE: frozenset({
        *_CS_PERSON, "contact", "household", "customer_groups", "orders", "memberships", "contributions",
        "benefit_account.last_four",
        "benefit_account.account_type", "cards", "identifiers", "consents", "segments.published_in.segment",
        "segments.published_in.purpose", "segments.published_in.channel", "segments.published_in.published_at",
        "purchases.receipt_id", "purchases.purchased_at", "purchases.outlet_id", "purchases.chain",
        "purchases.total_cents", "purchases.bonus_eligible_cents", "purchases.identifier_last4", "purchases.status",
        "purchases.card_entry", "purchases.payments", "purchases.staff_discount_cents", "e_receipts",
        "warranty_receipts", "bonus", "web_store", "web_orders", "digital_services", "contact_log", "saved_carts",
        "digital_usage", "entered_data", "disclosures", *RECORDS}),
    MEMBERSHIP_ADMIN: frozenset({
        "person.person_id", "person.customer_number", "person.identity_code", "person.name",
        "person.birth_date", "person.language", "person.customer_kind", "person.deceased_on",
        "person.relationship_start", "person.relationship_valid_until", "person.children_birth_years",
        "person.sources", "person.history", "contact.permanent_address", "contact.home_municipality", "staff",
        "household", "customer_groups", "orders", "memberships", "contributions",
        "benefit_account",
        "yearly_benefits", *RECORDS}),
    CARD_OPERATIONS: frozenset({
        "person.person_id", "person.customer_number", "person.name", "person.customer_kind",
        "household.household_id", "household.status", "household.role", "cards", "identifiers", *RECORDS}),
    FINANCE: frozenset({
        "person.person_id", "person.customer_number", "person.customer_kind", "memberships", "contributions",
        "benefit_account.last_four", "benefit_account.account_type", "yearly_benefits", "bonus", "tax_report",
        "campaigns", "campaign", *RECORDS}),
    # No direct identifiers: a pseudonym, coarse attributes, consents and receipt totals.
    MARKETING_ANALYST: frozenset({
        "person.pseudonym", "person.birth_year", "person.language", "person.customer_kind",
        "contact.home_municipality", "consents.marketing_prohibition", "consents.blocks", "consents.permissions",
        "purchases.purchased_at", "purchases.chain", "purchases.total_cents"}),
    AUDITOR: frozenset({"audit"}),
    # Whatever an authority lawfully asks for may be any field, so the whole person, as for the data
    # protection officer; the request itself is recorded (`disclosure`) and every read audited.
    AUTHORITY_REQUESTS: frozenset({EVERYTHING}),
    OPERATIONS: frozenset({"dead_letter"}),
    DATA_PROTECTION_OFFICER: frozenset({EVERYTHING}),
    DATA_SUBJECT: frozenset({EVERYTHING}),
}

AUDIT_DEPTH = 2  # fields are recorded in the audit log as `section.field`


@dataclass(frozen=True)
class Disclosure:
    """What a response may carry, and which fields it disclosed (for the audit log)."""

    document: object
    fields: frozenset[str]


def visible_fields(roles: Iterable[str]) -> frozenset[str]:
    return frozenset(path for role in roles for path in VISIBLE_FIELDS.get(role, ()))


def _admits(allowed: frozenset[str], path: str) -> bool:
    return EVERYTHING in allowed or any(path == p or path.startswith(p + ".") for p in allowed)


def _leads_to(allowed: frozenset[str], path: str) -> bool:
    return any(p.startswith(path + ".") for p in allowed)


def _disclosed(value: Any, path: str, disclosed: set[str]) -> Any:
    """A field the roles may see, with everything below it."""
    if isinstance(value, dict):
        return {key: _disclosed(item, f"{path}.{key}", disclosed) for key, item in value.items()}
    if isinstance(value, list):
        return [_disclosed(item, path, disclosed) for item in value]
    disclosed.add(".".join(path.split(".")[:AUDIT_DEPTH]))
    return value


def _filter(value: Any, path: str, allowed: frozenset[str], disclosed: set[str]) -> Any:
    """A node above the allowed fields: only its allowed descendants are kept; scalars here are dropped."""
    if isinstance(value, list):
        return [_filter(item, path, allowed, disclosed) for item in value if isinstance(item, (dict, list))]
    kept: dict[str, Any] = {}
    for key, item in value.items():
        child = path if key == TRANSPARENT and not path else f"{path}.{key}" if path else key
        if child and _admits(allowed, child):
            kept[key] = _disclosed(item, child, disclosed)
        elif isinstance(item, (dict, list)) and (not child or _leads_to(allowed, child)):
            kept[key] = _filter(item, child, allowed, disclosed)
    return kept


def disclose(document: dict[str, Any], roles: Iterable[str]) -> Disclosure:
    """The document with only the fields the roles may see; the fields it then discloses."""
    disclosed: set[str] = set()
    filtered = _filter(document, "", visible_fields(roles), disclosed)
    return Disclosure(filtered, frozenset(p for p in disclosed if p))
