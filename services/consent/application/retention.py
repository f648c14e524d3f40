"""The consent service's part of the retention job (called by the register API with a connection to this
service's schema): a block's receipt is erased two years after the block was lifted (`service_blocks`,
seed §11). The statement in force — the lifting itself, or a block still set — is kept while the customer
relationship lasts; a person's receipts all go with their erasure (`erase_person.py`)."""
from __future__ import annotations

from datetime import datetime
from typing import Mapping

from services.consent.adapters import retention


async def erase_expired(conn, cutoffs: Mapping[str, datetime]) -> dict[str, int]:
    if "service_blocks" not in cutoffs:
        return {}
    return {"service_blocks": await retention.blocks_lifted_before(conn, cutoffs["service_blocks"])}
