"""A retention run as the data-protection officer asks the register API for one, in the tests."""
from __future__ import annotations

from tests.support.privacy import hand_on
from tests.support.register_api import bearer
from tests.support.stack import eventually

DPO = "data_protection_officer"


def request_retention_run(client, settings) -> str:
    """Ask the API for a run as the DPO; its id."""
    started = client.post("/retention/runs", headers=bearer(settings, DPO))
    assert started.status_code == 200 and started.json()["retention"]["status"] == "requested", started.text
    return started.json()["retention"]["run_id"]


def listed_run(client, settings, run_id: str) -> dict | None:
    """The run as the API lists it to the DPO; None if it is not listed."""
    runs = client.get("/retention/runs", headers=bearer(settings, DPO)).json()["items"]
    return next((r["retention"] for r in runs if r["retention"]["run_id"] == run_id), None)


async def handed_on_retention_run(client, settings, own, pools) -> dict:
    """A run requested of the API and carried out by every service as the tests hand it on (integration
    tier); its report, once all have reported."""
    run_id = request_retention_run(client, settings)
    await hand_on(settings, own, pools)
    run = listed_run(client, settings, run_id)
    assert run is not None and run["finished_at"] is not None, run
    return run["report"]


async def finished_run(client, settings, run_id: str, timeout: float = 90) -> dict:
    """The run once the running services have all reported (end-to-end tier)."""
    async def finished() -> dict | None:
        run = listed_run(client, settings, run_id)
        return run if run is not None and run["finished_at"] is not None else None
    return await eventually(finished, timeout=timeout)
