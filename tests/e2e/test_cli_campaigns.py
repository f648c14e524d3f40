"""Double Bonus campaigns from the command line with the services running as processes (issue 27): finance
creates one, the command travels through the register API's outbox and Kafka to the bonus service, which then
lists it; ending it before it starts calls it off. Both changes are in the audit log under the user."""
from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from tests.e2e.cli import coopreg, one_json

pytestmark = pytest.mark.usefixtures("services")


def said(result) -> str:
    return " ".join((result.stdout + result.stderr).split())


async def listed_until(campaign_id: str, status: str, user: str) -> str:
    text = ""
    for _ in range(60):
        shown = await coopreg("bonus", "campaigns", "list", "--cooperative", "hok-elanto", "--user", user)
        assert shown.returncode == 0, shown.stderr
        text = said(shown)
        if campaign_id in text and status in text:
            return text
        await asyncio.sleep(0.5)
    raise AssertionError(f"{campaign_id} never listed as {status}: {text}")


async def test_finance_creates_lists_and_ends_a_campaign_from_the_command_line(db):
    campaign, user = f"c-{uuid.uuid4().hex[:8]}", f"fin-{uuid.uuid4().hex[:6]}"
    starts = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=2)
    created = await coopreg("bonus", "campaigns", "create", campaign, "--cooperative", "hok-elanto",
                            "--name", "Kaleva reopening", "--outlet", "P001", "--outlet", "P002",
                            "--starts", starts.isoformat(), "--ends", (starts + timedelta(days=7)).isoformat(),
                            "--user", user)
    assert created.returncode == 0, created.stderr
    assert "published on bonus.campaigns.v1" in said(created)
    text = await listed_until(campaign, "planned", user)
    assert "P001, P002" in text

    listed = one_json(await coopreg("bonus", "campaigns", "list", "--cooperative", "hok-elanto", "--user", user,
                                    "-o", "json"))
    [mine] = [c for c in listed if c["campaign_id"] == campaign]
    assert (mine["status"], mine["outlet_ids"]) == ("planned", ["P001", "P002"])

    ended = one_json(await coopreg("bonus", "campaigns", "end", campaign, "--user", user, "--output", "json"))
    assert ended["change"]["campaign_id"] == campaign and ended["published"] is True
    await listed_until(campaign, "called_off", user)

    refused = await coopreg("bonus", "campaigns", "create", f"c-{uuid.uuid4().hex[:8]}", "--cooperative",
                            "hok-elanto", "--name", "x", "--outlet", "P001", "--starts", starts.isoformat(),
                            "--ends", starts.isoformat(), "--user", user)
    assert refused.returncode == 1 and "campaign must end after it starts" in said(refused)
    operations = [r["operation"] for r in await db.fetch(
        "SELECT operation FROM audit.audit_log WHERE actor = $1 AND action = 'change' ORDER BY seq", user)]
    assert operations == ["create_campaign", "end_campaign"]
