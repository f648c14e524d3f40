"""`coopreg prove erasure` on the real stack: the person built in every service through its real inputs, erased
through the register API, is found nowhere afterwards and is not brought back by replayed updates — and the search
itself finds what is there, so the proof can fail."""
from __future__ import annotations

import json
import os
import subprocess
import sys

from coopreg.prove.needles import Needles
from coopreg.prove.promises import judge
from coopreg.prove.search import search_tables
from coopreg.prove.subject import new_subject
from shared.settings import PROJECT_ROOT


def test_the_erasure_proof_finds_nothing_and_nobody_comes_back(settings):
    # a place of its own beside the session's database: coopreg_<session database>_proof
    name = f"{settings.pg.database.removeprefix('coopreg_')}_proof"
    env = {k: v for k, v in os.environ.items() if k not in ("COOPREG_PG_DATABASE", "COOPREG_KAFKA_TOPIC_PREFIX",
                                                            "COOPREG_API_SERVICE_URLS")}
    run = subprocess.run([sys.executable, "-c", "from coopreg.cli import main; main()",
                          "prove", "erasure", "--name", name, "--output", "json"],
                         capture_output=True, text=True, timeout=900, cwd=PROJECT_ROOT, env=env)
    result = json.loads(run.stdout)  # the whole of stdout: one document
    assert result["found"] == [], result["found"]
    assert result["resurrected"] == 0, result["resurrections"]
    assert run.returncode == 0, run.stderr[-2000:]
    # the erasure reached every service, and the search covered everything it claims to have
    assert set(result["erasure_services"].values()) == {"done"}
    # the digital data it created through the digital service's topics were there, and are gone
    assert all(result["digital_erased"].get(table, 0) >= 1 for table in (
        "web_store_profiles", "delivery_addresses", "web_orders", "saved_carts", "digital_services", "digital_usage",
        "entered_data", "contact_log")), result["digital_erased"]
    assert result["digital_left"] == {}
    assert result["tables_searched"] >= 60 and result["topics_searched"] >= 25
    # the DVV and S-Bank updates counted by membership, the web-store profile and the login dropped by digital
    assert result["replays_counted_by_service"] == {"membership": 2, "digital": 2}
    assert result["replays_counted_as_erased_subject"] == 4
    assert result["sealed_unopenable"] >= 1  # the dead letter and the API's commands: shredded, not skipped
    assert {"person_id", "identity_code", "last_name", "email", "card_number", "customer_number",
            "iban"} <= set(result["identifiers"])
    # what is kept is the member register and the erasure's own records, never contact data in clear
    for kept in result["kept"]:
        assert not set(kept["kinds"]) & {"identity_code", "email", "phone", "street", "card_number", "iban"}, kept


async def test_the_search_finds_a_value_planted_in_a_table(db):
    """A leftover the search must catch: the person's e-mail (in another case) and identity code in a row, and a
    last name in a bytea column (as an outbox row would hold it). Planted in a transaction rolled back after."""
    subject = new_subject()
    needles = Needles.of(subject.identifiers())
    async with db.acquire() as conn:
        planting = conn.transaction()
        await planting.start()
        try:
            await conn.execute("CREATE TABLE public.planted (note text, code jsonb, blob bytea)")
            await conn.execute("INSERT INTO public.planted VALUES ($1, $2, $3)", f"left {subject.email.upper()}",
                               f'{{"identity_code": "{subject.identity_code}"}}', subject.last_name.encode())
            await conn.execute("CREATE TABLE public.clean (note text)")
            await conn.execute("INSERT INTO public.clean VALUES ('nothing of anyone')")
            hits, tables = await search_tables(conn, needles)
        finally:
            await planting.rollback()
    found = {hit.where: hit.kinds for hit in hits}
    assert tables >= 2 and "public.clean" not in found
    assert found["public.planted"] == {"email", "identity_code", "last_name"}
    assert [f["where"] for f in judge(hits).found if f["where"] == "public.planted"] == ["public.planted"]
