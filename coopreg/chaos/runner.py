"""One chaos run: stack, scenario and oracle, services under faults, month close, comparison."""
from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from contracts.events.bonus import CloseBonusMonth
from contracts.topics import BONUS_COMMANDS
from coopreg.bench.environment import drop_isolated_database, isolated_settings, scoped_environ
from coopreg.chaos import stack as dedicated
from coopreg.chaos.config import ChaosConfig
from coopreg.chaos.faults import FaultInjector, Injected, by_kind, plan_faults
from coopreg.chaos.fleet import Fleet
from coopreg.chaos.observe import observe
from coopreg.chaos.oracle import expected_outcome
from coopreg.chaos.proxy import FaultProxy
from coopreg.chaos.publisher import Publisher
from coopreg.chaos.scenario import MONTH, build_scenario, event_message
from coopreg.chaos.settle import query, wait_closed, wait_settled
from coopreg.chaos.verdict import verdict
from coopreg.stack import Stack
from services.bonus.adapters import reads as bonus_reads
from services.bonus.domain.months import month_label
from shared.settings import PROJECT_ROOT, Settings


@dataclass
class ChaosReport:
    figures: dict
    faults: list[Injected] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.figures["ok"]


async def run_chaos(config: ChaosConfig, say=print) -> ChaosReport:
    if config.stack is None and config.faults.on_the_stack:
        raise ValueError("broker and database faults need a dedicated stack: they would disturb its other users")
    if config.stack is None and config.faults.on_the_network:
        raise ValueError("network faults need a dedicated stack behind the fault proxy")
    log_dir = Path(config.log_dir or PROJECT_ROOT / "artifacts" / "chaos" / config.name)
    own = config.stack
    with scoped_environ(dedicated.stack_environ(own) if own else {}):
        if own is None:
            return await _scenario(config, None, None, log_dir, say)
        stack = dedicated.up(Settings(), say, own)
        proxy = None
        try:
            # Inside the try: a proxy that fails to start (a port of it taken) must not leave the stack running.
            proxy = dedicated.fault_proxy(own, log_dir).start()
            return await _scenario(config, stack, proxy, log_dir, say)
        finally:
            if proxy is not None:
                proxy.stop()
            dedicated.down(stack, own, say)


async def _scenario(config: ChaosConfig, stack: Stack | None, proxy: FaultProxy | None, log_dir: Path,
                    say: Callable[[str], object]) -> ChaosReport:
    if config.scenario == "register":
        from coopreg.chaos.register_runner import run_register_chaos

        return await run_register_chaos(config, stack, proxy, log_dir, say)
    return await _run(config, stack, proxy, log_dir, say)


async def _run(config: ChaosConfig, stack, proxy: FaultProxy | None, log_dir: Path, say) -> ChaosReport:
    started = time.monotonic()
    settings = await isolated_settings(config.name)
    rng = random.Random(config.seed)
    say(f"generating {config.receipts:,} receipts and the oracle (seed {config.seed})")
    scenario = build_scenario(config.receipts, config.seed, settings.secrets.index_key.get_secret_value())
    expected = expected_outcome(scenario)
    gate = asyncio.Lock()
    publisher = Publisher(settings, gate)
    # The services reach Kafka and PostgreSQL through the fault proxy; this run's own clients, directly.
    fleet = Fleet(str(log_dir), config.instances, env=dedicated.services_environ(config.stack) | config.service_environ)
    injector = FaultInjector(fleet, stack, gate, rng, say, config.broker_outage_seconds, proxy)
    watching = asyncio.Event()
    watcher = asyncio.create_task(fleet.watch(watching))
    try:
        await publisher.publish(scenario.cards)
        fleet.start()
        await fleet.wait_ready()
        say(f"publishing {len(scenario.stream):,} POS messages over {config.publish_seconds:.0f} s under "
            f"{config.faults.total} faults")
        await asyncio.gather(publisher.publish(scenario.stream, config.publish_seconds),
                             injector.run(plan_faults(config.faults, config.publish_seconds, rng, fleet.names)))
        await publisher.publish(scenario.late_cards)
        say("waiting for the register to settle")
        await wait_settled(settings, len(expected.households), config.stall_seconds, say)
        interrupted = await close_month(publisher, settings, injector if config.kill_during_close else None)
        if config.kill_during_close:
            say(f"month close interrupted after {interrupted} of {len(expected.totals)} households")
        await wait_closed(settings, MONTH, config.stall_seconds)
        observed = await observe(settings, MONTH)
    finally:
        watching.set()
        await watcher
        fleet.stop()
        await publisher.close()
        if stack is None:  # a run on the shared stack leaves no database behind
            await drop_isolated_database(settings)
    figures = verdict(scenario, expected, observed, by_kind(injector.injected))
    figures |= {"close_interrupted_after": interrupted, "service_exits": fleet.exits,
                "resent": publisher.resent, "seconds": round(time.monotonic() - started)}
    return ChaosReport(figures, injector.injected)


async def close_month(publisher: Publisher, settings: Settings, injector: FaultInjector | None) -> int | None:
    """Request the close (through the publisher, which waits out a broker the faults took away); with an
    injector, SIGKILL a bonus instance as soon as the first chunk of statements is written: the restarted
    service must resume the close where it stopped. Returns the statements written by then."""
    label = month_label(MONTH)
    await publisher.publish([event_message(BONUS_COMMANDS, label, CloseBonusMonth(month=label), "chaos-operator",
                                           "close")])
    if injector is None:
        return None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not await query(settings, bonus_reads.statements_written, MONTH):
        await asyncio.sleep(0.02)
    began = time.monotonic()
    member = injector.fleet.pick("bonus", injector.rng)
    assert member is not None, "the faults are over: every instance is up"
    injector.fleet.kill(member)
    written = await query(settings, bonus_reads.statements_written, MONTH)
    await asyncio.sleep(injector.rng.uniform(0.2, 2.0))
    await injector.fleet.restart(member)
    injector.record("kill_bonus_closing", member.label, began)
    return written
