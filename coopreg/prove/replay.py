"""After the erasure, the neighbours keep talking: a population-register (DVV) address change and an S-Bank
update carrying the erased person's identity code (and their old S-Bank reference). They must be recognised
as about an erased subject and store nothing."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

from contracts.events.dvv import PopulationUpdate
from contracts.events.fields import PostalAddress
from contracts.events.sbank import SbankCustomerUpdate
from contracts.topics import DVV_POPULATION_UPDATES, SBANK_CUSTOMER_UPDATES
from coopreg.client import RegisterClient
from coopreg.prove.history import send, until
from coopreg.prove.subject import Subject

COUNTED = ("SELECT coalesce(sum(count), 0) FROM membership.ignored_updates WHERE reason = 'erased_subject'"
           " AND source = ANY($1::text[])")


def new_data(subject: Subject) -> dict[str, str]:
    """The address and e-mail the replayed updates carry: searched for afterwards like the rest."""
    suffix = subject.person_id.rsplit("-", 1)[-1]
    return {"replayed_street": f"Palaajantie {suffix}", "replayed_email": f"back.{suffix}@example.fi"}


async def replay(client: RegisterClient, db, subject: Subject) -> int:
    """Send both updates and wait until membership has handled them; how many it counted as erased subjects."""
    data, now = new_data(subject), datetime.now(timezone.utc)
    before = await db.fetchval(COUNTED, ["dvv", "sbank"])
    dvv = PopulationUpdate(update_id=f"vtj-{uuid.uuid4().hex[:12]}", identity_code=subject.identity_code,
                           kind="address", address_kind="permanent",
                           address=PostalAddress(street=data["replayed_street"], postal_code="00500", city="Helsinki"),
                           effective_date=now.date(), source_time=now)
    sbank = SbankCustomerUpdate(update_id=f"sb-{uuid.uuid4().hex[:12]}", sbank_customer_ref=subject.sbank_ref,
                                origin="sbank", identity_code=subject.identity_code, email=data["replayed_email"],
                                permissions={"email": True}, source_time=now)
    await send(client, DVV_POPULATION_UPDATES, dvv.update_id, dvv)
    await send(client, SBANK_CUSTOMER_UPDATES, subject.sbank_ref, sbank)

    async def handled():
        return (await db.fetchval(COUNTED, ["dvv", "sbank"])) - before >= 2

    try:
        await until(handled, "the replayed updates counted as about an erased subject", timeout=60)
    except TimeoutError:
        pass  # not counted: whatever they stored instead is what the search after them finds
    return int(await db.fetchval(COUNTED, ["dvv", "sbank"]) - before)
