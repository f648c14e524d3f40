"""The bonus service: accepted purchases in, household-month accruals, month close and payouts out."""
from __future__ import annotations

from functools import partial
from pathlib import Path

from contracts.topics import (
    BONUS_CAMPAIGNS,
    BONUS_COMMANDS,
    BONUS_MONTH_TO_DATE,
    BONUS_MONTHS,
    BONUS_PAYOUTS,
    BONUS_STATEMENTS,
    CONSENT_STATES,
    MEMBERSHIP_BONUS_RETURNS,
    MEMBERSHIP_HOUSEHOLDS,
    PURCHASES_ACCEPTED,
)
from services.bonus.application import retention
from services.bonus.application.book_purchases import book_purchases
from services.bonus.application.campaigns import CampaignConfig, when_campaign_commanded
from services.bonus.application.close_month import CloseConfig, request_month_close, run_closer, utc_now
from services.bonus.application.close_schedule import close_calendar, run_scheduled_close, unpaid_past_deadline
from services.bonus.application.held_payouts import held_payout_gauges, run_held_payout_release
from services.bonus.application.keep_households import when_household_changes_keep_it
from services.bonus.application.keep_product_data_blocks import when_consent_changes_keep_product_data_blocks
from services.bonus.application.pay_returned_credit import when_membership_returns_bonus_pay_it_out
from services.bonus.application.publish_close import run_close_publisher
from services.bonus.domain import load_tier_tables
from services.bonus.entrypoints.subjects import answers
from shared.privacy_duties import PrivacyDuties
from shared.runtime import ServiceContext, ServiceDefinition, main
from shared.settings import Settings

MIGRATIONS = Path(__file__).resolve().parents[1] / "adapters" / "migrations"


def wire(ctx: ServiceContext) -> None:
    config = CloseConfig(tables=load_tier_tables())
    calendar = close_calendar(ctx.settings.bonus)
    # Purchases are booked once by receipt id (their natural key), so they need no inbox row.
    ctx.subscribe(PURCHASES_ACCEPTED, partial(book_purchases, tables=config.tables), use_inbox=False)
    ctx.subscribe(BONUS_COMMANDS, partial(request_month_close, calendar=calendar), consumer="bonus-commands",
                  max_records=10)
    ctx.subscribe(BONUS_CAMPAIGNS, partial(when_campaign_commanded, config=CampaignConfig()),
                  consumer="bonus-campaigns")
    ctx.subscribe(MEMBERSHIP_BONUS_RETURNS, when_membership_returns_bonus_pay_it_out, consumer="bonus-returns",
                  use_inbox=False)  # a return is paid once by its id (returned_credits)
    ctx.subscribe(MEMBERSHIP_HOUSEHOLDS, when_household_changes_keep_it, consumer="bonus-households",
                  use_inbox=False, tombstones=True)  # versioned states: an older or repeated one changes nothing
    ctx.subscribe(CONSENT_STATES, when_consent_changes_keep_product_data_blocks, consumer="bonus-consents",
                  use_inbox=False, tombstones=True)  # versioned states; a tombstone is the person's erasure
    ctx.jobs.append(partial(run_closer, ctx.pool, config))
    if ctx.settings.bonus.scheduled_close:
        ctx.jobs.append(partial(run_scheduled_close, ctx.pool, calendar))
    ctx.gauges.append(lambda: unpaid_past_deadline(ctx.pool, calendar, utc_now()))
    ctx.jobs.append(partial(run_close_publisher, ctx.pool, ctx.producer, ctx.settings.kafka.topic_prefix,
                            ctx.published))
    ctx.jobs.append(partial(run_held_payout_release, ctx.pool))
    ctx.gauges.append(partial(held_payout_gauges, ctx.pool))


def privacy(settings: Settings) -> PrivacyDuties:
    return PrivacyDuties("bonus", retention.erase_person, retention.erase_expired)


SERVICE = ServiceDefinition("bonus", MIGRATIONS, wire, answers=answers, privacy=privacy, description=__doc__,
                            publishes=(BONUS_PAYOUTS, BONUS_STATEMENTS, BONUS_MONTHS, BONUS_MONTH_TO_DATE))

if __name__ == "__main__":
    main(SERVICE)
