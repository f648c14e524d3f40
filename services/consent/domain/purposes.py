"""Which blocks and permissions decide a segment's purpose on its channel: the rules as data.

Sources: seed §5 (blocked services, each separate), §10-12 (marketing to e-mail and mobile only with explicit
permission; without it only messages tied to the customer relationship, unless the customer forbids those
too), domain.md §6.1 (the self-service blocks; "all marketing" leaves only official membership
communication; product-level data for targeting unless a household member forbids it).

Assumptions, kept here as data so they can be changed in one place:
- surveys need the e-mail or SMS permission like marketing does (electronic market research is direct
  marketing under the Information Society Code);
- the member magazine and member mail are stopped by "all marketing" (they are not official
  communication), but on e-mail need no marketing permission (they belong to the membership);
- a postal survey is stopped by the survey block and by the direct-mail block; telemarketing stops every
  marketing-like call (marketing, surveys, member mail);
- nobody under 15 (by birth year) is in a segment.
"""
from __future__ import annotations

from dataclasses import dataclass

MINIMUM_AGE = 15


@dataclass(frozen=True)
class PurposeRule:
    blocks: frozenset[str]        # blocks that stop the purpose on every channel
    marketing_like: bool          # stopped by "all marketing", a marketing prohibition and channel blocks
    needs_permission: bool        # e-mail and SMS only with the channel's opt-in
    product_data_block: str       # the household block that stops product-level data for this purpose


PURPOSES: dict[str, PurposeRule] = {
    "marketing": PurposeRule(frozenset(), True, True, "product_data_targeting"),
    "survey": PurposeRule(frozenset({"surveys"}), True, True, "product_data_targeting"),
    "member_mail": PurposeRule(frozenset({"owner_customer_mail"}), True, False, "product_data_targeting"),
    "customer_relationship": PurposeRule(frozenset(), False, False, "product_data_services"),
    "warranty_receipt": PurposeRule(frozenset({"warranty_receipts"}), False, False, "product_data_services"),
    "personalised_service": PurposeRule(frozenset(), False, False, "product_data_services"),
}

# channel → (block, applies to marketing-like purposes only?)
CHANNEL_BLOCKS: dict[str, tuple[str, bool]] = {
    "email": ("email_messages", False),   # every e-mail message, the customer relationship's too
    # seed §12: without a marketing permission only customer-relationship messages go to the mobile phone,
    # unless the customer forbids those too; this block is that refusal (every SMS, marketing's as well)
    "sms": ("mobile_messages", False),
    "post": ("direct_mail", True),
    "phone": ("telemarketing", True),
}
PERMISSION_CHANNELS = {"email": "email", "sms": "sms"}
# The member magazine is separate from direct mail: the direct-mail block leaves it coming (domain.md §6.1).
CHANNEL_BLOCK_EXEMPT = {("post", "member_mail")}


def blocks_for(purpose: str, channel: str) -> frozenset[str]:
    """Every block that, on its own, keeps a person out of a segment with this purpose and channel."""
    rule = PURPOSES[purpose]
    blocks = set(rule.blocks)
    if rule.marketing_like:
        blocks.add("all_marketing")
    if channel in CHANNEL_BLOCKS and (channel, purpose) not in CHANNEL_BLOCK_EXEMPT:
        block, marketing_only = CHANNEL_BLOCKS[channel]
        if rule.marketing_like or not marketing_only:
            blocks.add(block)
    return frozenset(blocks)


def permission_needed(purpose: str, channel: str) -> str | None:
    """The opt-in channel a person must have granted, if any."""
    return PERMISSION_CHANNELS.get(channel) if PURPOSES[purpose].needs_permission else None
