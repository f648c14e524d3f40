"""The purchases service: POS receipts in, accepted purchases out (keyed by household)."""
from __future__ import annotations

from functools import partial
from pathlib import Path

from contracts.topics import (
    CARD_STATE,
    CONSENT_STATES,
    MEMBERSHIP_PERSONS,
    PARTNER_PURCHASES,
    POS_PURCHASES,
    PURCHASES_ACCEPTED,
)
from services.purchases.application import retention
from services.purchases.application.apply_card_state import when_card_changes_resolve_waiting_receipts
from services.purchases.application.apply_person_state import keep_person_states
from services.purchases.application.config import PurchasesConfig
from services.purchases.application.keep_product_data_consents import when_consent_changes_keep_product_data_rules
from services.purchases.application.receipt_issues import gauges, partner_gauges, read_receipt_issues
from services.purchases.application.record_partner_purchases import record_partner_purchases
from services.purchases.application.record_purchases import prepare_receipt, record_purchases
from services.purchases.application.report_unresolved import run_unresolved_sweeper
from services.purchases.entrypoints.subjects import answers
from shared.privacy_duties import PrivacyDuties
from shared.runtime import ServiceContext, ServiceDefinition, main
from shared.settings import Settings

MIGRATIONS = Path(__file__).resolve().parents[1] / "adapters" / "migrations"


def wire(ctx: ServiceContext) -> None:
    config = PurchasesConfig(index_key=ctx.settings.secrets.index_key.get_secret_value())
    # Receipts deduplicate by their natural key (receipt id), so they need no inbox row.
    ctx.subscribe(POS_PURCHASES, partial(record_purchases, config=config), use_inbox=False,
                  prepare=partial(prepare_receipt, config=config))
    ctx.subscribe(PARTNER_PURCHASES, partial(record_partner_purchases, config=config), use_inbox=False,
                  consumer="purchases-partners")
    ctx.jobs.append(partial(run_unresolved_sweeper, ctx.pool, config))
    ctx.subscribe(CARD_STATE, when_card_changes_resolve_waiting_receipts, consumer="purchases-cards",
                  tombstones=True)  # a tombstone: the card's holder was erased
    # Whole states replace a person's registrations, so a redelivery changes nothing: no inbox row needed.
    ctx.subscribe(MEMBERSHIP_PERSONS, keep_person_states, consumer="purchases-persons", use_inbox=False,
                  tombstones=True)  # a tombstone: the person was erased
    ctx.gauges.append(partial(receipt_issue_gauges, ctx))
    ctx.subscribe(CONSENT_STATES, when_consent_changes_keep_product_data_rules, consumer="purchases-consents",
                  use_inbox=False, tombstones=True)  # versioned states: an older one changes nothing


async def receipt_issue_gauges(ctx: ServiceContext) -> list:
    async with ctx.pool.acquire() as conn:
        return gauges(await read_receipt_issues(conn, conflicts_limit=0)) + await partner_gauges(conn)


def privacy(settings: Settings) -> PrivacyDuties:
    return PrivacyDuties("purchases", retention.erase_person, retention.erase_expired)


SERVICE = ServiceDefinition("purchases", MIGRATIONS, wire, answers=answers, privacy=privacy,
                            publishes=(PURCHASES_ACCEPTED,), description=__doc__)

if __name__ == "__main__":
    main(SERVICE)
