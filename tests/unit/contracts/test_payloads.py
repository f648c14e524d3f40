"""The external payload models accept good messages and reject bad ones with a message naming the problem;
the examples in docs/contracts.md are valid messages."""
from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from contracts.envelope import Envelope
from contracts.events.dvv import PopulationUpdate
from contracts.events.hr import StaffUpdate
from contracts.events.marketing import SegmentMember, segment_topic
from contracts.events.partner import PartnerPurchase
from contracts.events.pos import PosPurchase
from contracts.events.sbank import RegisterSbankUpdate, SbankCustomerUpdate
from contracts.topics import ALL, BY_NAME, POS_PURCHASES, marketing_segment

pytestmark = pytest.mark.unit

DOCS = Path(__file__).resolve().parents[3] / "docs" / "contracts.md"
DROP = object()


def example(marker: str) -> dict:
    """The JSON block of docs/contracts.md between <!-- marker --> and <!-- /marker -->."""
    text = DOCS.read_text(encoding="utf-8")
    section = re.search(rf"<!-- {re.escape(marker)} -->(.*?)<!-- /{re.escape(marker)} -->", text, re.S)
    assert section, f"docs/contracts.md has no <!-- {marker} --> section"
    block = re.search(r"```json\n(.*?)```", section.group(1), re.S)
    assert block, f"the {marker} section has no ```json block"
    return json.loads(block.group(1))


def edit(base: dict, **changes) -> dict:
    """A copy of `base` with fields replaced (dotted paths via __), or removed with DROP."""
    data = copy.deepcopy(base)
    for path, value in changes.items():
        *parents, last = path.split("__")
        target = data
        for part in parents:
            target = target[int(part)] if isinstance(target, list) else target[part]
        if value is DROP:
            del target[last]
        else:
            target[last] = value
    return data


POS = example("pos-example")
POS_RETURN = example("pos-return-example")
PARTNER = example("partner-example")

SBANK = {
    "update_id": "sb-20250314-000001",
    "sbank_customer_ref": "SB-0012345",
    "identity_code": "131052-308T",
    "name": {"first_names": "Maija Liisa", "last_name": "Meikäläinen"},
    "address": {"street": "Mannerheimintie 1 A 2", "postal_code": "00100", "city": "Helsinki"},
    "phone": "+358401234567",
    "email": "maija.meikalainen@example.fi",
    "language": "fi",
    "permissions": {"email": True, "sms": False},
    "prohibitions": {"telemarketing": True},
    "source_time": "2025-03-14T09:30:00+02:00",
    "origin": "sbank",
}
REGISTER_SBANK = edit(SBANK, origin="register", causation_id="6f1c3c1e-2a55-4b5e-9a7d-1f9b3f0c4e21",
                      identity_code=DROP)
DVV_BASE = {"update_id": "vtj-000001", "identity_code": "010594Y202E", "effective_date": "2025-03-01",
            "source_time": "2025-03-01T04:00:00+02:00"}
DVV_NAME = {**DVV_BASE, "kind": "name", "name": {"first_names": "Anna", "last_name": "Virtanen"}}
DVV_ADDRESS = {**DVV_BASE, "kind": "address", "address_kind": "permanent", "home_municipality": "091",
               "address": {"street": "Hämeentie 5", "postal_code": "00530", "city": "Helsinki"}}
DVV_TEMPORARY = edit(DVV_ADDRESS, address_kind="temporary", address_valid_until="2025-08-31")
DVV_DEATH = {**DVV_BASE, "kind": "death", "date_of_death": "2025-02-27"}
DVV_NON_DISCLOSURE = {**DVV_BASE, "kind": "non_disclosure", "non_disclosure": True}
DVV_PROHIBITION = {**DVV_BASE, "kind": "marketing_prohibition", "marketing_prohibition": True}
STAFF = {"update_id": "hertta-000001", "identity_code": "020504B402A", "employer": "1234567-8",
         "employment_start": "2024-06-01", "employment_end": None, "staff_discount": True,
         "source_time": "2025-03-14T08:00:00+02:00"}
SEGMENT = {"pseudonym": "3f2a9c1e0b7d4e6fa1c2b3d4e5f60718293a4b5c", "segment": "families-with-kids",
           "purpose": "newsletter", "channel": "email", "computed_at": "2025-03-14T03:00:00+02:00",
           "first_name": "Maija", "language": "fi", "cooperative_id": "hok-elanto", "municipality": "091",
           "age_band": "35-44", "bonus_tier_bp": 350}

GOOD = [
    ("pos purchase (docs)", PosPurchase, POS),
    ("pos return (docs)", PosPurchase, POS_RETURN),
    ("partner purchase (docs)", PartnerPurchase, PARTNER),
    ("partner purchase without invoice period", PartnerPurchase, edit(PARTNER, invoice_period=DROP)),
    ("partner refund", PartnerPurchase, edit(PARTNER, purchase_id="INV-2025-04-000001", total_cents=-3990,
                                             refund_of="INV-2025-03-778812")),
    ("sbank full update", SbankCustomerUpdate, SBANK),
    ("sbank echo of the register's change", SbankCustomerUpdate, edit(SBANK, origin="register")),
    ("sbank removal only", SbankCustomerUpdate,
     {"update_id": "sb-2", "sbank_customer_ref": "SB-0012345", "removed": ["phone"],
      "source_time": "2025-03-14T09:30:00Z", "origin": "sbank"}),
    ("sbank foreign address", SbankCustomerUpdate,
     edit(SBANK, address={"street": "Drottninggatan 1", "postal_code": "111 51", "city": "Stockholm",
                          "country_code": "SE"})),
    ("register to sbank", RegisterSbankUpdate, REGISTER_SBANK),
    ("register to sbank, origin defaulted", RegisterSbankUpdate, edit(REGISTER_SBANK, origin=DROP)),
    ("dvv name", PopulationUpdate, DVV_NAME),
    ("dvv permanent address", PopulationUpdate, DVV_ADDRESS),
    ("dvv temporary address", PopulationUpdate, DVV_TEMPORARY),
    ("dvv death", PopulationUpdate, DVV_DEATH),
    ("dvv non-disclosure", PopulationUpdate, DVV_NON_DISCLOSURE),
    ("dvv marketing prohibition lifted", PopulationUpdate, edit(DVV_PROHIBITION, marketing_prohibition=False)),
    ("dvv 1800s century sign", PopulationUpdate, edit(DVV_NAME, identity_code="010185+123B")),
    ("hr staff", StaffUpdate, STAFF),
    ("hr employment ended", StaffUpdate, edit(STAFF, employment_end="2025-02-28", staff_discount=False)),
    ("segment member", SegmentMember, SEGMENT),
    ("segment member, minimal", SegmentMember,
     edit(SEGMENT, first_name=DROP, municipality=DROP, age_band=DROP, bonus_tier_bp=DROP)),
]

BAD = [
    # pos.purchases.v1
    ("pos unknown currency", PosPurchase, edit(POS, currency="SEK"), "currency", "'EUR'"),
    ("pos lines do not add up", PosPurchase, edit(POS, lines__0__amount_cents=379), None,
     "lines do not add up to total_cents"),
    ("pos payments do not add up", PosPurchase, edit(POS, payments__0__amount_cents=5000), None,
     "payments do not add up to total_cents"),
    ("pos return without return_of", PosPurchase, edit(POS_RETURN, return_of=DROP), None,
     "a return has return_of and a negative total"),
    ("pos return with positive total", PosPurchase,
     edit(POS, return_of="prisma-P001-20250301-0001-000001"), None, "a return has return_of and a negative total"),
    ("pos repeated line number", PosPurchase, edit(POS, lines__1__line_no=1), None, "line_no repeats"),
    ("pos naive time", PosPurchase, edit(POS, purchased_at="2025-03-14T17:42:05"), "purchased_at", "timezone"),
    ("pos money as decimal", PosPurchase, edit(POS, total_cents=54.47), "total_cents", "valid integer"),
    ("pos unknown field", PosPurchase, edit(POS, loyalty_points=5), "loyalty_points", "Extra inputs"),
    ("pos card number with spaces", PosPurchase, edit(POS, identifier__value="6046 1234 1234 1234"),
     "identifier.value", "pattern"),
    # partner.purchases.v1
    ("partner unknown currency", PartnerPurchase, edit(PARTNER, currency="USD"), "currency", "'EUR'"),
    ("partner refund without refund_of", PartnerPurchase, edit(PARTNER, total_cents=-3990), None,
     "a refund has refund_of and a negative total"),
    ("partner refund_of on a purchase", PartnerPurchase, edit(PARTNER, refund_of="INV-1"), None,
     "a refund has refund_of and a negative total"),
    ("partner refunds itself", PartnerPurchase,
     edit(PARTNER, total_cents=-1, refund_of="INV-2025-03-778812"), None, "cannot refund itself"),
    ("partner member number with letters", PartnerPurchase, edit(PARTNER, member_number="12345A7890"),
     "member_number", "pattern"),
    ("partner sends product lines", PartnerPurchase, edit(PARTNER, lines=[]), "lines", "Extra inputs"),
    ("partner naive time", PartnerPurchase, edit(PARTNER, purchased_at="2025-04-01T06:00:00"),
     "purchased_at", "timezone"),
    ("partner invoice period reversed", PartnerPurchase,
     edit(PARTNER, invoice_period={"first_day": "2025-03-31", "last_day": "2025-03-01"}), "invoice_period",
     "ends before it starts"),
    ("partner money as decimal", PartnerPurchase, edit(PARTNER, total_cents=39.9), "total_cents",
     "valid integer"),
    # sbank.customer-updates.v1 / register.sbank-updates.v1
    ("sbank identity code without century sign", SbankCustomerUpdate, edit(SBANK, identity_code="131052308T"),
     "identity_code", "pattern"),
    ("sbank identity code with month 13", SbankCustomerUpdate, edit(SBANK, identity_code="131352-308T"),
     "identity_code", "pattern"),
    ("sbank identity code with unknown century sign", SbankCustomerUpdate,
     edit(SBANK, identity_code="131052G308T"), "identity_code", "pattern"),
    ("sbank identity code with check character G", SbankCustomerUpdate,
     edit(SBANK, identity_code="131052-308G"), "identity_code", "pattern"),
    ("sbank identity code in lower case", SbankCustomerUpdate, edit(SBANK, identity_code="131052a308t"),
     "identity_code", "pattern"),
    ("sbank phone not E.164", SbankCustomerUpdate, edit(SBANK, phone="040 123 4567"), "phone", "pattern"),
    ("sbank email without domain", SbankCustomerUpdate, edit(SBANK, email="maija@"), "email", "pattern"),
    ("sbank unknown origin", SbankCustomerUpdate, edit(SBANK, origin="bank"), "origin", "'sbank' or 'register'"),
    ("sbank unknown language", SbankCustomerUpdate, edit(SBANK, language="de"), "language", "'fi', 'sv' or 'en'"),
    ("sbank Finnish postal code of four digits", SbankCustomerUpdate, edit(SBANK, address__postal_code="0010"),
     "address", "five digits"),
    ("sbank name with leading space", SbankCustomerUpdate, edit(SBANK, name__last_name=" Meikäläinen"),
     "name.last_name", "pattern"),
    ("sbank nothing changed", SbankCustomerUpdate,
     {"update_id": "sb-3", "sbank_customer_ref": "SB-0012345", "source_time": "2025-03-14T09:30:00Z",
      "origin": "sbank"}, None, "at least one field"),
    ("sbank email set and removed", SbankCustomerUpdate, edit(SBANK, removed=["email"]), None,
     "email both set and removed"),
    ("sbank empty permissions", SbankCustomerUpdate, edit(SBANK, permissions={}), "permissions",
     "at least one of email, sms"),
    ("sbank empty prohibitions", SbankCustomerUpdate, edit(SBANK, prohibitions={}), "prohibitions",
     "at least one block"),
    ("sbank naive source time", SbankCustomerUpdate, edit(SBANK, source_time="2025-03-14T09:30:00"),
     "source_time", "timezone"),
    ("register update claims S-Bank origin", RegisterSbankUpdate, edit(REGISTER_SBANK, origin="sbank"),
     "origin", "'register'"),
    ("register update without causation", RegisterSbankUpdate, edit(REGISTER_SBANK, causation_id=DROP),
     "causation_id", "Field required"),
    # dvv.population-updates.v1
    ("dvv death without a date", PopulationUpdate, edit(DVV_DEATH, date_of_death=DROP), None,
     "a death update needs date_of_death"),
    ("dvv name update without name", PopulationUpdate, edit(DVV_NAME, name=DROP), None,
     "a name update needs name"),
    ("dvv name update carrying an address", PopulationUpdate, {**DVV_NAME, "address": DVV_ADDRESS["address"]},
     None, "a name update cannot carry address"),
    ("dvv address without its kind", PopulationUpdate, edit(DVV_ADDRESS, address_kind=DROP), None,
     "an address update needs address_kind"),
    ("dvv permanent address with an end", PopulationUpdate, edit(DVV_ADDRESS, address_valid_until="2025-08-31"),
     None, "only a temporary address has address_valid_until"),
    ("dvv temporary address ending before it starts", PopulationUpdate,
     edit(DVV_TEMPORARY, address_valid_until="2025-02-01"), None, "ends before it takes effect"),
    ("dvv death carrying a non-disclosure", PopulationUpdate, {**DVV_DEATH, "non_disclosure": True}, None,
     "a death update cannot carry non_disclosure"),
    ("dvv unknown kind", PopulationUpdate, edit(DVV_DEATH, kind="birth"), "kind", "'death'"),
    ("dvv bad identity code", PopulationUpdate, edit(DVV_DEATH, identity_code="010594Y202"), "identity_code",
     "pattern"),
    ("dvv bad municipality code", PopulationUpdate, edit(DVV_ADDRESS, home_municipality="Helsinki"),
     "home_municipality", "pattern"),
    # hr.staff-updates.v1
    ("hr bad identity code", StaffUpdate, edit(STAFF, identity_code="020504-402"), "identity_code", "pattern"),
    ("hr employer not a business id", StaffUpdate, edit(STAFF, employer="SOK"), "employer", "pattern"),
    ("hr employment ends before it starts", StaffUpdate, edit(STAFF, employment_end="2024-05-31"), None,
     "employment ends before it starts"),
    ("hr staff discount not a boolean", StaffUpdate, edit(STAFF, staff_discount="maybe"), "staff_discount",
     "valid boolean"),
    ("hr naive source time", StaffUpdate, edit(STAFF, source_time="2025-03-14T08:00:00"), "source_time",
     "timezone"),
    # marketing.segment.<name>.v1
    ("segment keyed by identity code", SegmentMember, edit(SEGMENT, pseudonym="131052-308T"), "pseudonym",
     "pattern"),
    ("segment keyed by customer number", SegmentMember, edit(SEGMENT, pseudonym="1234567890123"), "pseudonym",
     "pattern"),
    ("segment name with spaces", SegmentMember, edit(SEGMENT, segment="families with kids"), "segment",
     "pattern"),
    ("segment unknown channel", SegmentMember, edit(SEGMENT, channel="fax"), "channel", "'email'"),
    ("segment carries an email address", SegmentMember, edit(SEGMENT, email="maija@example.fi"), "email",
     "Extra inputs"),
    ("segment carries a last name", SegmentMember, edit(SEGMENT, last_name="Meikäläinen"), "last_name",
     "Extra inputs"),
    ("segment carries an identity code", SegmentMember, edit(SEGMENT, identity_code="131052-308T"),
     "identity_code", "Extra inputs"),
    ("segment bonus tier out of range", SegmentMember, edit(SEGMENT, bonus_tier_bp=1500), "bonus_tier_bp",
     "less than or equal to 1000"),
    ("segment unknown age band", SegmentMember, edit(SEGMENT, age_band="30-40"), "age_band", "'35-44'"),
]


@pytest.mark.parametrize("model, data", [(c[1], c[2]) for c in GOOD], ids=[c[0] for c in GOOD])
def test_good_messages_are_accepted(model, data):
    message = model.model_validate(data)
    assert model.model_validate_json(message.model_dump_json()) == message


@pytest.mark.parametrize("model, data, location, fragment", [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_bad_messages_are_rejected_with_a_clear_message(model, data, location, fragment):
    with pytest.raises(ValidationError) as raised:
        model.model_validate(data)
    errors = raised.value.errors(include_input=False, include_url=False)
    described = [(".".join(map(str, e["loc"])), e["msg"]) for e in errors]
    assert any(fragment in message and (location is None or loc.startswith(location))
               for loc, message in described), described


def test_messages_are_immutable():
    message = PartnerPurchase.model_validate(PARTNER)
    with pytest.raises(ValidationError):
        message.total_cents = 0


# Segment topics


@pytest.mark.parametrize("name", ["families-with-kids", "ab", "x" * 40, "helsinki-2025"])
def test_segment_topic_names(name):
    assert segment_topic(name) == f"marketing.segment.{name}.v1"


@pytest.mark.parametrize("name", ["families with kids", "a", "x" * 41, "Families", "", "a.b", "a_b", "ä-ö"])
def test_segment_topic_rejects_bad_names(name):
    with pytest.raises(ValueError, match="2-40 characters"):
        segment_topic(name)


def test_segment_topics_are_compacted_external_and_kept():
    topic = marketing_segment("families-with-kids")
    assert (topic.name, topic.key, topic.cleanup, topic.retention_ms, topic.external) == (
        "marketing.segment.families-with-kids.v1", "pseudonym", "compact", -1, True)
    assert topic.model is SegmentMember
    assert topic.name not in BY_NAME


def test_new_external_topics_are_registered():
    expected = {"partner.purchases.v1": PartnerPurchase, "sbank.customer-updates.v1": SbankCustomerUpdate,
                "dvv.population-updates.v1": PopulationUpdate, "hr.staff-updates.v1": StaffUpdate,
                "register.sbank-updates.v1": RegisterSbankUpdate}
    for name, model in expected.items():
        assert BY_NAME[name].model is model and BY_NAME[name].external
    assert len(BY_NAME) == len(ALL)


# docs/contracts.md


def test_docs_pos_example_headers_make_a_valid_envelope():
    headers = example("pos-example-headers")
    body = json.dumps(POS).encode()
    envelope = Envelope.from_headers([(k, v.encode()) for k, v in headers.items()], POS_PURCHASES.name, body)
    assert {k: v.decode() for k, v in envelope.headers()} == {
        **headers, "ce_time": envelope.time.isoformat()}
    assert envelope.type == POS_PURCHASES.event_type
    assert envelope.subject == POS["receipt_id"]


def test_docs_examples_are_valid_and_consistent():
    sale, sale_return = PosPurchase.model_validate(POS), PosPurchase.model_validate(POS_RETURN)
    assert sale_return.return_of == sale.receipt_id and sale_return.total_cents < 0
    assert sale_return.identifier == sale.identifier.model_copy(update={"entry": "chip"})
    PartnerPurchase.model_validate(PARTNER)


def test_docs_list_every_topic_and_dlq_reason():
    text = DOCS.read_text(encoding="utf-8")
    for topic in ALL:
        assert f"| `{topic.name}` | {topic.key} | {topic.cleanup} " in text, topic.name
    assert "| `marketing.segment.<name>.v1` | pseudonym | compact " in text
    for reason in ("not_json", "empty_value", "bad_envelope", "schema_violation", "processing_failed"):
        assert f"| `{reason}` |" in text
    for header in ("dlq_reason", "dlq_detail", "dlq_consumer", "dlq_topic", "dlq_partition", "dlq_offset",
                   "dlq_failed_at"):
        assert f"| `{header}` |" in text
    for header in ("ce_id", "ce_source", "ce_type", "ce_time", "ce_subject", "ce_specversion", "ce_cooperative",
                   "ce_correlationid"):
        assert f"| `{header}` |" in text
