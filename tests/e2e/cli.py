"""Running `coopreg` as an operator does: a subprocess with the session's settings (its database and topic
prefix come through the environment)."""
from __future__ import annotations

import asyncio
import json
import subprocess
import sys

from shared.settings import PROJECT_ROOT


async def coopreg(*args: str, timeout: float = 240) -> subprocess.CompletedProcess:
    command = [sys.executable, "-c", "from coopreg.cli import main; main()", *args]
    return await asyncio.to_thread(subprocess.run, command, capture_output=True, text=True, cwd=PROJECT_ROOT,
                                   timeout=timeout)


def last_json(result: subprocess.CompletedProcess) -> dict:
    return json.loads(result.stdout.strip().splitlines()[-1])
