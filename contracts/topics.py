"""The topic registry: every topic, its key, its payload model, cleanup policy and retention.

Names follow ``<domain>.<entity>.v<N>``; a breaking change makes a new version. Every topic has a
dead-letter companion ``<name>.dlq`` that keeps the original bytes and headers with the reason.

``ALL`` holds every fixed topic. The per-segment marketing topics ``marketing.segment.<name>.v1`` are
made by ``marketing_segment(name)`` when a segment is defined, so they are not in ``ALL``.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel

from contracts.events.bonus import BonusMonthClosed, BonusPayout, BonusStatement, CloseBonusMonth, MonthToDate
from contracts.events.bonus_campaigns import CampaignCommand
from contracts.events.card_commands import CardCommand
from contracts.events.cards import CardState
from contracts.events.consent import ConsentCommand, ConsentState
from contracts.events.digital import (
    CustomerActivity,
    CustomerContact,
    CustomerEnteredData,
    DigitalServiceOrder,
    DigitalServiceUsage,
    SavedCart,
    WebStoreCustomerUpdate,
    WebStoreOrder,
)
from contracts.events.dvv import PopulationUpdate
from contracts.events.hr import StaffUpdate
from contracts.events.marketing import SegmentMember, segment_topic
from contracts.events.membership import MembershipCommand
from contracts.events.membership_states import (
    BonusCreditReturned,
    HouseholdState,
    MemberBenefitPayout,
    PersonState,
    TaxReportWritten,
)
from contracts.events.partner import PartnerPurchase
from contracts.events.pos import PosPurchase
from contracts.events.privacy import ErasureReport, ErasureRequested, RetentionReport, RetentionRequested
from contracts.events.purchases import PurchaseAccepted
from contracts.events.sbank import RegisterSbankUpdate, SbankCustomerUpdate
from contracts.strict_decoding import strict_decoder

HOUR_MS = 3600 * 1000
DAY_MS = 24 * HOUR_MS
# A compacted topic's superseded values, and the values under a tombstone, are compacted away within this
# (`max.compaction.lag.ms`; its segments roll as often), so an erasure's tombstone removes the person's
# values from the log within about a day rather than whenever the log cleaner gets round to it.
COMPACTION_LAG_MS = DAY_MS
# A tombstone itself stays readable this long (`delete.retention.ms`): a consumer that was down up to a
# week still sees it and drops the key, instead of keeping a value the topic no longer has.
TOMBSTONE_RETENTION_MS = 7 * DAY_MS


def segment_ms(retention_ms: int) -> int:
    """How often a delete topic's segments roll: a twelfth of its retention, at least an hour, at most a day."""
    return max(HOUR_MS, min(DAY_MS, retention_ms // 12))


@dataclass(frozen=True)
class Topic:
    name: str
    key: str
    model: type[BaseModel]
    description: str
    cleanup: Literal["delete", "compact"] = "delete"
    retention_ms: int = 14 * DAY_MS
    external: bool = False
    # Millions of messages a day: read first by the strict decoder derived from the model
    # (contracts/strict_decoding.py), the model deciding whatever that reading refuses, and fetched in big
    # batches (the delivery settings' fetch_min_bytes and fetch_max_wait_ms). Other topics are fetched as
    # soon as anything arrives, and otherwise waited on without polling the broker all the time.
    bulk: bool = False

    def configs(self) -> dict[str, str]:
        """The topic's configuration on the broker (`shared.kafka.ensure_topics` sets it on new and existing
        topics alike). A delete topic's segments roll every twelfth of its retention (at most a day): the
        broker deletes a segment once its newest record is past the retention, so nothing outlives the
        retention by more than that. A compacted topic with a finite retention also expires keys whose
        latest value is older than it (`compact,delete`)."""
        if self.cleanup == "compact":
            return {"cleanup.policy": "compact" if self.retention_ms < 0 else "compact,delete",
                    "retention.ms": str(self.retention_ms), "segment.ms": str(COMPACTION_LAG_MS),
                    "max.compaction.lag.ms": str(COMPACTION_LAG_MS),
                    "delete.retention.ms": str(TOMBSTONE_RETENTION_MS)}
        return {"cleanup.policy": "delete", "retention.ms": str(self.retention_ms),
                "segment.ms": str(segment_ms(self.retention_ms))}

    def strict_decoder(self) -> Callable[[bytes], object | None] | None:
        """The strict decoder a consumer reads this topic with first, if it is a bulk topic."""
        return strict_decoder(self.model) if self.bulk else None

    @property
    def dlq(self) -> str:
        return f"{self.name}.dlq"

    @property
    def event_type(self) -> str:
        return f"coopreg.{self.model.__name__}"


POS_PURCHASES = Topic("pos.purchases.v1", "receipt id", PosPurchase,
                      "Receipts from S-Group outlets' POS systems", retention_ms=7 * DAY_MS, external=True,
                      bulk=True)
# Receipts under the buyer's person id: erasure cannot reach them in the log, so they expire after a week
# like the receipts they came from (docs/kafka-history.md).
PURCHASES_ACCEPTED = Topic("purchases.accepted.v1", "household id", PurchaseAccepted,
                           "Identified purchases resolved to the household they belonged to at purchase time",
                           retention_ms=7 * DAY_MS, bulk=True)
CARD_STATE = Topic("cards.card.v1", "card token", CardState,
                   "Current state of each card with its allocation history (tombstone: its holder was erased)",
                   cleanup="compact", retention_ms=-1)
# Card commands carry card numbers in clear on the wire: kept no longer than the other inbound topics.
CARD_COMMANDS = Topic("cards.commands.v1", "person id", CardCommand, "Card operations for the cards service",
                      retention_ms=7 * DAY_MS)
BONUS_COMMANDS = Topic("bonus.commands.v1", "month", CloseBonusMonth, "Month close requests")
BONUS_CAMPAIGNS = Topic("bonus.campaigns.v1", "campaign id", CampaignCommand,
                        "Double Bonus campaigns created and ended by finance staff")
BONUS_PAYOUTS = Topic("bonus.payouts.v1", "household id", BonusPayout,
                      "Bonus, payment-method benefit and Fuel Bonus transactions to S-Bank", external=True)
BONUS_STATEMENTS = Topic("bonus.statements.v1", "household id", BonusStatement,
                         "Each household's closed month with its lineage (members, rate, exclusions)",
                         retention_ms=35 * DAY_MS)
BONUS_MONTHS = Topic("bonus.months.v1", "month", BonusMonthClosed, "A month close has completed")
# Only the current month matters: a household's latest state expires two months after it was written
# (`compact,delete`), so a household gone quiet (dissolved, its members erased) leaves the topic.
BONUS_MONTH_TO_DATE = Topic("bonus.month-to-date.v1", "household id", MonthToDate,
                            "Each household's current month: total, Bonus %, euros to the next tier",
                            cleanup="compact", retention_ms=62 * DAY_MS)

# External topics: what partners and the register's neighbours (S-Bank, DVV, Hertta) exchange with it.
# Those carrying identity codes in clear keep them no longer than a week.
PARTNER_PURCHASES = Topic("partner.purchases.v1", "purchase id", PartnerPurchase,
                          "Receipt totals from Bonus-granting partners (e.g. Elisa, LähiTapiola, Vantaa Energy)",
                          retention_ms=7 * DAY_MS, external=True)
SBANK_CUSTOMER_UPDATES = Topic("sbank.customer-updates.v1", "sbank customer ref", SbankCustomerUpdate,
                               "Base data, permissions and prohibitions of shared customers, from S-Bank",
                               retention_ms=7 * DAY_MS, external=True)
DVV_POPULATION_UPDATES = Topic("dvv.population-updates.v1", "update id", PopulationUpdate,
                               "Name, address, non-disclosure, death and marketing-prohibition changes from "
                               "the Population Information System (DVV)", retention_ms=7 * DAY_MS, external=True)
HR_STAFF_UPDATES = Topic("hr.staff-updates.v1", "update id", StaffUpdate,
                         "Employment and staff-discount right from the HR register Hertta",
                         retention_ms=7 * DAY_MS, external=True)
# Outbound contact data in clear (S-Bank cannot open the register's per-person keys): kept three days,
# long enough for S-Bank to read it through a weekend's outage, and beyond the reach of an erasure no longer.
REGISTER_SBANK_UPDATES = Topic("register.sbank-updates.v1", "sbank customer ref", RegisterSbankUpdate,
                               "Outbound to S-Bank: base-data and permission changes of shared customers "
                               "made in the register", retention_ms=3 * DAY_MS, external=True)

# The membership service: commands in (they may carry identity codes, so a week), state out.
MEMBERSHIP_COMMANDS = Topic("membership.commands.v1", "person id", MembershipCommand,
                            "Customer, membership, contribution, household and contact-data commands",
                            retention_ms=7 * DAY_MS)
# An erasure republishes the person's households without them, or a tombstone where they were the main
# member (services/membership/application/retention.py).
MEMBERSHIP_HOUSEHOLDS = Topic("membership.households.v1", "household id", HouseholdState,
                              "Each household's current state: main member, cooperative, membership, open "
                              "contribution, member history (tombstone: its main member was erased)",
                              cleanup="compact", retention_ms=-1)
MEMBERSHIP_PERSONS = Topic("membership.persons.v1", "person id", PersonState,
                           "Pseudonymous person state: customer kind, language, deceased, marketing "
                           "prohibition, S-Bank customer, staff discount", cleanup="compact", retention_ms=-1)
MEMBERSHIP_BENEFITS = Topic("membership.benefits.v1", "person id", MemberBenefitPayout,
                            "Interest on the contribution, return of surplus and contribution refunds to S-Bank",
                            external=True)
MEMBERSHIP_BONUS_RETURNS = Topic("membership.bonus-returns.v1", "household id", BonusCreditReturned,
                                 "Withheld Bonus the capital contribution could not take: the bonus service "
                                 "pays it to the household in cash")
MEMBERSHIP_TAX_REPORTS = Topic("membership.tax-reports.v1", "year", TaxReportWritten,
                               "The yearly report to the tax authority was written")

# The consent service: blocks, permissions and segment definitions in, each person's consent out.
CONSENT_COMMANDS = Topic("consent.commands.v1", "person id or segment name", ConsentCommand,
                         "Blocks, marketing permissions and segment definitions for the consent service")
CONSENT_STATES = Topic("consent.states.v1", "person id", ConsentState,
                       "Each person's blocks and permissions in force, with the household's product-data "
                       "blocks (tombstone: erased)", cleanup="compact", retention_ms=-1)

# The digital service: the web stores, the digital services and customer service in (contracts/events/digital.py).
# Delivery addresses, orders and the contact log's notes are in clear on the wire: a week, like the other
# inbound topics that carry personal data.
WEBSTORE_CUSTOMER_UPDATES = Topic("webstore.customer-updates.v1", "person id", WebStoreCustomerUpdate,
                                  "Each customer's web-store profile: customer segment and delivery addresses",
                                  retention_ms=7 * DAY_MS, external=True)
WEBSTORE_ORDERS = Topic("webstore.orders.v1", "order id", WebStoreOrder,
                        "Web-store orders, sent at every status change", retention_ms=7 * DAY_MS, external=True)
DIGITAL_SERVICE_ORDERS = Topic("digital.service-orders.v1", "person id", DigitalServiceOrder,
                               "Newsletters, customer panels and S-mobiili ordered and cancelled",
                               retention_ms=7 * DAY_MS, external=True)
CUSTOMERSERVICE_CONTACTS = Topic("customerservice.contacts.v1", "person id", CustomerContact,
                                 "The register keeper's contacts with the customer (the contact log)",
                                 retention_ms=7 * DAY_MS, external=True)
WEBSTORE_SAVED_CARTS = Topic("webstore.saved-carts.v1", "person id", SavedCart,
                             "Each customer's saved cart in a web store, as it stands now",
                             retention_ms=7 * DAY_MS, external=True)
DIGITAL_SERVICE_USAGE = Topic("digital.service-usage.v1", "person id", DigitalServiceUsage,
                              "Identified logins and uses of S-Group's and partners' digital services",
                              retention_ms=7 * DAY_MS, external=True)
# The customer's own free text in clear on the wire: a week like the contact log's notes, then only sealed.
DIGITAL_ENTERED_DATA = Topic("digital.entered-data.v1", "person id", CustomerEnteredData,
                             "Data the customer entered in a digital service (preferences, free text)",
                             retention_ms=7 * DAY_MS, external=True)
# The digital service's word to the membership service that a customer was active (the `inactive_customer`
# rule). Only the pseudonymous id and a time; kept a month, the longest outage a consumer may be left to catch
# up from, like the privacy requests: the membership service keeps the latest time itself.
DIGITAL_CUSTOMER_ACTIVITY = Topic("digital.customer-activity.v1", "person id", CustomerActivity,
                                  "A customer was active in the web stores or the digital services (at most "
                                  "about daily per person)", retention_ms=30 * DAY_MS)

# The data-subject rights every service carries out in its own process (contracts/events/privacy.py). Only
# pseudonymous person ids; a request waits here for a service that is down, so a month, the longest outage
# an erasure may be left to wait for before operators must act (the API shows what is still pending).
PRIVACY_ERASURE_REQUESTS = Topic("privacy.erasure-requests.v1", "person id", ErasureRequested,
                                 "Erase this person: every service erases its part and reports",
                                 retention_ms=30 * DAY_MS)
PRIVACY_ERASURE_REPORTS = Topic("privacy.erasure-reports.v1", "person id", ErasureReport,
                                "One service has erased its part of a person", retention_ms=30 * DAY_MS)
PRIVACY_RETENTION_REQUESTS = Topic("privacy.retention-requests.v1", "run id", RetentionRequested,
                                   "Erase what passed its retention period", retention_ms=30 * DAY_MS)
PRIVACY_RETENTION_REPORTS = Topic("privacy.retention-reports.v1", "run id", RetentionReport,
                                  "What one service erased in a retention run", retention_ms=30 * DAY_MS)


def marketing_segment(name: str) -> Topic:
    """The compacted topic of one marketing segment, keyed by the per-segment pseudonym (tombstone = left)."""
    return Topic(segment_topic(name), "pseudonym", SegmentMember,
                 f"Members of the marketing segment {name!r}, with the attributes allowed to leave the register",
                 cleanup="compact", retention_ms=-1, external=True)


ALL: tuple[Topic, ...] = (POS_PURCHASES, PURCHASES_ACCEPTED, CARD_STATE, CARD_COMMANDS, BONUS_COMMANDS,
                          BONUS_CAMPAIGNS,
                          BONUS_PAYOUTS, BONUS_STATEMENTS, BONUS_MONTHS, BONUS_MONTH_TO_DATE, PARTNER_PURCHASES,
                          SBANK_CUSTOMER_UPDATES,
                          DVV_POPULATION_UPDATES, HR_STAFF_UPDATES, REGISTER_SBANK_UPDATES,
                          MEMBERSHIP_COMMANDS, MEMBERSHIP_HOUSEHOLDS, MEMBERSHIP_PERSONS, MEMBERSHIP_BENEFITS,
                          MEMBERSHIP_BONUS_RETURNS, MEMBERSHIP_TAX_REPORTS, CONSENT_COMMANDS, CONSENT_STATES,
                          WEBSTORE_CUSTOMER_UPDATES, WEBSTORE_ORDERS, DIGITAL_SERVICE_ORDERS, CUSTOMERSERVICE_CONTACTS,
                          WEBSTORE_SAVED_CARTS, DIGITAL_SERVICE_USAGE, DIGITAL_ENTERED_DATA, DIGITAL_CUSTOMER_ACTIVITY,
                          PRIVACY_ERASURE_REQUESTS,
                          PRIVACY_ERASURE_REPORTS, PRIVACY_RETENTION_REQUESTS, PRIVACY_RETENTION_REPORTS)
BY_NAME = {topic.name: topic for topic in ALL}
