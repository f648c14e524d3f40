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


def one_json(result: subprocess.CompletedProcess):
    """`--output json`: the whole stdout is one JSON document, what a script reads."""
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def last_json(result: subprocess.CompletedProcess):
    """The benchmarks' and the chaos run's table for people ends with their figures as one JSON object."""
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def table_text(result: subprocess.CompletedProcess) -> str:
    """`--output table` (the default): something for people, which is not JSON at all."""
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()
    try:
        json.loads(result.stdout)
    except json.JSONDecodeError:
        return " ".join(result.stdout.split())
    raise AssertionError(f"a table was asked for, JSON came: {result.stdout[:200]}")
