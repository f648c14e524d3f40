"""The whole-register chaos run: every service and the register API, two instances each, behind the fault
proxy; the population brought in, the month under faults, the close started while the next month's receipts
arrive, and everything the register ended with compared with the oracle."""
from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from functools import partial
from pathlib import Path
from typing import Awaitable, Callable

import asyncpg

from coopreg.bench.environment import REGISTER_SCHEMAS, isolated_settings
from coopreg.chaos import stack as dedicated
from coopreg.chaos.api_driver import ApiDriver, waiting_for_bookings
from coopreg.chaos.config import ChaosConfig
from coopreg.chaos.faults import FaultInjector, by_kind, plan_faults
from coopreg.chaos.fleet import EVERY_SERVICE, Fleet
from coopreg.chaos.observe import observe
from coopreg.chaos.proxy import FaultProxy
from coopreg.chaos.publisher import Publisher
from coopreg.chaos.register_oracle import register_expected
from coopreg.chaos.register_scenario import MONTH, RegisterScenario, build_register_scenario
from coopreg.chaos.register_verdict import register_figures
from coopreg.chaos.runner import ChaosReport, close_month
from coopreg.chaos.scenario import Message
from coopreg.chaos.settle import query, until_reached, wait_closed
from services.bonus.adapters import reads as bonus_reads
from services.consent.adapters import reads as consent_reads
from services.membership.adapters import reads as membership_reads
from services.purchases.adapters import reads as purchases_reads
from shared import outbox


async def _unresolved(conn) -> int:
    return (await purchases_reads.storing_progress(conn)).unresolved


async def _outboxes(conn) -> int:
    return sum([await outbox.staged(conn, schema) for schema in (*EVERY_SERVICE, "register_api")])


# What the run waits for, each read through the owning service's named reads (never its tables).
PROGRESS: dict[str, Callable[[asyncpg.Connection], Awaitable[int]]] = {
    "persons": membership_reads.persons_known,
    "households": membership_reads.households_known,
    "members": membership_reads.members_in_households,
    "cards": purchases_reads.cards_in_households,
    "partner_registrations": purchases_reads.partner_registrations_kept,
    "segment": consent_reads.segment_places,
    "booked": bonus_reads.purchases_booked,
    "booked_month": partial(bonus_reads.purchases_booked_in, month=MONTH),
    "unresolved": _unresolved,
    "outbox": _outboxes,
}


async def until(settings, targets: dict[str, int], stall_seconds: float, say, what: str) -> dict[str, int]:
    """Until each count in `targets` is reached; or nothing moved for `stall_seconds` (then the report says)."""
    async def progress() -> dict[str, int]:
        return {name: await query(settings, PROGRESS[name]) for name in targets}
    return await until_reached(progress, targets, stall_seconds,
                               lambda now: say(f"{what}: the register stopped moving at {now}, short of {targets}"))


def _killing_mid_erasure(injector: FaultInjector, rng: random.Random) -> Callable[[str], Awaitable[None]]:
    """SIGKILL an instance (round the fleet, in a seeded order) as soon as the API accepted an erasure: the
    request, the services' reports and the key's destruction must survive it."""
    order = rng.sample(injector.fleet.names, len(injector.fleet.names))
    turn = iter(order * 100)

    async def kill(person_id: str) -> None:
        began = time.monotonic()
        injector.record("kill_mid_erasure", await injector.kill(next(turn)), began)
    return kill


async def bring_in_population(publisher: Publisher, scenario: RegisterScenario, settings, config, say) -> None:
    people = sum(len(h.members) for h in scenario.households)
    say(f"registering {people:,} people in {len(scenario.households):,} households through membership and cards")
    await publisher.publish(scenario.registration)
    await until(settings, {"persons": people, "households": len(scenario.households)}, config.stall_seconds, say,
                "registration")
    await publisher.publish(scenario.forming)
    # every member in their household (a partner registration is refused to a person in none, and it is keyed
    # by the person, the acceptance by the main member: membership may take them in either order), and every
    # card and partner customer's member number allocated to a household
    await until(settings, {"members": people, "cards": people + len(scenario.partner_customers), "outbox": 0},
                config.stall_seconds, say, "households and cards")
    await publisher.publish(scenario.consents)
    # the segment, and the partner registrations where purchases credits a partner purchase by them
    await until(settings, {"segment": len(scenario.changes.granted), "outbox": 0,
                           "partner_registrations": len(scenario.partner_customers)}, config.stall_seconds, say,
                "the segment and the partner registrations")


async def run_register_chaos(config: ChaosConfig, stack, proxy: FaultProxy | None, log_dir: Path,
                             say) -> ChaosReport:
    started = time.monotonic()
    settings = await isolated_settings(config.name, drop_first=REGISTER_SCHEMAS)
    rng = random.Random(config.seed)
    say(f"generating the register's month: {config.receipts:,} receipts, its changes and the oracle "
        f"(seed {config.seed})")
    scenario = build_register_scenario(config.receipts, config.seed)
    expected = register_expected(scenario)
    gate = asyncio.Lock()
    publisher = Publisher(settings, gate)
    fleet = Fleet(str(log_dir), config.instances, EVERY_SERVICE,
                  env=dedicated.services_environ(config.stack) | config.service_environ, api=True)
    injector = FaultInjector(fleet, stack, gate, rng, say, config.broker_outage_seconds, proxy)
    driver = ApiDriver(settings, [], say)
    if config.kill_mid_erasure:
        driver.erasure_accepted = _killing_mid_erasure(injector, rng)
    watching = asyncio.Event()
    watcher = asyncio.create_task(fleet.watch(watching))
    backlog: list[Message] = []
    per_person = {p: sum(1 for r in scenario.receipts if r.identifier.value == card)
                  for p, card in ((m.person_id, m.card) for h in scenario.households for m in h.members
                                  if m.person_id in scenario.changes.erased)}
    try:
        fleet.start()
        await fleet.wait_ready()
        driver.urls = fleet.api_urls()
        await bring_in_population(publisher, scenario, settings, config, say)
        say(f"the month: {len(scenario.stream):,} messages and {len(scenario.actions)} API actions over "
            f"{config.publish_seconds:.0f} s under {config.faults.total} faults")
        faults = asyncio.create_task(injector.run(plan_faults(config.faults, config.publish_seconds * 1.2, rng,
                                                              fleet.names)))
        await asyncio.gather(publisher.publish(scenario.stream, config.publish_seconds),
                             driver.run(scenario.actions, config.publish_seconds,
                                        waiting_for_bookings(settings, per_person)))
        ended = ", ".join(f"{n} {status}" for status, n in sorted(Counter(driver.erasures.values()).items()))
        say(f"the erasures ended ({ended}); {len(scenario.late)} late copies of the erased people's receipts")
        await publisher.publish(scenario.late)
        backlog = [m for person, m in sorted(scenario.new_after_erasure.items())
                   if driver.erasures.get(person) == "completed"]
        say(f"{len(backlog)} receipts of erased people's cards never sent before")
        await publisher.publish(backlog)
        say("the month's receipts are in; closing it while the next month's receipts arrive")
        month_booked = sum(1 for rid in expected.booked if not rid.startswith("n-"))
        next_month = asyncio.create_task(publisher.publish(scenario.next_stream, config.publish_seconds / 4))
        await until(settings, {"booked_month": month_booked, "unresolved": 0}, config.stall_seconds, say,
                    "the month's receipts")
        interrupted = await close_month(publisher, settings, injector if config.kill_during_close else None)
        await wait_closed(settings, MONTH, config.stall_seconds)
        await next_month
        await faults
        say("waiting for the register to settle")
        await until(settings, {"booked": len(expected.booked), "unresolved": 0, "outbox": 0}, config.stall_seconds,
                    say, "the end")
        observed = await observe(settings, MONTH)
        unresolved = " ".join(f"{rid}:{status}" for rid, status in
                              (await query(settings, purchases_reads.unresolved_receipts, 10)).items())
        say("searching tables, topics and logs for the erased; reading the segment and every event")
        logs = sorted(Path(log_dir).glob("*-[0-9].log"))
        figures = await register_figures(settings, scenario, expected, observed, logs)
        if config.sabotage is not None:
            await config.sabotage(settings, scenario)
            broken = await register_figures(settings, scenario, expected, observed, logs)
            figures["sabotaged"] = {k: broken[k] for k in ("segment_leaks", "events_conflicting", "erasure_found")}
    finally:
        watching.set()
        await watcher
        fleet.stop()
        await publisher.close()
    stored_expected = {rid for rid in expected.booked}
    dlq_right = sum(1 for key, reason in expected.malformed.items() if observed.dead_letters.get(key)
                    and all(r == reason and detail for r, detail, _ in observed.dead_letters[key]))
    figures = {
        "produced": len(scenario.stream) + len(scenario.next_stream) + len(scenario.late) + len(backlog),
        "stored": len(observed.stored),
        "duplicates_ignored": sum(1 for m in scenario.stream if m.kind == "duplicate"
                                  and m.key.decode() in observed.stored),
        "conflicts_flagged": len(observed.conflicts & expected.conflicts),
        "lost": len(stored_expected - observed.booked.keys()),
        "double_counted": sum(max(0, n - expected.receipts.get(k, 0)) for k, n in observed.receipts.items()),
        "dlq": dlq_right,
        **{k: figures.pop(k) for k in ("ledger_diff_cents", "payouts_diff_cents")},
        "faults_injected": by_kind(injector.injected),
        **{k: figures.pop(k) for k in ("households_wrong", "segment_leaks", "erasure_found", "events_conflicting")},
        "faults_total": len(injector.injected),
        **figures,
        "malformed": len(expected.malformed), "commands_repeated": scenario.count("repeat"),
        "late_copies_of_erased": len(scenario.late), "new_receipts_of_erased": len(backlog),
        "grants_in_month": len(scenario.changes.granted_later),
        "partner_purchases": len(scenario.partner_purchases),
        "dlq_unexpected": sum(n for reasons in figures["dlq_reasons"].values() for n in reasons.values())
        - len(expected.malformed),
        "stored_unknown": len(observed.stored.keys() - expected.households.keys()),
        "month": observed.month_status, "statements": observed.statements,
        "households_expected": expected.households_closed, "payouts_expected": len(expected.payouts),
        "payouts_paid": len(observed.payouts), "payouts_contradicting": observed.payouts_contradicting,
        "api_done": dict(driver.done), "api_failed": dict(driver.failed), "api_retried": driver.retried,
        "erasures": dict(Counter(driver.erasures.values())),
        "unresolved": unresolved, "lost_ids": sorted(stored_expected - observed.booked.keys())[:10],
        "close_interrupted_after": interrupted, "service_exits": fleet.exits, "resent": publisher.resent,
        "seconds": round(time.monotonic() - started),
    }
    figures["ok"] = (all(figures[k] == 0 for k in (
        "lost", "double_counted", "ledger_diff_cents", "payouts_diff_cents", "households_wrong", "segment_leaks",
        "erasure_found", "events_conflicting", "segment_missing", "stored_unknown", "payouts_contradicting",
        "dlq_unexpected"))
        and figures["dlq"] == figures["malformed"] and figures["conflicts_flagged"] == len(expected.conflicts)
        and figures["month"] == "closed" and figures["statements"] == expected.households_closed
        and not driver.failed and set(driver.erasures.values()) <= {"completed"})
    return ChaosReport(figures, injector.injected)

