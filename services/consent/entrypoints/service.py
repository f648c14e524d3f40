"""The consent service: blocks and marketing permissions with their receipts, the consent part of the
S-Bank exchange, and the marketing segments (one compacted topic each, keyed by a per-segment pseudonym,
only ever carrying people whose consent allows the segment's purpose on its channel). Commands, S-Bank
updates and the membership and Bonus states in; consent states, S-Bank updates and segment members out."""
from __future__ import annotations

from functools import partial
from pathlib import Path

from contracts.schemas import SEGMENT_TEMPLATE
from contracts.topics import (
    BONUS_MONTH_TO_DATE,
    CONSENT_COMMANDS,
    CONSENT_STATES,
    MEMBERSHIP_HOUSEHOLDS,
    MEMBERSHIP_PERSONS,
    REGISTER_SBANK_UPDATES,
    SBANK_CUSTOMER_UPDATES,
)
from services.consent.adapters.segment_topics import SegmentTopics
from services.consent.application import erase_person, retention
from services.consent.application.bonus_tiers import apply_months_to_date
from services.consent.application.commands import handle_commands
from services.consent.application.config import ConsentConfig
from services.consent.application.maintenance import run_segment_maintenance
from services.consent.application.membership_events import apply_household_states, apply_person_states
from services.consent.application.sbank_inbound import apply_sbank_updates, run_parked_sweep
from services.consent.entrypoints.subjects import answers
from shared.privacy_duties import PrivacyDuties
from shared.runtime import ServiceContext, ServiceDefinition, main
from shared.settings import Settings

MIGRATIONS = Path(__file__).resolve().parents[1] / "adapters" / "migrations"


def wire(ctx: ServiceContext) -> None:
    config = ConsentConfig.from_settings(ctx.settings)
    ctx.subscribe(CONSENT_COMMANDS, partial(handle_commands, config=config), max_records=200)
    ctx.subscribe(SBANK_CUSTOMER_UPDATES, partial(apply_sbank_updates, config=config),
                  consumer="consent-sbank", max_records=500)
    ctx.subscribe(MEMBERSHIP_PERSONS, partial(apply_person_states, config=config),
                  consumer="consent-persons", max_records=500, tombstones=True)
    ctx.subscribe(MEMBERSHIP_HOUSEHOLDS, partial(apply_household_states, config=config),
                  consumer="consent-households", max_records=500, tombstones=True)
    ctx.subscribe(BONUS_MONTH_TO_DATE, partial(apply_months_to_date, config=config),
                  consumer="consent-bonus", max_records=2000)
    ctx.jobs.append(partial(run_segment_maintenance, ctx.pool, SegmentTopics(ctx.settings.kafka).ensure, config))
    ctx.jobs.append(partial(run_parked_sweep, ctx.pool, config))


def privacy(settings: Settings) -> PrivacyDuties:
    config = ConsentConfig.from_settings(settings)
    return PrivacyDuties("consent", partial(erase_person.erase_person, config=config),
                         retention.erase_expired)


SERVICE = ServiceDefinition(
    "consent", MIGRATIONS, wire, answers=answers, privacy=privacy, description=__doc__,
    publishes=(CONSENT_STATES, REGISTER_SBANK_UPDATES, SEGMENT_TEMPLATE))

if __name__ == "__main__":
    main(SERVICE)
