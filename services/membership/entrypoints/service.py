"""The membership service: the customer register — persons, cooperatives, memberships and capital
contributions, households — and its exchanges with S-Bank, the population register (DVV) and HR (Hertta).
Commands and updates in (and when a customer was last active in the digital services); household and person
states, S-Bank updates and benefit payouts out."""
from __future__ import annotations

from functools import partial
from pathlib import Path

from contracts.topics import (
    BONUS_PAYOUTS,
    BONUS_STATEMENTS,
    DIGITAL_CUSTOMER_ACTIVITY,
    DVV_POPULATION_UPDATES,
    HR_STAFF_UPDATES,
    MEMBERSHIP_BENEFITS,
    MEMBERSHIP_BONUS_RETURNS,
    MEMBERSHIP_COMMANDS,
    MEMBERSHIP_HOUSEHOLDS,
    MEMBERSHIP_PERSONS,
    MEMBERSHIP_TAX_REPORTS,
    REGISTER_SBANK_UPDATES,
    SBANK_CUSTOMER_UPDATES,
)
from services.membership.application import retention
from services.membership.application.activity_elsewhere import note_digital_activity, run_waiting_sweep
from services.membership.application.bonus_to_contribution import when_bonus_is_paid_credit_the_contribution
from services.membership.application.commands import handle_commands
from services.membership.application.config import MembershipConfig
from services.membership.application.deadlines import run_deadline_sweeper
from services.membership.application.population import apply_population_updates
from services.membership.application.sbank_inbound import apply_sbank_updates
from services.membership.application.staff import apply_staff_updates
from services.membership.application.statements import keep_bonus_statements
from services.membership.entrypoints.subjects import answers
from shared.privacy_duties import PrivacyDuties
from shared.runtime import ServiceContext, ServiceDefinition, main
from shared.settings import Settings

MIGRATIONS = Path(__file__).resolve().parents[1] / "adapters" / "migrations"


def wire(ctx: ServiceContext) -> None:
    config = MembershipConfig.from_settings(ctx.settings)
    ctx.subscribe(MEMBERSHIP_COMMANDS, partial(handle_commands, config=config), max_records=200)
    ctx.subscribe(SBANK_CUSTOMER_UPDATES, partial(apply_sbank_updates, config=config),
                  consumer="membership-sbank", max_records=500)
    ctx.subscribe(DVV_POPULATION_UPDATES, partial(apply_population_updates, config=config),
                  consumer="membership-dvv", max_records=500)
    ctx.subscribe(HR_STAFF_UPDATES, partial(apply_staff_updates, config=config),
                  consumer="membership-hr", max_records=500)
    ctx.subscribe(BONUS_PAYOUTS, partial(when_bonus_is_paid_credit_the_contribution, config=config),
                  consumer="membership-bonus", max_records=500)
    ctx.subscribe(BONUS_STATEMENTS, partial(keep_bonus_statements, config=config), consumer="membership-statements",
                  use_inbox=False, max_records=2000)
    # a report only ever moves a time forward (the later one wins): no inbox needed against a repeat
    ctx.subscribe(DIGITAL_CUSTOMER_ACTIVITY, note_digital_activity, consumer="membership-digital-activity",
                  use_inbox=False, max_records=1000)
    ctx.jobs.append(partial(run_deadline_sweeper, ctx.pool))
    ctx.jobs.append(partial(run_waiting_sweep, ctx.pool, config))


def privacy(settings: Settings) -> PrivacyDuties:
    # with the config, a person registered before erasure markers existed gets one made from their code
    erase = partial(retention.erase_person, config=MembershipConfig.from_settings(settings))
    return PrivacyDuties("membership", erase, retention.erase_expired,
                         retention.relationship_ended)


SERVICE = ServiceDefinition(
    "membership", MIGRATIONS, wire, answers=answers, privacy=privacy, description=__doc__,
    publishes=(MEMBERSHIP_HOUSEHOLDS, MEMBERSHIP_PERSONS, REGISTER_SBANK_UPDATES, MEMBERSHIP_BENEFITS,
               MEMBERSHIP_BONUS_RETURNS, MEMBERSHIP_TAX_REPORTS))

if __name__ == "__main__":
    main(SERVICE)
