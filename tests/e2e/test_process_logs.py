"""A service process writes JSON lines, every line of its stderr, unless a console format is asked for:
one process never mixes the two, so a log shipper parses everything it collects."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time

from coopreg.service_endpoints import free_port
from shared.settings import PROJECT_ROOT


def _run_cards(env: dict[str, str]) -> list[str]:
    """The cards service started, let run until it serves, stopped with SIGTERM: its stderr lines."""
    process = subprocess.Popen([sys.executable, "-m", "services.cards.entrypoints.service"], cwd=PROJECT_ROOT,
                               env={**os.environ, "COOPREG_METRICS_PORT": str(free_port()),
                                    "COOPREG_INSTANCE": "log-format-check", **env},
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: list[str] = []
    deadline = time.monotonic() + 120
    try:
        for line in process.stderr:  # type: ignore[union-attr]
            lines.append(line.rstrip("\n"))
            if "service started" in line or time.monotonic() > deadline:
                break
    finally:
        process.terminate()
        _, rest = process.communicate(timeout=60)
        lines += rest.splitlines()
    assert any("service started" in line for line in lines), "\n".join(lines)
    return [line for line in lines if line.strip()]


def test_a_service_logs_json_lines_only_by_default(settings):
    lines = _run_cards({})
    records = [json.loads(line) for line in lines]  # every line, or this fails on the first that is not
    assert {"service started", "service endpoint listening", "service stopped"} <= {r["event"] for r in records}
    assert all(r["timestamp"].endswith("Z") and r["level"] for r in records)


def test_a_service_logs_console_text_only_when_asked(settings):
    lines = _run_cards({"COOPREG_LOG_FORMAT": "console"})
    assert not [line for line in lines if line.startswith("{")], lines
    assert any("service stopped" in line for line in lines)
