"""Use case: erase a person from the consent service — called by the register API's erasure (one transaction,
with a connection to this service's schema) and run when `membership.persons.v1` brings the person's tombstone.

The consent receipts, the items in force and the segment memberships go; the person's projection row keeps
only the id and the time of erasure (so no late event brings anything of them back); settling publishes the
tombstone of their consent state and a tombstone in every segment they were in. What the person had
prohibited stays as a marketing suppression under keyed tokens of their person id and S-Bank reference
(`domain/suppression.py`): when S-Bank's reference turns up on a new person, the prohibitions apply to them
at once (`restore_suppression`). S-Bank's reference is also kept as an erased subject's token
(`erased_sbank_token`): S-Bank's later consent updates for it are counted and dropped, never parked, until a
person's state brings the reference again (their own new registration). Idempotent: erasing an erased person
changes nothing.
"""
from __future__ import annotations

from contracts.envelope import Envelope
from services.consent.adapters import consents, people, person_reads, suppressions
from services.consent.application.change_consent import Provenance, record
from services.consent.application.config import ConsentConfig
from services.consent.application.settle import settle
from services.consent.domain.suppression import Suppression, suppression_of
from shared import disclosure_log
from shared.db import Connection
from shared.pseudonym import keyed_token

RESTORED = Provenance("register", "erasure-suppression", "register")


def suppression_tokens(config: ConsentConfig, person_id: str | None, sbank_customer_ref: str | None) -> dict[str, str]:
    """kind -> keyed token of each identifier a suppression is kept under."""
    named = {"person": person_id, "sbank_customer": sbank_customer_ref}
    return {kind: keyed_token(f"marketing-suppression:{kind}", value, config.index_key)
            for kind, value in named.items() if value}


def erased_sbank_token(config: ConsentConfig, sbank_customer_ref: str) -> str:
    """The keyed token an erased person's S-Bank reference is recognised by (a purpose of its own)."""
    return keyed_token("erased-subject:sbank_customer", sbank_customer_ref, config.index_key)


async def erase_person(conn: Connection, person_id: str, config: ConsentConfig, cause: Envelope | None = None) -> dict:
    """Erase the person; the report: rows erased, segments left, whether a suppression was kept."""
    locked = await people.lock(conn, [person_id])
    row = await people.person(conn, person_id)
    held = await person_reads.held(conn, person_id)
    suppression = suppression_of(await person_reads.items_in_force(conn, person_id))
    if suppression is not None:
        for kind, token in suppression_tokens(config, person_id, row["sbank_customer_ref"]).items():
            await suppressions.keep(conn, token, kind, list(suppression.blocks), suppression.stated_at)
    if row["sbank_customer_ref"] is not None:
        await suppressions.keep_erased_sbank_customer(conn, erased_sbank_token(config, row["sbank_customer_ref"]))
    await consents.erase(conn, person_id)
    await people.erase(conn, person_id)
    disclosures = await disclosure_log.erase_person(conn, person_id)
    await settle(conn, locked, cause, config)
    return {"rows": held["receipts"] + held["items_in_force"], "segments_left": held["segments"],
            "suppression_kept": suppression is not None, "disclosures": disclosures}


async def restore_suppression(conn: Connection, person_id: str, sbank_customer_ref: str | None, cause: Envelope,
                              config: ConsentConfig) -> bool:
    """Put the prohibitions kept for an erased person in force for `person_id` (a person new to the service,
    row locked) when one of its identifiers names them; True when it did."""
    found = await suppressions.find(conn, list(suppression_tokens(config, person_id, sbank_customer_ref).values()))
    if not found:
        return False
    blocks = sorted({block for row in found for block in row["blocks"]})
    await record(conn, person_id, Suppression(tuple(blocks), max(r["stated_at"] for r in found)).statements(),
                 RESTORED, cause.id)
    return True
