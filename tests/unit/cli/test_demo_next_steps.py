"""The demo ends by saying how to open the My data page and where each service's metrics are."""
from __future__ import annotations

from rich.console import Console

from coopreg.demo import next_steps
from coopreg.services_ctl import metrics_port
from services.registry import SERVICES
from shared.settings import Settings


def test_the_demo_says_how_to_open_my_data_and_where_the_metrics_are():
    console = Console(record=True, width=200)
    next_steps(console, Settings())
    text = console.export_text()
    assert "coopreg api serve" in text and "coopreg api my-data" in text and "/my-data#token=" in text
    for name in SERVICES:
        assert f"{name}" in text and f"http://127.0.0.1:{metrics_port(name)}/metrics" in text
    assert len({metrics_port(name) for name in SERVICES}) == len(SERVICES)
