"""`coopreg prove erasure`, start to end: a place of its own (database `coopreg_<name>`, a topic prefix of the run,
the services as processes logging to files of its own), the person's history, the erasure, the search, the
replayed updates, and the verdict as one JSON object."""
from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime, timezone
from pathlib import Path

import asyncpg

from coopreg.bench.environment import REGISTER_SCHEMAS, isolated_settings, scoped_environ
from coopreg.client import RegisterClient
from coopreg.prove import erasure, history, replay, search
from coopreg.prove.fleet import Fleet
from coopreg.prove.needles import Needles
from coopreg.prove.promises import judge
from coopreg.prove.subject import Subject, new_subject
from coopreg.staff_session import StaffSession, staff_session
from shared.pseudonym import keyed_token
from shared.settings import PROJECT_ROOT, Settings

USER = "prove-erasure"


async def learn(staff: StaffSession, settings: Settings, subject: Subject, segment: str) -> None:
    """The numbers the register gave the person, as customer service sees them, and the keyed tokens the
    services index them by (recomputed with the register's index key)."""
    view = await staff.call("GET", f"/persons/{subject.person_id}", "person")
    for name in ("customer_number", "member_number"):
        if (value := _first(view, name)) is not None:
            subject.learned[name] = str(value)
    key = settings.secrets.index_key.get_secret_value()
    subject.learned |= {
        "card_token": keyed_token("card", subject.card_number, key),
        "identity_token": keyed_token("identity", subject.identity_code, key),
        "iban_token": keyed_token("iban", subject.iban, key),
        "segment_pseudonym": keyed_token(f"segment:{segment}", subject.person_id, key),
    }
    if member_number := subject.learned.get("member_number"):
        subject.learned["member_number_token"] = keyed_token("member", member_number, key)


def _first(value, name: str):
    """The first value of a field `name` anywhere in a JSON document."""
    items: Iterable[object]
    if isinstance(value, dict):
        if value.get(name) is not None:
            return value[name]
        items = value.values()
    elif isinstance(value, list):
        items = value
    else:
        return None
    return next((found for item in items if (found := _first(item, name)) is not None), None)


async def search_everything(db, settings: Settings, needles: Needles, logs: list[Path]) -> search.Searched:
    async with db.acquire() as conn:
        table_hits, tables = await search.search_tables(conn, needles)
        searched = await search.search_topics(conn, settings, needles, await search.read_topics(settings))
    searched.hits = table_hits + searched.hits + search.search_logs(logs, needles)
    searched.tables, searched.logs = tables, len(logs)
    return searched


def resurrections(before: search.Searched, after: search.Searched) -> list[dict]:
    """What the replayed updates stored or published about the person: a table or a compacted topic holding
    more of them than before (the replays' own input topics aside)."""
    earlier = {(h.place, h.where): h for h in before.hits}
    back = []
    for hit in after.hits:
        lasting = hit.place == "table" or (hit.place == "topic" and search.is_compacted(hit.where)) or \
            hit.place == "dead_letter"
        was = earlier.get((hit.place, hit.where))
        if lasting and (was is None or hit.count > was.count or hit.kinds - was.kinds):
            back.append(hit.as_json())
    return back


async def prove_erasure(name: str, say, strict: bool = False) -> dict:
    with scoped_environ({}):
        return await _prove(name, say, strict)


async def _prove(name: str, say, strict: bool) -> dict:
    say(f"a place of its own: database coopreg_{name}, its own topics and service processes")
    settings = await isolated_settings(name, drop_first=REGISTER_SCHEMAS)  # nobody else's leftovers
    run_dir = PROJECT_ROOT / "artifacts" / "prove" / settings.kafka.topic_prefix.rstrip(".")
    fleet = Fleet(run_dir / "logs")
    settings.api.service_urls = fleet.urls
    pg = settings.pg
    db = await asyncpg.create_pool(host=pg.host, port=pg.port, user=pg.user, database=pg.database,
                                   password=pg.password.get_secret_value(), min_size=1, max_size=2)
    subject, segment = new_subject(), f"prove-{uuid.uuid4().hex[:8]}"
    timeline = history.Timeline.now(datetime.now(timezone.utc))
    try:
        fleet.start()
        async with RegisterClient(settings) as client:
            async with staff_session(settings, USER, "customer_service", background=True) as staff:
                await history.build_history(client, staff, db, subject, timeline, segment, say)
                await learn(staff, settings, subject, segment)
            say("the member resigns (the household dissolves); the year's tax report is written")
            await erasure.end_relationship(client, db, subject)
            report = await erasure.tax_report(settings)
            say(f"erasing {subject.person_id} through the register API as the data protection officer")
            async with staff_session(settings, USER, "data_protection_officer", background=True) as dpo:
                erased, seconds = await erasure.erase(dpo, subject)
                await erasure.outboxes_empty(db)
            digital_left = await history.digital_left(db, subject)
            needles = Needles.of(subject.identifiers() | replay.new_data(subject))
            say("searching every table, topic, log file and dead letter for them")
            before = await search_everything(db, settings, needles, fleet.logs)
            say("replaying a DVV and an S-Bank update, a web-store profile and a login about them")
            counted = await replay.replay(client, db, subject)
            await erasure.outboxes_empty(db)
            after = await search_everything(db, settings, needles, fleet.logs)
    finally:
        fleet.stop()
        await db.close()
    verdict = judge(before.hits, strict)
    back = resurrections(before, after)
    return {"person_id": subject.person_id, "identity_code": subject.identity_code, "last_name": subject.last_name,
            "identifiers": list(needles.kinds), "tables_searched": before.tables,
            "topics_searched": before.topics, "dead_letter_topics_searched": before.dead_letter_topics,
            "logs_searched": before.logs, "sealed_unopenable": before.sealed_unopenable,
            "found": verdict.found, "resurrected": len(back), "resurrections": back,
            "replays_counted_as_erased_subject": counted.total,
            "replays_counted_by_service": {"membership": counted.membership, "digital": counted.digital},
            "erasure_seconds": seconds,
            "erasure_services": {n: s["status"] for n, s in erased["services"].items()},
            "digital_erased": erased["services"].get("digital", {}).get("rows", {}), "digital_left": digital_left,
            "expiring": verdict.expiring, "kept": verdict.kept, "tax_report": report,
            "strict": strict, "database": settings.pg.database, "topic_prefix": settings.kafka.topic_prefix,
            "logs": str(fleet.log_dir)}
