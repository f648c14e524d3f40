"""Event headers built in SQL (an INSERT INTO outbox ... SELECT): the envelope's attributes, in its order."""
import pytest

from shared.outbox import envelope_headers_sql


def test_headers_built_in_sql_name_only_envelope_attributes_in_the_envelopes_order():
    sql = envelope_headers_sql(subject="s.x", id="s.id")
    assert sql.index("'ce_id'") < sql.index("'ce_subject'") < sql.index("'ce_specversion'")
    assert "jsonb_path_query_array" not in sql and "jsonb_path_query_array" in envelope_headers_sql(True, id="x")
    with pytest.raises(ValueError, match="not envelope attributes"):
        envelope_headers_sql(id="x", colour="'red'")
