"""How much of a receipt's detail the register keeps (seed §5, domain.md §6.1-6.2).

Each chain has a collection level: `product` keeps every line with its product, `group` keeps only
amounts per product group, `total` keeps no lines at all (the receipt total is stored elsewhere).
A household that forbids collecting product-level data gets `total` everywhere. The level per chain
is data because the sources conflict (hospitality: product level since 2021 per s-ryhma.fi, receipt
total per the 2025 s-etukortti.fi list); a chain not in the table gets `total`, the least data.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import TypedDict

from services.purchases.domain.eligibility import LineFacts


class CollectionLevel(StrEnum):
    """The finest purchase detail the register stores for a chain."""

    PRODUCT = "product"
    GROUP = "group"
    TOTAL = "total"


_PRODUCT_LEVEL_CHAINS = (
    "s-market", "prisma", "sale", "alepa", "herkku", "sokos", "emotion", "marks-spencer",
    "prisma-rauta", "s-rauta", "abc", "s-kaupat",  # s-kaupat: the online grocery stores
)
_TOTAL_LEVEL_CHAINS = ("hotel", "restaurant", "partner")

# The current (2025) list at https://s-etukortti.fi/en/support/data-collection [C]
DEFAULT_COLLECTION_LEVEL_BY_CHAIN: Mapping[str, CollectionLevel] = MappingProxyType({
    **{chain: CollectionLevel.PRODUCT for chain in _PRODUCT_LEVEL_CHAINS},
    **{chain: CollectionLevel.TOTAL for chain in _TOTAL_LEVEL_CHAINS},
})


class StoredLine(TypedDict):
    """A receipt line as stored, a JSON object: fields finer than the collection level are None. A
    plain dict, as it goes straight to JSON: a receipt's lines are millions a day."""

    product_group: str
    amount_cents: int
    line_no: int | None
    product_id: str | None
    category: str | None
    quantity_milli: int | None
    unit: str | None


def collection_level(
    chain: str,
    collection_level_by_chain: Mapping[str, str],
    product_data_collection_blocked: bool,
) -> CollectionLevel:
    """The level to store for `chain`; a household block reduces every chain to the receipt total."""
    if product_data_collection_blocked:
        return CollectionLevel.TOTAL
    return CollectionLevel(collection_level_by_chain.get(chain, CollectionLevel.TOTAL))


def lines_to_store(
    receipt_lines: Iterable[LineFacts],
    chain: str,
    collection_level_by_chain: Mapping[str, str],
    product_data_collection_blocked: bool,
) -> tuple[StoredLine, ...]:
    """The lines the register keeps of one receipt, at the chain's collection level."""
    level = collection_level(chain, collection_level_by_chain, product_data_collection_blocked)
    if level is CollectionLevel.PRODUCT:
        return tuple(_product_line(line) for line in receipt_lines)
    if level is CollectionLevel.GROUP:
        return _group_totals(receipt_lines)
    return ()


def collection_levels_from_dict(document: Mapping[str, str]) -> Mapping[str, CollectionLevel]:
    """An operator's chain -> level table (JSON-shaped); an unknown level raises ValueError."""
    return MappingProxyType({chain: CollectionLevel(level) for chain, level in document.items()})


def _product_line(line: LineFacts) -> StoredLine:
    return {"product_group": line.product_group, "amount_cents": line.amount_cents, "line_no": line.line_no,
            "product_id": line.product_id, "category": line.category, "quantity_milli": line.quantity_milli,
            "unit": line.unit}


def _group_totals(receipt_lines: Iterable[LineFacts]) -> tuple[StoredLine, ...]:
    """One line per product group, in order of first appearance, with the group's summed amount."""
    totals: dict[str, int] = {}
    for line in receipt_lines:
        totals[line.product_group] = totals.get(line.product_group, 0) + line.amount_cents
    return tuple({"product_group": group, "amount_cents": cents, "line_no": None, "product_id": None,
                  "category": None, "quantity_milli": None, "unit": None} for group, cents in totals.items())
