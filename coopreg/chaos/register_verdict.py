"""The whole register against its oracle: what its tables, topics, dead letters and logs ended with.

Read as an outsider: the operator's view of the tables, every topic of the run from its beginning (a
compacted topic as compaction promises to keep it: the latest value per key), the services' log files.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from contracts.topics import MEMBERSHIP_COMMANDS, POS_PURCHASES, marketing_segment
from coopreg.bench.environment import connect
from coopreg.chaos.observe import Observed
from coopreg.chaos.register_oracle import RegisterExpected
from coopreg.chaos.register_scenario import SEGMENT, RegisterScenario
from coopreg.chaos.verdict import CENT_FIELDS, payouts_diff_cents
from coopreg.prove import search
from coopreg.prove.needles import Needles
from coopreg.prove.promises import judge
from services.bonus.domain import MonthTotals
from shared.dead_letters import CONSUMER, DLQ_SUFFIX, ORIGIN_OFFSET, ORIGIN_PARTITION, ORIGIN_TOPIC, REASON
from shared.pseudonym import keyed_token
from shared.settings import Settings

# Topics the run itself writes (their duplicates and conflicts are its own doing, on purpose)
INPUTS = (POS_PURCHASES.name,)


def households_wrong(expected: RegisterExpected, observed: Observed) -> int:
    """Booked receipts credited to another household than the one holding the card at purchase time, plus
    receipts kept that the register does not have booked."""
    wrong = sum(1 for rid, household in observed.booked.items() if expected.booked.get(rid) != household)
    return wrong + len(expected.booked.keys() - observed.booked.keys())


def ledger_diff_cents(expected: RegisterExpected, observed: Observed) -> int:
    zero = MonthTotals()
    return sum(abs(getattr(expected.totals.get(key, zero), name) - getattr(observed.totals.get(key, zero), name))
               for key in expected.totals.keys() | observed.totals.keys() for name in CENT_FIELDS)


def events_conflicting(records_by_topic: dict[str, list]) -> int:
    """Event ids (`ce_id`) published more than once with different content, on the register's own topics."""
    conflicting = 0
    for name, records in records_by_topic.items():
        if name in INPUTS or name.endswith(DLQ_SUFFIX):
            continue
        values: dict[bytes, set] = defaultdict(set)
        for record in records:
            event_id = dict(record.headers or ()).get("ce_id")
            if event_id is not None:
                values[event_id].add(record.value)
        conflicting += sum(1 for contents in values.values() if len(contents) > 1)
    return conflicting


def _dead_lettered(record) -> tuple:
    """Which message a dead letter is of, and who gave up on it: a consumer killed after sending it and
    before committing its offset sends it again (at least once), and that copy is the same dead letter."""
    headers = dict(record.headers or ())
    return tuple(headers.get(name) for name in (ORIGIN_TOPIC, ORIGIN_PARTITION, ORIGIN_OFFSET, CONSUMER))


def dead_letter_reasons(records_by_topic: dict[str, list]) -> dict[str, dict[str, int]]:
    """Per topic and reason, the messages dead-lettered (each once, however many copies were sent)."""
    reasons: dict[str, dict[str, int]] = {}
    for name, records in sorted(records_by_topic.items()):
        if name.endswith(DLQ_SUFFIX) and records:
            distinct = {_dead_lettered(r): r for r in records}.values()
            counted = Counter(dict(r.headers or ()).get(REASON, b"?").decode() for r in distinct)
            reasons[name.removesuffix(DLQ_SUFFIX)] = dict(sorted(counted.items()))
    return reasons


def dead_letter_copies(records_by_topic: dict[str, list]) -> int:
    """Dead letters sent again for a message already dead-lettered by the same consumer."""
    return sum(len(records) - len({_dead_lettered(r) for r in records})
               for name, records in records_by_topic.items() if name.endswith(DLQ_SUFFIX))


def segment_state(records_by_topic: dict[str, list], pseudonyms: dict[str, str]) -> set[str]:
    """The people the segment topic's latest state holds (tombstones drop them)."""
    latest = {record.key: record.value for record in records_by_topic.get(marketing_segment(SEGMENT).name, [])}
    return {pseudonyms.get(key.decode(), f"unknown:{key.decode()}") for key, value in latest.items()
            if value is not None}


def identifiers(scenario: RegisterScenario, person: str, index_key: str) -> dict[str, str]:
    card = next(m.card for h in scenario.households for m in h.members if m.person_id == person)
    return {"person_id": person, "identity_code": scenario.codes[person], "card_number": card,
            "card_token": keyed_token("card", card, index_key),
            "identity_token": keyed_token("identity", scenario.codes[person], index_key),
            "segment_pseudonym": keyed_token(f"segment:{SEGMENT}", person, index_key)}


def erasure_found(hits: list[search.Hit]) -> list[dict]:
    """The erased people's identifiers found, judged by `coopreg prove erasure`'s rules: a hit outside what
    the register keeps, or what expires on a delete topic, is found."""
    by_person: dict[str, list[search.Hit]] = {}
    for hit in hits:
        by_person.setdefault(hit.subject, []).append(hit)
    return [{"person_id": person} | found for person, found_hits in sorted(by_person.items())
            for found in judge(found_hits).found]


@dataclass
class TopicsRead:
    """What the run's topics hold, read one topic at a time (held together, a 100,000-receipt run's took
    3 GB)."""

    in_segment: set[str] = field(default_factory=set)
    events_conflicting: int = 0
    dlq_reasons: dict[str, dict[str, int]] = field(default_factory=dict)
    dlq_copies: int = 0
    erased_hits: list[search.Hit] = field(default_factory=list)


async def read_run_topics(conn, settings: Settings, needles: Needles, pseudonyms: dict[str, str]) -> TopicsRead:
    read = TopicsRead()
    async for name, records in search.each_topic(settings):
        topic = {name: records}
        if name == marketing_segment(SEGMENT).name:
            read.in_segment = segment_state(topic, pseudonyms)
        read.events_conflicting += events_conflicting(topic)
        read.dlq_reasons |= dead_letter_reasons(topic)
        read.dlq_copies += dead_letter_copies(topic)
        read.erased_hits += (await search.search_topics(conn, settings, needles, topic)).hits
    return read


async def register_figures(settings: Settings, scenario: RegisterScenario, expected: RegisterExpected,
                           observed: Observed, logs: list[Path]) -> dict:
    """Every erased person searched for in one pass over the tables, topics and logs (one each took 10 s of
    tables alone at 100,000 receipts)."""
    index_key = settings.secrets.index_key.get_secret_value()
    pseudonyms = {keyed_token(f"segment:{SEGMENT}", m.person_id, index_key): m.person_id
                  for h in scenario.households for m in h.members}
    needles = Needles.of_many({person: identifiers(scenario, person, index_key)
                               for person in sorted(scenario.changes.erased)})
    conn = await connect(settings)
    try:
        topics = await read_run_topics(conn, settings, needles, pseudonyms)
        hits, _ = await search.search_tables(conn, needles)
    finally:
        await conn.close()
    found = erasure_found(hits + topics.erased_hits + search.search_logs(logs, needles))
    in_segment = topics.in_segment
    membership_refused = topics.dlq_reasons.get(MEMBERSHIP_COMMANDS.name, {})
    return {
        "households_wrong": households_wrong(expected, observed),
        "segment_leaks": len(in_segment & expected.out_of_segment),
        "erasure_found": len(found),
        "events_conflicting": topics.events_conflicting,
        "ledger_diff_cents": ledger_diff_cents(expected, observed),
        "payouts_diff_cents": payouts_diff_cents(expected, observed),  # type: ignore[arg-type]
        "segment_missing": len(expected.segment - in_segment),
        "segment_unexpected": len(in_segment - expected.segment - expected.out_of_segment),
        "segment_leaked": sorted(in_segment & expected.out_of_segment)[:10],
        "segment_not_in": sorted(expected.segment - in_segment)[:10],
        "dlq_reasons": dict(sorted(topics.dlq_reasons.items())),
        "dlq_copies": topics.dlq_copies,
        "commands_refused": sum(membership_refused.values()),
        "erasure_hits": found[:10],
    }
