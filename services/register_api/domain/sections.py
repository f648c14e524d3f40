"""The sections a person's data come in, which service holds each, and the scope that reads it."""
from __future__ import annotations

from typing import Iterable

# Title of each section, in the order a register extract shows them.
SECTIONS: dict[str, str] = {
    "person": "Personal data",
    "contact": "Contact data",
    "staff": "Staff data",
    "memberships": "Cooperative memberships",
    "contributions": "Capital contributions and payments",
    "benefit_account": "Benefit payment account",
    "yearly_benefits": "Interest on the contribution and return of surplus",
    "household": "Household",
    "customer_groups": "Customer groups: the household's customer group and supporter groups of associations",
    "orders": "Orders and registrations with Bonus-granting partners",
    "cards": "S-Etukortti cards",
    "identifiers": "Identifiers",
    "consents": "Blocks, permissions and prohibitions",
    "segments": "Customer groupings: the marketing segments you are in",
    "purchases": "Purchases",
    "e_receipts": "Electronic receipts",
    "warranty_receipts": "Electronic warranty receipts",
    "bonus": "Bonus and payment-method benefit",
    "web_store": "Web-store profiles: customer segment and delivery addresses",
    "web_orders": "Web-store orders and their status",
    "digital_services": "Digital services ordered: newsletters, customer panels, S-mobiili",
    "contact_log": "Your contacts with customer service",
    "saved_carts": "Saved carts in the web stores",
    "digital_usage": "Your identified use of digital services: logins and uses",
    "entered_data": "Data you entered in digital services",
    "disclosures": "Disclosures: to whom your data were handed out, what, on what basis and when",
}

SECTION_SCOPES: dict[str, str] = {
    "person": "person:read", "staff": "person:read", "orders": "person:read", "contact": "contact:read",
    "memberships": "membership:read", "contributions": "membership:read", "benefit_account": "membership:read",
    "yearly_benefits": "membership:read", "household": "household:read", "customer_groups": "customer_group:read",
    "cards": "card:read",
    "identifiers": "card:read", "consents": "consent:read", "segments": "consent:read", "purchases": "purchase:read",
    "e_receipts": "purchase:read", "warranty_receipts": "purchase:read",
    "bonus": "bonus:read", "web_store": "digital:read", "web_orders": "digital:read",
    "digital_services": "digital:read", "contact_log": "contact_log:read",
    "saved_carts": "digital:read", "digital_usage": "digital:read", "entered_data": "digital:read",
    "disclosures": "disclosure:read",
}

# Which service's read endpoint holds each section (the membership part is always read: it says whether
# the person exists and which households they belonged to). The disclosure log is kept by whoever disclosed:
# the API's own entries, membership's and consent's (`application/gather.py` puts them together).
SERVICE_OF: dict[str, str] = {
    **{s: "membership" for s in ("person", "contact", "staff", "memberships", "contributions", "benefit_account",
                                 "yearly_benefits", "household", "customer_groups", "orders")},
    "consents": "consent", "segments": "consent", "cards": "cards", "identifiers": "cards", "purchases": "purchases",
    "e_receipts": "purchases", "warranty_receipts": "purchases",
    "bonus": "bonus", **{s: "digital" for s in ("web_store", "web_orders", "digital_services", "contact_log",
                                           "saved_carts", "digital_usage", "entered_data")},
    "disclosures": "consent",
}


class UnknownSection(ValueError):
    """No such section."""


def readable_sections(scopes: Iterable[str]) -> list[str]:
    granted = set(scopes)
    return [section for section in SECTIONS if SECTION_SCOPES[section] in granted]


def check_sections(requested: Iterable[str]) -> list[str]:
    unknown = sorted(set(requested) - set(SECTIONS))
    if unknown:
        raise UnknownSection(f"unknown sections: {', '.join(unknown)}")
    return [s for s in SECTIONS if s in set(requested)]


def services_for(sections: Iterable[str]) -> set[str]:
    return {SERVICE_OF[s] for s in sections} | {"membership"}
