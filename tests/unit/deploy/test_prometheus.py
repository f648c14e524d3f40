"""Prometheus and Grafana files agree with the code: the alert rules pass `promtool check rules` and their
unit tests (`promtool test rules`), the scrape config passes `promtool check config`, and every metric the
rules and the dashboard query is one that shared/observability.py renders, each with # HELP and # TYPE."""
from __future__ import annotations

import asyncio
import json
import re
import shutil
import subprocess
from types import SimpleNamespace

import pytest
import yaml

from services.bonus.application.close_schedule import UNPAID_PAST_DEADLINE
from shared.latency import RelayTimings
from shared.observability import Gauge, Observability, RequestMetrics
from shared.settings import PROJECT_ROOT

pytestmark = pytest.mark.unit

PROMETHEUS = PROJECT_ROOT / "deploy" / "prometheus"
DASHBOARD = PROJECT_ROOT / "deploy" / "grafana" / "coopreg-dashboard.json"
PROMQL_WORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "bool",
                "offset", "inf", "nan"}
SCRAPE_METRICS = {"up"}  # Prometheus's own, per target


def _promtool(*args: str) -> subprocess.CompletedProcess:
    promtool = shutil.which("promtool")
    assert promtool, "promtool is missing: run `make setup` (deploy/bootstrap.sh installs Debian's prometheus)"
    return subprocess.run([promtool, *args], capture_output=True, text=True, timeout=60, cwd=PROMETHEUS)


def _rendered() -> str:
    """What a service's /metrics and the register API's render, with one series of each kind."""
    async def backlog() -> int:
        return 3

    async def lag() -> dict:
        return {("purchases", "pos.purchases.v1", 0): 5}

    async def bonus_gauges() -> list[Gauge]:
        return [Gauge(UNPAID_PAST_DEADLINE, 0, "the bonus service's own gauge", {"month": "2026-03"})]

    ctx = SimpleNamespace(name="purchases", deliveries=[], dead_letters=SimpleNamespace(sent=1),
                          gauges=[bonus_gauges], pool=None, producer=None)
    relay = SimpleNamespace(timings=RelayTimings(), backlog=backlog)
    services = asyncio.run(Observability(ctx, relay, lag).metrics())
    api = RequestMetrics("register-api")
    api.observe("GET", "/persons/{person_id}", 200, 0.01)
    return services + "\n".join(api.lines()) + "\n"


def _exported() -> dict[str, str]:
    """Every queryable name -> its family's type (a histogram's _bucket, _sum and _count included)."""
    body = _rendered()
    typed = dict(re.findall(r"^# TYPE (\S+) (\S+)$", body, re.M))
    helped = set(re.findall(r"^# HELP (\S+) \S", body, re.M))
    assert set(typed) == helped, "every family has # HELP and # TYPE"
    names = dict(typed)
    for name, kind in typed.items():
        if kind == "histogram":
            names |= {f"{name}_{suffix}": kind for suffix in ("bucket", "sum", "count")}
    return names | {name: "gauge" for name in SCRAPE_METRICS}


def metric_names(expr: str) -> set[str]:
    """The metric names a PromQL expression reads: identifiers that are not functions, keywords, label
    names (in {...} or by/without (...)), ranges or strings."""
    text = re.sub(r'"[^"]*"', "", expr)
    text = re.sub(r"\{[^}]*\}", "", text)
    text = re.sub(r"\[[^\]]*\]", "", text)
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", text)
    return {name for name, call in re.findall(r"\b([a-zA-Z_:][a-zA-Z0-9_:]*)\b(\s*\()?", text)
            if not call and name.lower() not in PROMQL_WORDS}


def _rule_exprs() -> list[str]:
    rules = yaml.safe_load((PROMETHEUS / "rules.yml").read_text())
    return [rule["expr"] for group in rules["groups"] for rule in group["rules"]]


def _dashboard_exprs() -> list[str]:
    dashboard = json.loads(DASHBOARD.read_text())
    return [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]


def test_the_alert_rules_pass_promtool_check():
    checked = _promtool("check", "rules", "rules.yml")
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_alert_rules_pass_their_unit_tests():
    tested = _promtool("test", "rules", "tests/rules_test.yml")
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "SUCCESS" in tested.stdout


def test_promtool_refuses_a_broken_rule(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text("groups:\n  - name: x\n    rules:\n      - alert: X\n        expr: sum by (service (up)\n")
    assert _promtool("check", "rules", str(broken)).returncode != 0


def test_the_scrape_config_passes_promtool_check():
    checked = _promtool("check", "config", "prometheus.yml")
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_metric_name_reader_finds_names_and_skips_functions_and_labels():
    assert metric_names('histogram_quantile(0.95, sum by (le, route) (rate(a_bucket{x="y"}[5m])))') == {"a_bucket"}
    assert metric_names("process_open_fds / process_max_fds") == {"process_open_fds", "process_max_fds"}


@pytest.mark.parametrize("source", ["rules", "dashboard"])
def test_every_queried_metric_is_exported(source):
    exprs = _rule_exprs() if source == "rules" else _dashboard_exprs()
    exported = _exported()
    queried = set().union(*map(metric_names, exprs))
    assert queried and queried <= set(exported), sorted(queried - set(exported))


def test_the_dashboard_shows_the_alerts_subjects_and_the_api():
    queried = set().union(*map(metric_names, _dashboard_exprs()))
    assert {"coopreg_consumer_lag", "coopreg_dead_letters_total", "coopreg_outbox_backlog", UNPAID_PAST_DEADLINE,
            "coopreg_ready", "coopreg_http_requests_total", "process_resident_memory_bytes"} <= queried


def test_lag_is_per_partition_and_process_metrics_are_there():
    body = _rendered()
    assert 'coopreg_consumer_lag{service="purchases",consumer="purchases",topic="pos.purchases.v1",partition="0"} 5' \
        in body
    for name in ("process_cpu_seconds_total", "process_resident_memory_bytes", "process_open_fds",
                 "process_start_time_seconds"):
        assert re.search(rf'^{name}{{service="purchases"}} [0-9.]+$', body, re.M), name
    assert 'coopreg_ready{service="purchases"} 0' in body  # no database here: not ready
