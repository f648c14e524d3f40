"""Proof under faults for the whole register, small: a population brought in through membership and cards,
a month of POS and partner receipts interleaved with moves, dissolutions, card blocks and replacements, deaths,
permissions granted and withdrawn (S-Bank, customer service, My data), every change command sent twice, and
erasures through the register API (an instance killed as each is accepted; a copy of an erased person's receipt
arriving after it), the month closed while the next month's receipts arrive — two instances of every service
and of the API, behind the fault proxy, while processes are killed and paused and the network to the stack
fails. The oracle works from the generated input alone; then the register's output is broken on purpose, and
the oracle must notice."""
from __future__ import annotations

import os

import orjson

from contracts.envelope import Envelope
from contracts.events.marketing import SegmentMember
from contracts.topics import MEMBERSHIP_HOUSEHOLDS, marketing_segment
from coopreg.chaos import stack
from coopreg.chaos.config import ChaosConfig, FaultCounts
from coopreg.chaos.register_scenario import SEGMENT
from coopreg.chaos.runner import run_chaos
from coopreg.prove.search import read_topics
from shared.kafka import make_producer
from shared.pseudonym import keyed_token


async def sabotage(settings, scenario) -> None:
    """What a broken build would publish: a segment ignoring a withdrawal (the person back in it), and an
    event sent again under its id with other content."""
    person = sorted(scenario.changes.withdrawn)[0]
    pseudonym = keyed_token(f"segment:{SEGMENT}", person, settings.secrets.index_key.get_secret_value())
    member = SegmentMember(pseudonym=pseudonym, segment=SEGMENT, purpose="marketing", channel="email",
                           computed_at="2026-12-01T00:00:00Z", language="fi", cooperative_id="hok-elanto")
    household = (await read_topics(settings))[MEMBERSHIP_HOUSEHOLDS.name][-1]
    changed = orjson.dumps(orjson.loads(household.value) | {"version": 999})
    producer = make_producer(settings.kafka, "chaos-sabotage")
    await producer.start()
    try:
        segment = Envelope(source="broken-consent", type=marketing_segment(SEGMENT).event_type)
        await producer.send_and_wait(settings.kafka.topic(marketing_segment(SEGMENT).name), key=pseudonym.encode(),
                                     value=member.model_dump_json().encode(), headers=segment.headers())
        await producer.send_and_wait(settings.kafka.topic(MEMBERSHIP_HOUSEHOLDS.name), key=household.key,
                                     value=changed, headers=list(household.headers))
    finally:
        await producer.stop()


def small(log_dir) -> ChaosConfig:
    return ChaosConfig(
        scenario="register", receipts=900, seed=11, instances=2, publish_seconds=50,
        name=f"chaos_register_{os.getpid()}", stall_seconds=90, broker_outage_seconds=3,
        stack=stack.of_this_process(), log_dir=log_dir, sabotage=sabotage,
        faults=FaultCounts(kill_purchases=0, kill_bonus=0, kafka_restart=0, kafka_kill=0, postgres_restart=0,
                           kill_services=3, pause=1, net_blackhole=1, two_at_once=1))


async def test_the_whole_register_keeps_every_promise_under_faults_and_a_broken_output_is_caught(tmp_path):
    report = await run_chaos(small(tmp_path), say=lambda text: None)
    figures = report.figures
    # the faults: three kills round the fleet, one as each erasure is accepted, a zombie, a blackhole, two at
    # once, a kill mid-close
    assert figures["faults_injected"] == {"kill": 3, "kill_bonus_closing": 1, "kill_mid_erasure": 2,
                                          "net_blackhole": 1, "pause": 1, "two_at_once": 1}
    # every promise kept: nothing lost or doubled, right household, every cent, segment, erasure, events
    for promise in ("lost", "double_counted", "households_wrong", "ledger_diff_cents", "payouts_diff_cents",
                    "segment_leaks", "segment_missing", "erasure_found", "events_conflicting", "dlq_unexpected"):
        assert figures[promise] == 0, (promise, figures)
    assert figures["dlq"] == figures["malformed"] == 6
    assert figures["erasures"] == {"completed": 2} and figures["api_failed"] == {}
    # the month's other traffic: partner purchases, grants, repeated commands and late copies of the erased
    assert (figures["partner_purchases"], figures["grants_in_month"], figures["commands_repeated"]) == (28, 4, 20)
    assert figures["late_copies_of_erased"] == 2 and figures["api_done"]["grant_my_data"] == 2
    assert figures["month"] == "closed" and figures["statements"] == figures["households_expected"]
    assert report.ok
    # the broken output: the withdrawn person back in the segment, an event re-sent with other content
    assert figures["sabotaged"]["segment_leaks"] == 1 and figures["sabotaged"]["events_conflicting"] == 1
