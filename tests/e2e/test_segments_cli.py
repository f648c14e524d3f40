"""`coopreg segments` on the real stack, as an operator runs it: define, inspect until live, list, retire."""
from __future__ import annotations

import asyncio
import json
import subprocess
import sys

import pytest

from shared.settings import PROJECT_ROOT
from tests.e2e.cli import one_json, table_text
from tests.support.people import unique
from tests.support.stack import eventually

pytestmark = pytest.mark.usefixtures("services")


async def coopreg(*args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-c", "from coopreg.cli import main; main()", "segments", *args]
    return await asyncio.to_thread(subprocess.run, command, capture_output=True, text=True, cwd=PROJECT_ROOT,
                                   timeout=60)


async def test_an_operator_defines_inspects_lists_and_retires_a_segment(settings):
    name = unique("cli")
    defined = await coopreg("define", name, "--purpose", "survey", "--channel", "post", "--cooperative",
                            "hok-elanto", "--age-band", "35-44", "--attribute", "age_band")
    assert defined.returncode == 0, defined.stderr

    async def status():
        shown = await coopreg("inspect", name, "-o", "json")
        return shown.returncode == 0 and json.loads(shown.stdout)["status"] == "live" and json.loads(shown.stdout)
    found = await eventually(status)
    assert found["topic"] == f"marketing.segment.{name}.v1"
    assert found["definition"]["criteria"]["age_bands"] == ["35-44"]
    assert name in table_text(await coopreg("list"))
    assert "status │ live" in table_text(await coopreg("inspect", name))
    listed = {s["name"]: s for s in one_json(await coopreg("list", "--output", "json"))}
    assert listed[name]["purpose"] == "survey" and listed[name]["status"] == "live"
    refused = await coopreg("define", unique("cli"), "--purpose", "profiling", "--channel", "post")
    assert refused.returncode == 1 and "purpose" in refused.stderr
    assert (await coopreg("retire", name)).returncode == 0
    await eventually(lambda: _retired(name))


async def _retired(name: str) -> bool:
    shown = await coopreg("inspect", name, "-o", "json")
    return json.loads(shown.stdout)["status"] == "retired"
