"""What of a person's consent outlives their erasure: the prohibitions.

Erasure takes the consent receipts, the permissions and the segment memberships. An objection to direct
marketing, market research or profiling (GDPR art. 21) must go on being honoured after that, or the erased
person would be marketed to again the day they turn up anew (S-Bank still knows them, for one). So the
blocks in force that object to marketing are kept as a suppression entry keyed by keyed tokens, never by
the person id or a reference in clear. Permissions are not kept: a permission ends with the erasure and a
returning customer gives it anew. Service blocks (warranty receipts, product data for customer-specific
services) concern services the erased person no longer has and are not kept either.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Mapping

from services.consent.domain.consent import Statement, block_item

SUPPRESSED_BLOCKS = ("all_marketing", "owner_customer_mail", "direct_mail", "telemarketing", "surveys",
                     "email_messages", "mobile_messages", "product_data_targeting", "product_data_collection")


@dataclass(frozen=True)
class Suppression:
    blocks: tuple[str, ...]
    stated_at: datetime  # when the latest kept block was stated

    def statements(self) -> list[Statement]:
        """The kept blocks as statements as of `stated_at`: a customer's later statement still wins."""
        return [Statement(block_item(block), True, self.stated_at) for block in self.blocks]


def suppression_of(in_force: Mapping[str, tuple[bool, datetime]]) -> Suppression | None:
    """`in_force`: item -> (value, stated at) of the person's items in force; None when nothing is to be kept."""
    kept = [(block, in_force[block_item(block)][1]) for block in SUPPRESSED_BLOCKS
            if in_force.get(block_item(block), (False, None))[0]]
    if not kept:
        return None
    return Suppression(tuple(block for block, _ in kept), max(at for _, at in kept))
