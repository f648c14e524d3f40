"""The digital service: the customer's digital relationship. Web-store profiles (segment, delivery addresses
with history), orders and saved carts from the web stores; newsletters, customer panels and S-mobiili ordered
and cancelled, identified logins and uses, and what customers entered, from the digital services; and the
contact log from customer service, in; out, when a customer was last active (for the membership service's
`inactive_customer` rule), and its part of the extract, the erasure and retention."""
from __future__ import annotations

from functools import partial
from pathlib import Path

from contracts.topics import (
    CUSTOMERSERVICE_CONTACTS,
    DIGITAL_CUSTOMER_ACTIVITY,
    DIGITAL_ENTERED_DATA,
    DIGITAL_SERVICE_ORDERS,
    DIGITAL_SERVICE_USAGE,
    WEBSTORE_CUSTOMER_UPDATES,
    WEBSTORE_ORDERS,
    WEBSTORE_SAVED_CARTS,
)
from services.digital.application import retention
from services.digital.application.config import DigitalConfig
from services.digital.application.inbound import (
    apply_contacts,
    apply_entered_data,
    apply_orders,
    apply_profiles,
    apply_saved_carts,
    apply_service_orders,
    apply_usage,
)
from services.digital.application.reseal_notes import run_once_at_start
from services.digital.entrypoints.subjects import answers
from shared.privacy_duties import PrivacyDuties
from shared.runtime import ServiceContext, ServiceDefinition, main
from shared.settings import Settings

MIGRATIONS = Path(__file__).resolve().parents[1] / "adapters" / "migrations"


def wire(ctx: ServiceContext) -> None:
    config = DigitalConfig.from_settings(ctx.settings)
    ctx.subscribe(WEBSTORE_CUSTOMER_UPDATES, apply_profiles, consumer="digital-webstore-customers", max_records=200)
    ctx.subscribe(WEBSTORE_ORDERS, apply_orders, consumer="digital-webstore-orders", max_records=500)
    ctx.subscribe(DIGITAL_SERVICE_ORDERS, apply_service_orders, consumer="digital-service-orders", max_records=500)
    ctx.subscribe(CUSTOMERSERVICE_CONTACTS, partial(apply_contacts, config=config), consumer="digital-contacts",
                  max_records=200)
    ctx.subscribe(WEBSTORE_SAVED_CARTS, apply_saved_carts, consumer="digital-saved-carts", max_records=200)
    ctx.subscribe(DIGITAL_SERVICE_USAGE, apply_usage, consumer="digital-usage", max_records=1000)
    ctx.subscribe(DIGITAL_ENTERED_DATA, partial(apply_entered_data, config=config), consumer="digital-entered-data",
                  max_records=200)
    # once at start: contact-log notes still under the register-wide key move under the person's (migration 004)
    ctx.jobs.append(partial(run_once_at_start, ctx.pool, config))


def privacy(settings: Settings) -> PrivacyDuties:
    return PrivacyDuties("digital", retention.erase_person, retention.erase_expired)


SERVICE = ServiceDefinition("digital", MIGRATIONS, wire, answers=answers, privacy=privacy, description=__doc__,
                            publishes=(DIGITAL_CUSTOMER_ACTIVITY,))

if __name__ == "__main__":
    main(SERVICE)
