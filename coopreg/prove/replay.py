"""After the erasure, the neighbours keep talking: a population-register (DVV) address change and an S-Bank
update carrying the erased person's identity code (and their old S-Bank reference), and a web store and a digital
service that have not heard — a web-store profile with a delivery address in the person's name, and a login.
They must be recognised as about an erased subject and store nothing: the membership service counts the first
two as `erased_subject`, the digital service drops the other two as `person_erased` (and so reports no activity
of theirs to the membership service either)."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timezone

from contracts.events.digital import DeliveryAddress, DigitalServiceUsage, WebStoreCustomerUpdate
from contracts.events.dvv import PopulationUpdate
from contracts.events.fields import PostalAddress
from contracts.events.sbank import MarketingPermissions, SbankCustomerUpdate
from contracts.topics import (
    DIGITAL_SERVICE_USAGE,
    DVV_POPULATION_UPDATES,
    SBANK_CUSTOMER_UPDATES,
    WEBSTORE_CUSTOMER_UPDATES,
)
from coopreg.client import RegisterClient
from coopreg.prove.history import send, until
from coopreg.prove.subject import Subject
from services.digital.adapters.reads import messages_dropped_as_erased
from services.membership.adapters.reads import updates_ignored_as_erased

MEMBERSHIP_SOURCES = ["dvv", "sbank"]
DIGITAL_SOURCES = ["webstore", "digital-usage"]  # the digital service's names of the two feeds


@dataclass(frozen=True)
class Replayed:
    """How many of the replayed messages each service counted as about an erased person (2 each)."""
    membership: int
    digital: int

    @property
    def total(self) -> int:
        return self.membership + self.digital


def new_data(subject: Subject) -> dict[str, str]:
    """The address and e-mail the replayed updates carry: searched for afterwards like the rest."""
    suffix = subject.person_id.rsplit("-", 1)[-1]
    return {"replayed_street": f"Palaajantie {suffix}", "replayed_email": f"back.{suffix}@example.fi"}


async def _counted(db) -> Replayed:
    return Replayed(int(await updates_ignored_as_erased(db, MEMBERSHIP_SOURCES)),
                    int(await messages_dropped_as_erased(db, DIGITAL_SOURCES)))


async def replay(client: RegisterClient, db, subject: Subject) -> Replayed:
    """Send the four messages and wait until both services have handled them; how many each counted as about an
    erased subject."""
    data, now = new_data(subject), datetime.now(timezone.utc)
    before = await _counted(db)
    dvv = PopulationUpdate(update_id=f"vtj-{uuid.uuid4().hex[:12]}", identity_code=subject.identity_code,
                           kind="address", address_kind="permanent",
                           address=PostalAddress(street=data["replayed_street"], postal_code="00500", city="Helsinki"),
                           effective_date=now.date(), source_time=now)
    sbank = SbankCustomerUpdate(update_id=f"sb-{uuid.uuid4().hex[:12]}", sbank_customer_ref=subject.sbank_ref,
                                origin="sbank", identity_code=subject.identity_code, email=data["replayed_email"],
                                permissions=MarketingPermissions(email=True), source_time=now)
    profile = WebStoreCustomerUpdate(
        update_id=f"u-{uuid.uuid4().hex[:12]}", person_id=subject.person_id, store="s-kaupat", segment="frequent",
        source_time=now, delivery_addresses=[DeliveryAddress(
            address_id="back", recipient=f"{subject.first_names} {subject.last_name}",
            address=PostalAddress(street=data["replayed_street"], postal_code="00500", city="Helsinki"))])
    login = DigitalServiceUsage(event_id=f"use-{uuid.uuid4().hex[:12]}", person_id=subject.person_id,
                                service="s-kaupat", company="sok", company_kind="s_group", channel="web",
                                identified_with="card", kind="login", at=now)
    await send(client, DVV_POPULATION_UPDATES, dvv.update_id, dvv)
    await send(client, SBANK_CUSTOMER_UPDATES, subject.sbank_ref, sbank)
    await send(client, WEBSTORE_CUSTOMER_UPDATES, subject.person_id, profile)
    await send(client, DIGITAL_SERVICE_USAGE, subject.person_id, login)

    async def handled():
        counted = await _counted(db)
        return counted.membership - before.membership >= 2 and counted.digital - before.digital >= 2

    try:
        await until(handled, "the replayed messages counted as about an erased subject", timeout=60)
    except TimeoutError:
        pass  # not counted: whatever they stored instead is what the search after them finds
    after = await _counted(db)
    return Replayed(after.membership - before.membership, after.digital - before.digital)
