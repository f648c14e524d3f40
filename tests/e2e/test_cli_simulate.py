"""`coopreg simulate` and `coopreg dlq show` on the real stack with the services running (`--open` only under a
named user and purpose, in the audit log)."""
from __future__ import annotations

from datetime import date

import pytest

from contracts.envelope import Envelope
from contracts.topics import POS_PURCHASES
from coopreg.client import read_topic
from shared.dead_letters import dlq_topic
from tests.e2e.cli import coopreg, one_json
from tests.support.people import unique
from tests.support.stack import eventually

pytestmark = pytest.mark.usefixtures("services")


async def test_traffic_at_a_rate_moves_every_counter_and_stores_the_receipts(db):
    result = await coopreg("simulate", "traffic", "--rate", "40", "--seconds", "3", "--households", "20",
                           "--invalid", "0.1", "--drain", "90", "--output", "json")
    counters = one_json(result)
    assert counters["sent"] == 120 and counters["settled"]
    assert 0 < counters["invalid_sent"] < 40
    valid = counters["sent"] - counters["invalid_sent"]
    assert counters["stored"] == valid and counters["accepted_published"] == valid
    assert counters["dead_lettered"] == counters["invalid_sent"]
    stored = await db.fetchval("SELECT count(*) FROM purchases.receipt_ids WHERE receipt_id LIKE $1",
                               f"{counters['run']}-%")
    assert stored == valid
    assert "receipts sent" in result.stderr and "stored by purchases" in result.stderr  # the live counters


async def test_a_month_of_receipts_is_stored_and_booked(db):
    today = date.today()
    month = date(today.year - 3, today.month, 1)  # the previous month the bonus service closes by itself
    result = await coopreg("simulate", "month", "--households", "4", "--month", f"{month:%Y-%m}", "-o", "json")
    run = one_json(result)
    assert run["receipts"] > 0
    booked = await db.fetchval("SELECT count(*) FROM bonus.purchases WHERE receipt_id LIKE $1 AND month = $2",
                               f"{run['run']}-%", month)
    assert booked == run["receipts"]
    assert sum(run["dead_letters"].values()) == 0  # its households are in the register: the close finds them
    assert f"coopreg bonus explain {run['example_household']}" in " ".join(result.stderr.split())


async def test_dlq_show_gives_one_dead_letter_in_full_with_personal_data_masked(settings, client, db):
    key = unique("bad")
    card = "9246000000000017"
    await client.send_raw(POS_PURCHASES, f'{{"receipt_id": "{key}", "card": "{card}"'.encode(), key.encode(),
                          Envelope(source="test/cli", type=POS_PURCHASES.event_type).headers())
    await client.flush()

    async def dead_lettered():
        records = await read_topic(settings, dlq_topic(POS_PURCHASES.name), timeout=5)
        return [r for r in records if r.key == key.encode()]
    offset = str((await eventually(dead_lettered, timeout=60))[0].offset)

    sealed = await coopreg("dlq", "show", "pos.purchases.v1", offset)
    assert sealed.returncode == 0, sealed.stderr
    text = " ".join(sealed.stdout.split())
    assert "not_json" in text and "sealed" in text and "ce_type" in text and key in text
    assert card not in sealed.stdout

    unnamed = await coopreg("dlq", "show", "pos.purchases.v1", offset, "--open")
    assert unnamed.returncode == 1 and "say why with --purpose" in " ".join(unnamed.stderr.split())
    assert card not in unnamed.stdout and "[redacted]" not in unnamed.stdout
    refused = await coopreg("dlq", "show", "pos.purchases.v1", offset, "--open", "--user", "cecil", "--role",
                            "customer_service", "--purpose", "customer_service")
    assert refused.returncode == 1 and "[redacted]" not in refused.stdout

    opened = await coopreg("dlq", "show", "pos.purchases.v1", offset, "--open", "--user", "olli-ops",
                           "--purpose", "incident_handling")
    assert opened.returncode == 0, opened.stderr
    assert key in opened.stdout and "[redacted]" in opened.stdout and card not in opened.stdout
    [entry] = await db.fetch("SELECT operation, roles, purpose FROM audit.audit_log WHERE actor = 'olli-ops'")
    assert (entry["operation"], list(entry["roles"]), entry["purpose"]) == (
        "open_dead_letter", ["operations"], "incident_handling")

    missing = await coopreg("dlq", "show", "pos.purchases.v1", "999999")
    assert missing.returncode == 1 and "no dead letter at offset 999999" in " ".join(missing.stderr.split())
