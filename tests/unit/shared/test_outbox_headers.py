"""Event headers as the outbox keeps them, whether staged from Python or built in SQL (an INSERT INTO
outbox ... SELECT): the envelope's attributes, in its order, and what the relay sends of them."""
import pytest

from shared.event_sql import envelope_headers_sql
from shared.outbox import header_pairs, stored_headers


def test_headers_built_in_sql_name_only_envelope_attributes_in_the_envelopes_order():
    required = {"source": "'s'", "type": "'t'", "time": "s.at"}
    sql = envelope_headers_sql(subject="s.x", id="s.id", **required)
    assert sql.index("'ce_id'") < sql.index("'ce_subject'") < sql.index("'ce_specversion'")
    assert sql.endswith("|| ARRAY[]::text[])")
    assert envelope_headers_sql("$4::text[]", id="x", **required).endswith("|| $4::text[])")
    with pytest.raises(ValueError, match="not envelope attributes"):
        envelope_headers_sql(id="x", colour="'red'", **required)


def test_stored_headers_come_back_as_the_same_pairs_in_order():
    headers = [("ce_id", b"e-1"), ("ce_subject", 'h-"1"\\ä'.encode()), ("traceparent", b"00-ab-cd-01")]
    assert stored_headers(headers) == '["ce_id","e-1","ce_subject","h-\\"1\\"\\\\ä","traceparent","00-ab-cd-01"]'
    assert header_pairs(stored_headers(headers)) == headers


def test_a_header_whose_value_is_null_is_not_sent():
    assert header_pairs('["ce_id","e-1","ce_correlationid",null,"ce_subject","h-1"]') == [
        ("ce_id", b"e-1"), ("ce_subject", b"h-1")]
