"""What the register promises to keep after an erasure, and for how long — the rules the search's hits are
judged by. Anything found elsewhere, or of another kind, is a leftover (`found`).

- **kept**: what the law or the erasure's own accountability needs, in named tables and only of the named
  kinds: the member register (the Co-operatives Act and the tax rules: memberships, contributions and their
  payments, the member's name and customer number under their pseudonymous person id), the record of the
  erasure, the destroyed key's row (so nothing is sealed for them again) and the audit log.
- **expiring**: records in clear on a `delete` topic that, by docs/kafka-history.md, carries that kind of
  identifier on the wire until its retention ends (inbound feeds, the outbound S-Bank updates, the privacy
  requests naming the pseudonymous person id). `--strict` counts them as found.
"""
from __future__ import annotations

from dataclasses import dataclass

from coopreg.prove.search import Hit

PERSON = {"person_id"}
CONTACT = {"identity_code", "last_name", "email", "phone", "phone_national", "other_phone", "street", "sbank_ref"}
MEMBER = {"person_id", "membership_id", "household_id", "member_number", "customer_number"}

KEPT: dict[str, tuple[set[str], str]] = {
    "membership.persons": ({"person_id", "customer_number"}, "member register: the member's row (identity code "
                                                             "encrypted, no index)"),
    "membership.memberships": ({"person_id", "membership_id", "member_number"}, "member register"),
    "membership.contributions": ({"person_id", "membership_id"}, "member register: the capital contribution"),
    "membership.contribution_payments": ({"person_id", "membership_id"}, "member register: payments and refund"),
    "membership.yearly_benefits": ({"person_id", "membership_id", "household_id"},
                                   "member register: interest and surplus returns (tax rules)"),
    "membership.households": ({"membership_id"}, "member register: the dissolved household's membership (its "
                                                 "main member no longer named)"),
    "membership.base_data": ({"person_id", "last_name"}, "member register: the member's name"),
    "membership.field_versions": ({"person_id"}, "member register: the name's version"),
    "consent.persons": (PERSON, "the consent service's erasure mark: the person id and when it was erased, so a "
                                "late event about them is dropped (services/consent/application/erase_person.py)"),
    "membership.erased_persons": (PERSON, "the membership service's erasure mark of a customer whose row went: "
                                          "the person id, so a late report of their activity is dropped"),
    "digital.erased_persons": (PERSON, "the digital service's erasure mark: the person id, so a late message "
                                       "about them is dropped (services/digital/application)"),
    "purchases.erased_cards": ({"card_token"}, "the purchases service's mark of an erased person's card, its "
                                              "keyed token, for the parking horizon: a receipt made with it "
                                              "that comes later is dropped, not kept waiting for card data"),
    "register_api.erasures": (PERSON, "the record of the erasure (accountability, GDPR art. 5(2))"),
    "register_api.erasure_requests": (PERSON, "the erasure request and its status"),
    "subject_keys.keys": (PERSON, "the destroyed key's row: nothing can be sealed for them again"),
    "audit.audit_log": (PERSON, "the audit log of who read, changed and erased the person"),
}

# Delete topics that carry these kinds in clear until their retention ends (docs/kafka-history.md).
CLEAR_UNTIL_EXPIRY: dict[str, set[str]] = {
    "pos.purchases.v1": {"card_number", "member_number"},
    "partner.purchases.v1": {"member_number"},
    "purchases.accepted.v1": {"person_id", "household_id"},
    "cards.commands.v1": {"card_number", "card_token", "member_number", "person_id", "household_id",
                          "membership_id"},
    "bonus.payouts.v1": {"household_id", "person_id"},
    "bonus.statements.v1": {"household_id", "person_id"},
    "sbank.customer-updates.v1": CONTACT | {"first_names"},
    "dvv.population-updates.v1": CONTACT | {"first_names"},
    "hr.staff-updates.v1": {"identity_code"},
    "register.sbank-updates.v1": CONTACT | {"first_names"},
    "membership.commands.v1": CONTACT | MEMBER | {"iban"},
    "membership.benefits.v1": {"person_id", "membership_id", "household_id"},
    "consent.commands.v1": PERSON,
    # the digital service's inbound feeds: the web stores, the digital services and customer service
    "webstore.customer-updates.v1": PERSON | {"street", "last_name"},
    "webstore.orders.v1": PERSON,
    "webstore.saved-carts.v1": PERSON,
    "digital.service-orders.v1": PERSON,
    "digital.service-usage.v1": PERSON,
    "digital.entered-data.v1": PERSON | {"phone"},
    "customerservice.contacts.v1": PERSON | {"last_name"},
    # the digital service's word to the membership service that the customer was active (pseudonymous id only)
    "digital.customer-activity.v1": PERSON,
    "privacy.erasure-requests.v1": PERSON,
    "privacy.erasure-reports.v1": PERSON,
    "privacy.retention-reports.v1": PERSON,
}


# A dead letter keeps its original's Kafka key: on a person-keyed topic, the pseudonymous person id, until the
# dead-letter retention ends; its value, sealed under the person's key, is shredded (counted as unopenable).
DEAD_LETTER_KEYS = PERSON


@dataclass
class Verdict:
    found: list[dict]
    expiring: list[dict]
    kept: list[dict]


def judge(hits: list[Hit], strict: bool = False) -> Verdict:
    verdict = Verdict([], [], [])
    for hit in hits:
        entry = hit.as_json()
        if hit.place == "table" and hit.where in KEPT and hit.kinds <= KEPT[hit.where][0]:
            verdict.kept.append({**entry, "why": KEPT[hit.where][1]})
        elif not strict and hit.expires_by is not None and (
                (hit.place == "topic" and hit.kinds <= CLEAR_UNTIL_EXPIRY.get(hit.where, set()))
                or (hit.place == "dead_letter" and hit.kinds <= DEAD_LETTER_KEYS)):
            verdict.expiring.append(entry)
        else:
            verdict.found.append(entry)
    return verdict
