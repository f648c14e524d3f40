import json
from datetime import date

import pytest

from services.membership.domain.contribution import ContributionPolicy
from services.membership.domain.cooperatives import find_cooperative, load_cooperatives
from services.membership.domain.errors import InvalidCooperativeData, UnknownCooperative
from services.membership.domain.yearly import surplus_return

pytestmark = pytest.mark.unit

COOPERATIVE_IDS = {
    "arina", "etela-karjalan", "etela-pohjanmaan", "hok-elanto", "hameenmaa", "keskimaa", "keula",
    "koillismaa", "kpo", "kso", "maakunta", "peeassa", "pirkanmaan", "pko", "satakunnan", "sso",
    "suur-savo", "turun", "varuboden-osla",
}  # fmt: skip


@pytest.fixture(scope="module")
def cooperatives():
    return load_cooperatives()


def test_the_19_regional_cooperatives_are_seeded(cooperatives):
    assert set(cooperatives) == COOPERATIVE_IDS


@pytest.mark.parametrize(
    ("cooperative_id", "name_fi", "domicile"),
    [
        ("arina", "Osuuskauppa Arina", "Oulu"),
        ("hok-elanto", "Helsingin Osuuskauppa Elanto", "Helsinki"),
        ("kso", "Kymen Seudun Osuuskauppa", "Hamina"),
        ("peeassa", "Osuuskauppa PeeÄssä", "Kuopio"),
        ("varuboden-osla", "Osuuskauppa Varuboden-Osla Handelslag", "Kirkkonummi"),
    ],
)
def test_cooperative_has_its_finnish_name_and_domicile(cooperatives, cooperative_id, name_fi, domicile):
    cooperative = cooperatives[cooperative_id]

    assert (cooperative.id, cooperative.name_fi, cooperative.domicile) == (cooperative_id, name_fi, domicile)
    assert cooperative.name_en


def test_every_cooperative_uses_the_common_bonus_table_and_contribution_by_default(cooperatives):
    assert {c.bonus_table for c in cooperatives.values()} == {"common"}
    assert {c.contribution_policy for c in cooperatives.values()} == {ContributionPolicy()}


def test_kso_paid_a_2_5_percent_surplus_return_on_2021_purchases(cooperatives):
    decision = cooperatives["kso"].decision_for(2021)

    assert decision is not None
    assert (decision.surplus_rate_bp, decision.paid_on) == (250, date(2022, 5, 20))
    assert surplus_return(100000, decision.surplus_rate_bp, active_at_year_end=True) == 2500


def test_a_year_without_a_recorded_decision_has_none(cooperatives):
    assert cooperatives["kso"].decision_for(2020) is None
    assert cooperatives["arina"].decision_for(2021) is None


def test_unknown_cooperative_is_a_domain_error(cooperatives):
    assert find_cooperative(cooperatives, "kso").name_en == "Kymi Region Cooperative Society"
    with pytest.raises(UnknownCooperative):
        find_cooperative(cooperatives, "jukolan")


def write_seed(tmp_path, rows, default_policy=None):
    path = tmp_path / "cooperatives.json"
    document = {"default_contribution_policy": default_policy or {}, "cooperatives": rows}
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def row(cooperative_id, **extra):
    base = {"id": cooperative_id, "name_fi": "N", "name_en": "N", "domicile": "D"}
    return {**base, **extra}


def test_a_cooperative_may_override_the_default_contribution_policy(tmp_path):
    path = write_seed(
        tmp_path,
        [row("a"), row("b", contribution_policy={"deadline_months": 12})],
        default_policy={"full_cents": 10000, "minimum_first_payment_cents": 2000, "deadline_months": 24},
    )

    cooperatives = load_cooperatives(path)

    assert cooperatives["a"].contribution_policy.deadline_months == 24
    assert cooperatives["b"].contribution_policy == ContributionPolicy(deadline_months=12)


@pytest.mark.parametrize(
    ("rows", "reason"),
    [
        ([row("a"), row("a")], "duplicate_id"),
        ([{"id": "a"}], "malformed_row"),
        ([row("a", yearly_decisions=[{"financial_year": 2021}] * 2)], "duplicate_financial_year"),
        ([row("a", yearly_decisions=[{"financial_year": 2021, "paid_on": "20.5.2022"}])], "malformed_row"),
    ],
)
def test_inconsistent_seed_data_is_rejected(tmp_path, rows, reason):
    with pytest.raises(InvalidCooperativeData) as rejected:
        load_cooperatives(write_seed(tmp_path, rows))

    assert rejected.value.reason == reason
