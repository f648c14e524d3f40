"""The register API's users in a chaos run: customer service and the customer's My data page withdrawing a
permission, the data protection officer erasing a person — over HTTP to the API's processes, which the faults
kill and pause like any service. A request that meets a dead or paused instance is sent again to the other
(as a load balancer would), so each action is done once the API takes it."""
from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Awaitable, Callable

import httpx

from coopreg.chaos.register_scenario import ApiAction
from coopreg.chaos.settle import query
from services.bonus.adapters import reads as bonus_reads
from services.register_api.domain.access import DATA_SUBJECT
from services.register_api.entrypoints.auth import issue_token
from shared.settings import Settings

TOKEN_TTL = timedelta(minutes=30)
GIVE_UP_SECONDS = 240.0


@dataclass
class ApiDriver:
    settings: Settings
    urls: list[str]
    say: Callable[[str], object] = print
    done: Counter = field(default_factory=Counter)
    failed: Counter = field(default_factory=Counter)
    erasures: dict[str, str] = field(default_factory=dict)  # person → erasure status at the end
    retried: int = 0
    # Called once the API has accepted an erasure (the chaos run kills an instance then: mid-erasure).
    erasure_accepted: Callable[[str], Awaitable[None]] | None = None

    def _headers(self, role: str, person_id: str | None = None) -> dict[str, str]:
        token = issue_token(self.settings.api, f"chaos-{role}", [role], person_id, TOKEN_TTL)
        return {"Authorization": f"Bearer {token}"}

    async def request(self, client: httpx.AsyncClient, method: str, path: str, headers: dict,
                      json: dict | None = None) -> httpx.Response:
        """The first answer below 500 from any instance, trying them in turn until GIVE_UP_SECONDS. A 429 is
        waited out as its Retry-After says, as any well-behaved client does: the run's users all come from
        one address, over the API's limit for one when erasures are followed in numbers."""
        deadline, n = time.monotonic() + GIVE_UP_SECONDS, 0
        while True:
            url = self.urls[n % len(self.urls)]
            n += 1
            pause = min(0.5 * n, 3.0)
            try:
                response = await client.request(method, url + path, headers=headers, json=json, timeout=10)
                if response.status_code == 429:
                    pause = float(response.headers.get("Retry-After", "1"))
                elif response.status_code < 500:
                    return response
            except httpx.HTTPError:
                pass
            self.retried += 1
            if time.monotonic() > deadline:
                raise TimeoutError(f"{method} {path}: no instance of the register API answered")
            await asyncio.sleep(pause)

    async def run(self, actions: list[ApiAction], seconds: float, booked_before_erasure) -> None:
        """Each action when the publishing reaches its position; erasures followed until completed."""
        started, followed = time.monotonic(), []
        async with httpx.AsyncClient() as client:
            for action in actions:
                await asyncio.sleep(max(0.0, started + action.position * seconds - time.monotonic()))
                try:
                    if action.kind == "erase":
                        await booked_before_erasure(action.person_id)
                        followed.append(asyncio.create_task(self.erase(client, action.person_id)))
                    else:
                        await self.set_permission(client, action)
                except (TimeoutError, httpx.HTTPError) as error:
                    self.failed[action.kind] += 1
                    self.say(f"{action.kind} {action.person_id} failed: {error}")
            await asyncio.gather(*followed)

    async def set_permission(self, client: httpx.AsyncClient, action: ApiAction) -> None:
        """withdraw_staff, withdraw_my_data, grant_my_data: the e-mail permission by customer service or on
        the customer's own My data page."""
        headers = self._headers(DATA_SUBJECT, action.person_id) if action.kind.endswith("_my_data") else \
            self._headers("customer_service")
        response = await self.request(client, "PUT", f"/persons/{action.person_id}/permissions", headers,
                                      {"channel": "email", "granted": action.kind.startswith("grant")})
        (self.done if response.status_code == 202 else self.failed)[action.kind] += 1
        if response.status_code != 202:
            self.say(f"{action.kind} {action.person_id}: {response.status_code} {response.text[:200]}")

    async def erase(self, client: httpx.AsyncClient, person_id: str) -> None:
        headers = self._headers("data_protection_officer")
        try:
            response = await self.request(client, "POST", f"/persons/{person_id}/erasure", headers)
            if response.status_code != 202:
                self.failed["erase"] += 1
                self.erasures[person_id] = f"refused {response.status_code}"
                self.say(f"erase {person_id}: {response.status_code} {response.text[:200]}")
                return
            path = f"/erasures/{response.json()['erasure']['request_id']}"
            if self.erasure_accepted is not None:
                await self.erasure_accepted(person_id)
            deadline = time.monotonic() + 2 * GIVE_UP_SECONDS
            status, pause = "requested", 1.0
            while time.monotonic() < deadline:
                answer = await self.request(client, "GET", path, headers)
                status = answer.json()["erasure"]["status"] if answer.status_code == 200 else status
                if status == "completed":
                    break
                # dozens followed at once: each asks less often the longer it takes, as a person would
                await asyncio.sleep(pause)
                pause = min(2 * pause, 8.0)
            self.erasures[person_id] = status
            (self.done if status == "completed" else self.failed)["erase"] += 1
        except (TimeoutError, httpx.HTTPError) as error:
            self.failed["erase"] += 1
            self.erasures[person_id] = f"failed: {type(error).__name__}"


def waiting_for_bookings(settings: Settings, expected: dict[str, int], timeout: float = 90):
    """Before an erasure: until the person's receipts are booked (an operator erases a customer whose data
    the register has, not one whose purchases are still on their way)."""
    async def wait(person_id: str) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if await query(settings, bonus_reads.purchases_booked_for, person_id) >= expected.get(person_id, 0):
                return
            await asyncio.sleep(0.5)
    return wait
