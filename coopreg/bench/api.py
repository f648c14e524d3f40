"""`coopreg bench api`: the register API under many concurrent clients on the local real stack.

Every service runs as its own process serving its subject endpoint on a port of its own, and the register API
as a real uvicorn process pointed at them (tests/e2e/conftest.py does the same); the dsar bench runs the
endpoints in a thread and the API in-process, which is fine for one extract but not for 1,500 sockets.
Persons are seeded through the services' use cases (coopreg/simulate/person_history.py).

Each of `connections` clients opens one keep-alive connection and holds it (the API process is asked how many
it holds: `connections_held`), then sends requests after a random think time, `rate` requests a second in
all, a mix of three kinds:

- `staff_lookup`: customer service finds a person by card number (POST /persons/search);
- `my_data`: a customer reads their own data on the My data page (GET /persons/{id}: every service asked);
- `consent_change`: a customer grants or withdraws an email permission (PUT /persons/{id}/permissions,
  published for the consent service).

Rate limits: every client comes from 127.0.0.1, which the per-address limit (600 a minute) would answer
429 within a second, so the bench runs the API with COOPREG_API_RATE_LIMIT_PER_ADDRESS=0 and _PER_PRINCIPAL=0
(production sits behind a load balancer that spreads many addresses); the JSON says so under `rate_limits`.
"""
from __future__ import annotations

import asyncio
import os
import random
import resource
import ssl
import statistics
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone

import httpx
import orjson
import psutil

from coopreg.bench.environment import LOG_DIR, ServiceUnderTest, isolated_settings, stack_cpu_seconds
from coopreg.service_endpoints import free_port
from coopreg.simulate.person_history import SeededPerson, seed_person_history
from services.register_api.entrypoints.auth import issue_token
from services.registry import SERVICES
from shared.runtime import open_pool

KINDS = ("staff_lookup", "my_data", "consent_change")
BENCH_LIMITS = {"COOPREG_API_RATE_LIMIT_PER_ADDRESS": "0", "COOPREG_API_RATE_LIMIT_PER_PRINCIPAL": "0"}
TARGET_P99_MS = 1000


@dataclass(frozen=True)
class Outcome:
    kind: str
    status: int  # 0: no answer (connection error or timeout)
    ms: float


def bearer(settings, user: str, roles: list[str], person_id: str | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(settings.api, user, roles, person_id)}"}


def raise_fd_limit(needed: int) -> int:
    """Each client holds a socket: the soft limit of open files raised towards the hard one when it is short."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < needed:
        soft = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    return soft


async def seed(settings, persons: int, days: int) -> list[SeededPerson]:
    pools = {name: await open_pool(settings, SERVICES[name]) for name in ("membership", "cards", "purchases", "bonus")}
    try:
        now = datetime.now(timezone.utc)
        return [await seed_person_history(pools, settings, now, days=days, seed=n) for n in range(persons)]
    finally:
        for pool in pools.values():
            await pool.close()


def start_services(log_dir: str | None = None) -> tuple[dict[str, ServiceUnderTest], dict[str, str]]:
    """Every service as a process with its endpoint on a free port; their URLs for the API."""
    ports = {name: free_port() for name in SERVICES}
    running = {name: ServiceUnderTest(name, log_dir or LOG_DIR, env={"COOPREG_METRICS_PORT": str(port)}).start()
               for name, port in ports.items()}
    for service in running.values():
        service.wait_ready()
    return running, {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}


async def start_api(urls: dict[str, str], port: int, keep_alive_s: float) -> ServiceUnderTest:
    api = ServiceUnderTest("register_api", env={"COOPREG_API_PORT": str(port), "COOPREG_API_RETENTION_EVERY_HOURS": "0",
                                                "COOPREG_API_KEEP_ALIVE_SECONDS": str(keep_alive_s),
                                                "COOPREG_API_SERVICE_URLS": orjson.dumps(urls).decode(),
                                                **BENCH_LIMITS}).start()
    api.wait_ready()
    async with httpx.AsyncClient(trust_env=False) as probe:
        deadline = time.monotonic() + 60
        while True:
            try:
                if (await probe.get(f"http://127.0.0.1:{port}/ready", timeout=2)).status_code == 200:
                    return api
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or not api.running():
                raise RuntimeError(f"the register API did not answer; see {api.log_path}")
            await asyncio.sleep(0.2)


def cpu_seconds(api: ServiceUnderTest, services: dict[str, ServiceUnderTest]) -> dict[str, float]:
    """CPU used so far by the API, by the services it asks, and by PostgreSQL's sessions of this database."""
    stack = stack_cpu_seconds(os.environ.get("COOPREG_PG_DATABASE"))
    return {"register_api": api.cpu_seconds(), "services": sum(s.cpu_seconds() for s in services.values()),
            "postgres": stack["postgres"]}


def connections_held(api: ServiceUnderTest, port: int) -> int:
    """Established client connections on the API's port, as the API process's own sockets show them."""
    try:
        sockets = psutil.Process(api.proc.pid).net_connections(kind="tcp") if api.proc else []
    except psutil.Error:
        return 0
    return sum(1 for s in sockets if s.laddr and s.laddr.port == port and s.status == psutil.CONN_ESTABLISHED)


class Client:
    """One client with its own keep-alive connection (a client of its own, so the connections are really
    `connections` and not a pool's few busy ones)."""

    def __init__(self, url: str, tls: ssl.SSLContext, staff: dict, customer: dict, person: SeededPerson,
                 rng: random.Random) -> None:
        # one TLS context shared (none is used on http://): httpx would otherwise load the CA store per client
        self.http = httpx.AsyncClient(base_url=url, verify=tls, trust_env=False, timeout=30,
                                      limits=httpx.Limits(max_connections=1, max_keepalive_connections=1,
                                                          keepalive_expiry=3600))
        self.staff, self.customer, self.person, self.rng = staff, customer, person, rng

    async def connect(self) -> None:
        await self.http.get("/health")

    async def one(self, kind: str) -> Outcome:
        person = self.person
        started = time.perf_counter()
        try:
            if kind == "staff_lookup":
                answer = await self.http.post("/persons/search", json={"card_number": person.card_number},
                                              headers=self.staff)
            elif kind == "my_data":
                answer = await self.http.get(f"/persons/{person.person_id}", headers=self.customer)
            else:
                answer = await self.http.put(f"/persons/{person.person_id}/permissions", headers=self.customer,
                                             json={"channel": "email", "granted": self.rng.random() < 0.5})
            status = answer.status_code
        except httpx.HTTPError:
            status = 0
        return Outcome(kind, status, (time.perf_counter() - started) * 1000)

    async def run(self, until: float, think_s: float, mix: tuple[float, ...], outcomes: list[Outcome]) -> None:
        # the first request at a random phase (so the rate is steady from the start), then think times spread
        # evenly around the mean and never above 1.5 of it: the API keeps an idle connection longer (the bench
        # sets its keep-alive above it), so the connections stay held
        pause = think_s * self.rng.random()
        while True:
            left = until - time.perf_counter()
            if pause >= left:  # no request after the window: the clients stop with it
                return
            await asyncio.sleep(pause)
            pause = think_s * self.rng.uniform(0.5, 1.5)
            outcomes.append(await self.one(self.rng.choices(KINDS, weights=mix)[0]))


def summary(outcomes: list[Outcome], seconds: float) -> dict:
    per_kind = {}
    for kind in KINDS:
        mine = [o for o in outcomes if o.kind == kind]
        ok = sorted(o.ms for o in mine)
        q = statistics.quantiles(ok, n=100) if len(ok) > 1 else [ok[0] if ok else 0.0] * 99
        per_kind[kind] = {"requests": len(mine), "p50_ms": round(q[49], 1), "p99_ms": round(q[98], 1),
                          "max_ms": round(max(ok, default=0.0), 1)}
    statuses = Counter(o.status for o in outcomes)
    errors = {("no_answer" if status == 0 else str(status)): n for status, n in sorted(statuses.items())
              if not 200 <= status < 300}
    server_errors = sum(n for status, n in statuses.items() if status >= 500 or status == 0)
    return {"requests": len(outcomes), "requests_per_s": round(len(outcomes) / seconds, 1),
            "errors_by_status": errors, "server_errors": server_errors, "per_kind": per_kind,
            "p99_ms_max_of_kinds": max(k["p99_ms"] for k in per_kind.values())}


async def bench_api(connections: int, rate: float, seconds: float, persons: int, say,
                    mix: tuple[float, float, float] = (0.4, 0.4, 0.2)) -> dict:
    fd_limit = raise_fd_limit(connections + 1024)
    settings = await isolated_settings("bench_api")
    say(f"seeding {persons} members with a month of purchases through the services' use cases")
    people = await seed(settings, persons, days=30)
    say("starting every service and the register API as processes")
    services, urls = start_services()
    port = free_port()
    api: ServiceUnderTest | None = None
    clients: list[Client] = []
    think_s = connections / rate
    keep_alive_s = max(75.0, 2 * think_s)
    try:
        api = await start_api(urls, port, keep_alive_s)
        rng = random.Random(11)
        tls = ssl.create_default_context()
        staff = [bearer(settings, f"staff-{n}", ["customer_service"]) for n in range(50)]
        customers = [bearer(settings, f"customer-{p.person_id}", ["data_subject"], p.person_id) for p in people]
        clients = [Client(f"http://127.0.0.1:{port}", tls, staff[n % len(staff)], customers[n % len(people)],
                          people[n % len(people)], random.Random(rng.random())) for n in range(connections)]
        say(f"opening {connections} connections")
        for i in range(0, connections, 100):  # in steps, as a listen backlog would take them
            await asyncio.gather(*(client.connect() for client in clients[i:i + 100]))
        held_before = connections_held(api, port)
        say(f"{held_before} connections held; {rate:g} requests/s for {seconds:g} s")
        outcomes: list[Outcome] = []
        cpu_before, started = cpu_seconds(api, services), time.perf_counter()
        held_peak = held_before
        runs = asyncio.gather(*(c.run(started + seconds, think_s, mix, outcomes) for c in clients))
        while not runs.done():
            await asyncio.wait([runs], timeout=1)
            # read in a thread: the API's 1,500 sockets take a while to list, and the bench's clients must not
            # wait for it (their latencies would carry the pause)
            held_peak = max(held_peak, await asyncio.to_thread(connections_held, api, port))
        await runs
        elapsed = time.perf_counter() - started
        held_after = connections_held(api, port)
        cpu_used = {part: used - cpu_before[part] for part, used in cpu_seconds(api, services).items()}
        figures = summary(outcomes, seconds)  # every request was sent within the window
    finally:
        await asyncio.gather(*(client.http.aclose() for client in clients), return_exceptions=True)
        for process in [api, *services.values()]:
            if process is not None:
                process.stop()
    return {"connections": connections, "connections_held": held_before, "connections_held_peak": held_peak,
            "connections_held_at_end": held_after, "offered_per_s": rate, "seconds": seconds,
            "last_answer_s": round(elapsed, 1),
            "persons": persons, **figures,
            "cpu_ms_per_request": {part: round(used * 1000 / max(figures["requests"], 1), 2)
                                   for part, used in cpu_used.items()},
            "api_keep_alive_s": keep_alive_s,
            "api_peak_rss_mb": round(api.peak_rss / 2**20) if api else 0, "fd_limit": fd_limit,
            "rate_limits": "off for the bench: COOPREG_API_RATE_LIMIT_PER_ADDRESS=0 and _PER_PRINCIPAL=0 "
                           "(every client comes from 127.0.0.1)",
            "target_p99_ms": TARGET_P99_MS,
            "within_target": figures["server_errors"] == 0 and figures["p99_ms_max_of_kinds"] <= TARGET_P99_MS}
