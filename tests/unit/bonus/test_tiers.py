from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.bonus.domain.tiers import (
    COMMON,
    FollowsTable,
    InvalidTierTable,
    NoTierTableInForce,
    Tier,
    TierTable,
    TierTables,
    load_tier_tables,
)

pytestmark = pytest.mark.unit

TABLES = load_tier_tables()
COMMON_TABLE = TABLES.table_for(COMMON, date(2024, 5, 1))

# domain.md §1.2: household purchases per month "at least" € -> Bonus %.
COMMON_S_GROUP_TABLE = [
    (50_00, 100),
    (200_00, 150),
    (300_00, 200),
    (400_00, 250),
    (500_00, 300),
    (600_00, 350),
    (700_00, 400),
    (800_00, 450),
    (900_00, 500),
]


def test_bundled_common_table_is_the_s_group_table_of_the_2020s():
    assert [(t.threshold_cents, t.rate_bp) for t in COMMON_TABLE.tiers] == COMMON_S_GROUP_TABLE
    assert COMMON_TABLE.effective_from == date(2021, 1, 1)


@pytest.mark.parametrize(
    ("total_cents", "rate_bp"),
    [
        (-100_00, 0),
        (0, 0),
        (49_99, 0),
        (50_00, 100),
        (199_99, 100),
        (200_00, 150),
        (399_00, 200),
        (399_99, 200),
        (400_00, 250),
        (850_00, 450),
        (899_99, 450),
        (900_00, 500),
        (10_000_00, 500),
    ],
)
def test_thresholds_are_inclusive(total_cents, rate_bp):
    assert COMMON_TABLE.rate_for(total_cents) == rate_bp


@pytest.mark.parametrize(
    ("total_cents", "next_threshold_cents", "next_rate_bp"),
    [
        (-10_00, 50_00, 100),
        (0, 50_00, 100),
        (49_99, 50_00, 100),
        (50_00, 200_00, 150),
        (399_00, 400_00, 250),
        (899_99, 900_00, 500),
    ],
)
def test_next_tier_is_the_first_tier_above_the_one_reached(total_cents, next_threshold_cents, next_rate_bp):
    assert COMMON_TABLE.next_tier(total_cents) == Tier(next_threshold_cents, next_rate_bp)


@pytest.mark.parametrize("total_cents", [900_00, 900_01, 5_000_00])
def test_top_tier_has_no_next_tier(total_cents):
    assert COMMON_TABLE.next_tier(total_cents) is None


@pytest.mark.parametrize(
    ("cooperative_id", "month", "rate_at_1_eur"),
    [
        ("koillismaa", date(2016, 1, 1), 100),
        ("koillismaa", date(2020, 12, 31), 100),
        ("koillismaa", date(2021, 1, 1), 0),
        ("koillismaa", date(2025, 6, 15), 0),
    ],
)
def test_versioned_table_switches_on_its_effective_date(cooperative_id, month, rate_at_1_eur):
    assert TABLES.table_for(cooperative_id, month).rate_for(1_00) == rate_at_1_eur


@pytest.mark.parametrize("cooperative_id", ["hok-elanto", "keskimaa", "kpo", "koillismaa", "unknown-coop"])
def test_cooperatives_without_a_table_of_their_own_use_the_common_table(cooperative_id):
    assert TABLES.table_for(cooperative_id, date(2024, 3, 1)) == COMMON_TABLE


def _own_table(effective_from: date) -> TierTable:
    return TierTable("hok-elanto own", effective_from, (Tier(100_00, 200), Tier(1_000_00, 600)))


def test_cooperative_with_its_own_table_is_paid_by_it():
    tables = TierTables({COMMON: [COMMON_TABLE], "hok-elanto": [_own_table(date(2025, 3, 1))]})

    assert tables.table_for("hok-elanto", date(2025, 2, 1)) == COMMON_TABLE
    assert tables.table_for("hok-elanto", date(2025, 3, 1)).rate_for(100_00) == 200
    assert tables.table_for("keskimaa", date(2025, 3, 1)) == COMMON_TABLE


def test_a_version_effective_mid_month_applies_from_the_next_month():
    tables = TierTables({COMMON: [COMMON_TABLE], "hok-elanto": [_own_table(date(2025, 3, 15))]})

    assert tables.table_for("hok-elanto", date(2025, 3, 20)) == COMMON_TABLE
    assert tables.table_for("hok-elanto", date(2025, 4, 1)).name == "hok-elanto own"


def test_a_cooperative_can_return_to_the_common_table():
    own = _own_table(date(2022, 1, 1))
    tables = TierTables({COMMON: [COMMON_TABLE], "kpo": [own, FollowsTable(COMMON, date(2023, 1, 1))]})

    assert tables.table_for("kpo", date(2022, 6, 1)) == own
    assert tables.table_for("kpo", date(2023, 6, 1)) == COMMON_TABLE


def test_a_month_before_any_table_has_no_table_in_force():
    with pytest.raises(NoTierTableInForce):
        TABLES.table_for("hok-elanto", date(2019, 12, 1))


def test_tables_that_follow_each_other_in_a_cycle_are_rejected():
    since_2021 = date(2021, 1, 1)
    tables = TierTables({COMMON: [FollowsTable("kpo", since_2021)], "kpo": [FollowsTable(COMMON, since_2021)]})

    with pytest.raises(InvalidTierTable):
        tables.table_for("kpo", date(2024, 1, 1))


def test_tiers_are_kept_in_threshold_order():
    table = TierTable("unsorted", date(2021, 1, 1), (Tier(900_00, 500), Tier(50_00, 100)))

    assert table.tiers == (Tier(50_00, 100), Tier(900_00, 500))


@pytest.mark.parametrize(
    "tiers",
    [
        (),
        (Tier(0, 100),),
        (Tier(50_00, 0),),
        (Tier(50_00, 100), Tier(200_00, 100)),
        (Tier(50_00, 200), Tier(200_00, 150)),
        (Tier(50_00, 100), Tier(50_00, 150)),
    ],
)
def test_a_table_whose_thresholds_and_rates_do_not_rise_strictly_is_invalid(tiers):
    with pytest.raises(InvalidTierTable):
        TierTable("broken", date(2021, 1, 1), tiers)


@given(
    month=st.dates(min_value=date(2016, 1, 1), max_value=date(2030, 12, 31)),
    cooperative_id=st.sampled_from(["koillismaa", "kpo", "keskimaa"]),
    totals=st.lists(st.integers(min_value=-1_000_00, max_value=100_000_00), min_size=2, max_size=2),
)
def test_rate_is_monotonic_in_the_total(month, cooperative_id, totals):
    if cooperative_id != "koillismaa" and month < date(2021, 1, 1):
        month = date(2021, 1, 1)
    table = TABLES.table_for(cooperative_id, month)
    lower, higher = sorted(totals)

    assert table.rate_for(lower) <= table.rate_for(higher)


@given(month=st.dates(min_value=date(2014, 1, 1), max_value=date(2030, 12, 31)),
       cooperative_id=st.sampled_from(["koillismaa", "kpo", "keskimaa", "hok-elanto", "a-new-one"]))
def test_the_tables_in_force_for_a_month_are_the_ones_each_cooperative_is_paid_by(month, cooperative_id):
    """What the set-based close prices by: a cooperative's own table, else the common one."""
    own, common = TABLES.in_force(month)
    try:
        expected = TABLES.table_for(cooperative_id, month)
    except NoTierTableInForce:
        expected = None
    assert own.get(cooperative_id, common) == expected


def test_before_the_common_table_only_a_cooperative_with_its_own_has_one():
    own, common = TABLES.in_force(date(2019, 6, 1))
    assert common is None and set(own) == {"koillismaa"}
