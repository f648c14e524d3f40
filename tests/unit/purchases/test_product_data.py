"""Product-level purchase data: how much of each receipt the register keeps."""

import pytest

from services.purchases.domain.eligibility import ReceiptLine
from services.purchases.domain.product_data import (
    DEFAULT_COLLECTION_LEVEL_BY_CHAIN,
    CollectionLevel,
    StoredLine,
    collection_level,
    collection_levels_from_dict,
    lines_to_store,
)

pytestmark = pytest.mark.unit

LINES = (
    ReceiptLine(1, "6410405", "dairy", "grocery", 2000, "pcs", 378),
    ReceiptLine(2, "6415712", "bread", "grocery", 1000, "pcs", 249),
    ReceiptLine(3, "6410411", "dairy", "grocery", 1000, "pcs", 129),
)


@pytest.mark.parametrize("chain, level", [
    *[(chain, "product") for chain in (
        "s-market", "prisma", "sale", "alepa", "herkku", "sokos", "emotion", "marks-spencer",
        "prisma-rauta", "s-rauta", "abc", "s-kaupat")],
    ("hotel", "total"), ("restaurant", "total"), ("partner", "total"),
    ("a-chain-nobody-configured", "total"),
])
def test_default_collection_level_follows_the_current_published_list(chain, level):
    assert collection_level(chain, DEFAULT_COLLECTION_LEVEL_BY_CHAIN, False) == level


@pytest.mark.parametrize("chain", ["prisma", "hotel", "partner"])
def test_a_household_block_reduces_every_chain_to_the_receipt_total(chain):
    assert lines_to_store(LINES, chain, {"prisma": "product", "hotel": "group"}, True) == ()


def test_product_level_keeps_every_line_with_its_product():
    stored = lines_to_store(LINES, "prisma", DEFAULT_COLLECTION_LEVEL_BY_CHAIN, False)

    assert stored[0] == StoredLine(product_group="dairy", amount_cents=378, line_no=1, product_id="6410405",
                                   category="grocery", quantity_milli=2000, unit="pcs")
    assert [line["product_id"] for line in stored] == ["6410405", "6415712", "6410411"]


def test_group_level_keeps_only_amounts_per_product_group():
    stored = lines_to_store(LINES, "prisma", {"prisma": "group"}, False)

    finer = dict.fromkeys(("line_no", "product_id", "category", "quantity_milli", "unit"))
    assert stored == (StoredLine(product_group="dairy", amount_cents=507, **finer),
                      StoredLine(product_group="bread", amount_cents=249, **finer))


def test_receipt_total_level_keeps_no_lines():
    assert lines_to_store(LINES, "restaurant", DEFAULT_COLLECTION_LEVEL_BY_CHAIN, False) == ()


def test_operators_can_move_hospitality_to_product_level():
    levels = collection_levels_from_dict({**DEFAULT_COLLECTION_LEVEL_BY_CHAIN, "hotel": "product"})

    assert levels["hotel"] is CollectionLevel.PRODUCT
    assert len(lines_to_store(LINES, "hotel", levels, False)) == 3


def test_an_unknown_collection_level_is_rejected():
    with pytest.raises(ValueError):
        collection_levels_from_dict({"prisma": "everything"})
