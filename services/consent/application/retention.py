"""The consent service's part of the retention job (called by the register API with a connection to this
service's schema): a block's receipt is erased two years after the block was lifted (`service_blocks`,
seed §11). The statement in force — the lifting itself, or a block still set — is kept while the customer
relationship lasts; a person's receipts all go with their erasure (`erase_person.py`). The disclosure log's
entries go after the `disclosures` period."""
from __future__ import annotations

from datetime import datetime
from typing import Mapping

from services.consent.adapters import retention
from shared import disclosure_log
from shared.db import Connection


async def erase_expired(conn: Connection, cutoffs: Mapping[str, datetime]) -> dict[str, int]:
    erased = {}
    if "service_blocks" in cutoffs:
        erased["service_blocks"] = await retention.blocks_lifted_before(conn, cutoffs["service_blocks"])
    if "disclosures" in cutoffs:
        erased["disclosures"] = await disclosure_log.erase_before(conn, cutoffs["disclosures"])
    return erased
