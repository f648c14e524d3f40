"""The digital service: the customer's digital relationship. Web-store profiles (segment, delivery addresses
with history) and orders from the web stores, newsletters, customer panels and S-mobiili ordered and cancelled
from the digital services, and the contact log from customer service, in; nothing out but its part of the
extract, the erasure and retention."""
from __future__ import annotations

from functools import partial
from pathlib import Path

from contracts.topics import (
    CUSTOMERSERVICE_CONTACTS,
    DIGITAL_SERVICE_ORDERS,
    WEBSTORE_CUSTOMER_UPDATES,
    WEBSTORE_ORDERS,
)
from services.digital.application import retention
from services.digital.application.config import DigitalConfig
from services.digital.application.inbound import apply_contacts, apply_orders, apply_profiles, apply_service_orders
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


def privacy(settings: Settings) -> PrivacyDuties:
    return PrivacyDuties("digital", retention.erase_person, retention.erase_expired)


SERVICE = ServiceDefinition("digital", MIGRATIONS, wire, answers=answers, privacy=privacy, description=__doc__)

if __name__ == "__main__":
    main(SERVICE)
