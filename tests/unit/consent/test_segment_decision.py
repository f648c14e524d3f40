"""Who may be in a segment: each block separately, the opt-in for e-mail and SMS, the household's product-data
blocks, address protection, age, death and erasure, and the criteria."""
from __future__ import annotations

from datetime import date

import pytest

from services.consent.domain.consent import OwnConsent, effective_consent
from services.consent.domain.purposes import PURPOSES, blocks_for, permission_needed
from services.consent.domain.segments import (
    Criteria,
    PersonFacts,
    SegmentDefinition,
    age_band,
    segment_change,
    segment_entry,
)

pytestmark = pytest.mark.unit

TODAY = date(2030, 6, 1)
PERSON = PersonFacts("p-1", cooperative_id="hok-elanto", language="fi", customer_kind="owner_customer",
                     address_protection=False, home_municipality="091", birth_year=1985, main_member=True,
                     bonus_tier_bp=300)
ALL_PERMISSIONS = OwnConsent(permissions=frozenset({"email", "sms"}))


def segment(purpose="marketing", channel="email", **changes) -> SegmentDefinition:
    return SegmentDefinition(name="s-1", purpose=purpose, channel=channel, **changes)


def entry(definition, person=PERSON, own=ALL_PERMISSIONS, household=(), deceased=False):
    return segment_entry(definition, person, effective_consent(own, household, deceased=deceased), TODAY)


def blocked(*blocks: str) -> OwnConsent:
    return OwnConsent(frozenset(blocks), ALL_PERMISSIONS.permissions)


@pytest.mark.parametrize("block, purpose, channel", [
    ("all_marketing", "marketing", "digital_ads"),
    ("all_marketing", "survey", "post"),
    ("all_marketing", "member_mail", "post"),
    ("surveys", "survey", "phone"),
    ("owner_customer_mail", "member_mail", "post"),
    ("direct_mail", "marketing", "post"),
    ("telemarketing", "marketing", "phone"),
    ("telemarketing", "member_mail", "phone"),
    ("email_messages", "marketing", "email"),
    ("email_messages", "customer_relationship", "email"),
    ("warranty_receipts", "warranty_receipt", "email"),
])
def test_each_block_keeps_a_person_out_of_the_purposes_it_covers(block, purpose, channel):
    definition = segment(purpose, channel)
    assert entry(definition) is not None
    assert entry(definition, own=blocked(block)) is None


@pytest.mark.parametrize("block, purpose, channel", [
    ("direct_mail", "member_mail", "post"),            # the magazine keeps coming
    ("direct_mail", "marketing", "email"),
    ("telemarketing", "customer_relationship", "phone"),
    ("all_marketing", "customer_relationship", "email"),  # official communication stays
    ("all_marketing", "warranty_receipt", "email"),
    ("surveys", "marketing", "email"),
    ("email_messages", "marketing", "sms"),
])
def test_a_block_leaves_the_purposes_it_does_not_cover(block, purpose, channel):
    assert entry(segment(purpose, channel), own=blocked(block)) is not None


@pytest.mark.parametrize("purpose, channel, needed", [
    ("marketing", "email", "email"), ("marketing", "sms", "sms"), ("survey", "email", "email"),
    ("marketing", "post", None), ("member_mail", "email", None), ("customer_relationship", "sms", None),
])
def test_electronic_marketing_needs_the_channels_permission(purpose, channel, needed):
    assert permission_needed(purpose, channel) == needed
    without = OwnConsent()
    assert (entry(segment(purpose, channel), own=without) is None) is (needed is not None)


@pytest.mark.parametrize("purpose, household_block", [
    ("marketing", "product_data_targeting"), ("survey", "product_data_targeting"),
    ("personalised_service", "product_data_services"), ("marketing", "product_data_collection"),
    ("personalised_service", "product_data_collection"),
])
def test_product_data_segments_leave_out_households_that_block_the_use(purpose, household_block):
    definition = segment(purpose, "email", uses_product_data=True)
    member = OwnConsent(frozenset({household_block}))
    assert entry(definition) is not None
    assert entry(definition, household=[member]) is None
    assert entry(segment(purpose, "email"), household=[member]) is not None  # no product data used: no matter


def test_a_dead_erased_unknown_or_cooperativeless_person_is_never_in_a_segment():
    definition = segment("customer_relationship", "post")
    assert entry(definition, deceased=True) is None
    for facts in (PersonFacts("p-1", erased=True, cooperative_id="x"), PersonFacts("p-1", known=False,
                                                                                   cooperative_id="x"),
                  PersonFacts("p-1", cooperative_id=None)):
        assert entry(definition, person=facts) is None


def test_nobody_under_15_is_in_a_segment():
    young = PersonFacts("p-1", cooperative_id="hok-elanto", birth_year=TODAY.year - 14)
    assert entry(segment("customer_relationship", "post"), person=young) is None
    assert entry(segment("customer_relationship", "post"),
                 person=PersonFacts("p-1", cooperative_id="hok-elanto", birth_year=TODAY.year - 15)) is not None


@pytest.mark.parametrize("protection", [True, None])
def test_address_protection_hides_the_municipality(protection):
    protected = PersonFacts("p-1", cooperative_id="hok-elanto", address_protection=protection,
                            home_municipality="091")
    carried = segment(attributes=("municipality",))
    assert "municipality" not in entry(carried, person=protected)
    assert entry(segment(criteria=Criteria(municipalities=frozenset({"091"}))), person=protected) is None
    assert entry(carried)["municipality"] == "091"


def test_a_segment_carries_only_the_attributes_it_names():
    assert entry(segment()) == {"purpose": "marketing", "channel": "email", "language": "fi",
                                "cooperative_id": "hok-elanto"}
    assert entry(segment(attributes=("age_band", "bonus_tier_bp"))) == {
        "purpose": "marketing", "channel": "email", "language": "fi", "cooperative_id": "hok-elanto",
        "age_band": "45-54", "bonus_tier_bp": 300}


@pytest.mark.parametrize("criteria, selected", [
    (Criteria(cooperatives=frozenset({"hok-elanto"})), True),
    (Criteria(cooperatives=frozenset({"turun"})), False),
    (Criteria(age_bands=frozenset({"45-54"})), True),
    (Criteria(age_bands=frozenset({"25-34"})), False),
    (Criteria(languages=frozenset({"sv"})), False),
    (Criteria(customer_kinds=frozenset({"owner_customer"})), True),
    (Criteria(min_bonus_tier_bp=300), True),
    (Criteria(min_bonus_tier_bp=301), False),
    (Criteria(max_bonus_tier_bp=200), False),
    (Criteria(main_members_only=True), True),
])
def test_criteria_select_over_allowed_data(criteria, selected):
    assert (entry(segment(criteria=criteria)) is not None) is selected


def test_an_unknown_bonus_tier_meets_no_tier_criterion():
    unknown = PersonFacts("p-1", cooperative_id="hok-elanto")
    assert entry(segment(criteria=Criteria(max_bonus_tier_bp=1000)), person=unknown) is None


@pytest.mark.parametrize("birth_year, band", [(2016, None), (2015, "15-17"), (2012, "18-24"), (1985, "45-54"),
                                              (1955, "75+"), (None, None)])
def test_age_bands_by_the_age_reached_this_year(birth_year, band):
    assert age_band(birth_year, TODAY) == band


@pytest.mark.parametrize("published, wanted, change", [
    (None, None, None), (None, {"a": 1}, "put"), ({"a": 1}, {"a": 1}, None), ({"a": 1}, {"a": 2}, "put"),
    ({"a": 1}, None, "tombstone"),
])
def test_only_a_change_is_sent(published, wanted, change):
    assert segment_change(published, wanted) == change


def test_every_purpose_has_its_rule_and_marketing_like_purposes_stop_at_all_marketing():
    for purpose, rule in PURPOSES.items():
        assert ("all_marketing" in blocks_for(purpose, "post")) is rule.marketing_like
