"""deploy/docker-compose.yml brought up for a test with Debian's docker-compose, on loopback only.

An override (`override_file`) gives every service the host's network (compose's own networks would be
bridges on private addresses), each server 127.0.0.1 and a free port, the project's images where the
compose file names official ones no registry here serves, and a build on the local base image. It is
merged into the compose file here rather than by docker-compose, because a merge there keeps the published
`ports`, which docker-compose 1.29 refuses beside the host's network (nothing is published on it anyway);
the result is written into the test's temporary folder, never the repository. Secrets are generated for the
run and handed to docker-compose in its environment only: production mode (the image's COOPREG_ENV) refuses
development keys.
"""
from __future__ import annotations

import json
import os
import secrets
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from coopreg.service_endpoints import free_port
from services.registry import SERVICES
from shared.settings import PROJECT_ROOT
from tests.support import engine
from tests.support.containers import OWNER, _this_process

COMPOSE_FILE = PROJECT_ROOT / "deploy" / "docker-compose.yml"
APP_IMAGE = "coopreg/coopreg:compose-test"
EVENT_SERVICES = tuple(SERVICES)  # cards, purchases, bonus, membership, consent
SCHEMAS = (*SERVICES, "register_api")


def _merged(base, override):
    """Mappings merged key by key (the override's values win), anything else replaced, as compose merges."""
    if isinstance(base, dict) and isinstance(override, dict):
        return {key: _merged(base[key], value) if key in base else value for key, value in override.items()} | \
            {key: value for key, value in base.items() if key not in override}
    return override


def loopback(override: dict) -> dict:
    """deploy/docker-compose.yml with `override` merged in; on the host's network a service publishes no
    ports and has no host name of its own."""
    merged = _merged(yaml.safe_load(COMPOSE_FILE.read_text()), override)
    for service in merged["services"].values():
        if service.get("network_mode") == "host":
            service.pop("ports", None)
            service.pop("hostname", None)
    return merged


@dataclass
class ComposeRun:
    """One compose project: its ports, its secrets and the docker-compose command for it."""

    workdir: Path
    project: str = field(default_factory=lambda: f"coopreg-test-{os.getpid()}-{secrets.token_hex(3)}")
    pg_port: int = field(default_factory=free_port)
    kafka_port: int = field(default_factory=free_port)
    controller_port: int = field(default_factory=free_port)
    api_port: int = field(default_factory=free_port)
    service_ports: dict[str, int] = field(default_factory=lambda: {name: free_port() for name in EVENT_SERVICES})
    secrets: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Real secrets, 43 characters each: the services refuse the development keys in production mode.
        names = ["COOPREG_SECRET_INDEX_KEY", "COOPREG_SECRET_ENCRYPTION_KEY", "COOPREG_SECRET_SERVICE_TOKEN_KEY",
                 "COOPREG_API_TOKEN_KEY", "COOPREG_PG_SUPERUSER_PASSWORD", "COOPREG_PG_PASSWORD",
                 *(f"COOPREG_PG_PASSWORDS__{schema.upper()}" for schema in SCHEMAS)]
        self.secrets = {name: secrets.token_urlsafe(32) for name in names}
        self.file = self.workdir / "docker-compose.loopback.yml"
        self.file.write_text(json.dumps(loopback(self.override_file()), indent=2))  # YAML reads JSON

    def override_file(self) -> dict:
        labels = {engine.LABEL: "true", OWNER: _this_process()}
        build = {"context": "..", "dockerfile": "deploy/Dockerfile", "network": "host",
                 "args": {"BASE": engine.ensure_base_image(engine.client())}}
        urls = {name: f"http://127.0.0.1:{port}" for name, port in self.service_ports.items()}
        common = {"COOPREG_KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{self.kafka_port}",
                  "COOPREG_PG_HOST": "127.0.0.1", "COOPREG_PG_PORT": str(self.pg_port),
                  "COOPREG_HTTP_HOST": "127.0.0.1", "COOPREG_API_SERVICE_URLS": json.dumps(urls)}

        def ready(port: int) -> dict:
            probe = f"import urllib.request; urllib.request.urlopen('http://127.0.0.1:{port}/ready', timeout=4)"
            return {"test": ["CMD", "python", "-c", probe], "interval": "2s", "start_period": "60s"}

        k, c = self.kafka_port, self.controller_port
        services = {
            "kafka": {"image": engine.KAFKA_IMAGE, "network_mode": "host", "labels": labels,
                      "environment": {"KAFKA_LISTENERS": f"PLAINTEXT://127.0.0.1:{k},CONTROLLER://127.0.0.1:{c}",
                                      "KAFKA_ADVERTISED_LISTENERS": f"PLAINTEXT://127.0.0.1:{k}",
                                      "KAFKA_CONTROLLER_QUORUM_VOTERS": f"1@127.0.0.1:{c}",
                                      "KAFKA_HEAP_OPTS": "-Xms512m -Xmx512m"},
                      "healthcheck": {"test": ["CMD", "kafka-ready"], "interval": "2s"}},
            "postgres": {"image": engine.POSTGRES_IMAGE, "network_mode": "host", "labels": labels,
                         "command": ["postgres", "-p", str(self.pg_port), "-c", "listen_addresses=127.0.0.1"],
                         "healthcheck": {"test": ["CMD-SHELL", f"pg_isready -h 127.0.0.1 -p {self.pg_port} "
                                                               "-U postgres -d coopreg"], "interval": "2s"}},
            "provision": {"image": APP_IMAGE, "build": build, "network_mode": "host", "labels": labels,
                          "environment": {"COOPREG_PG_HOST": "127.0.0.1", "COOPREG_PG_PORT": str(self.pg_port)}},
        }
        for name, port in self.service_ports.items():
            services[name] = {"image": APP_IMAGE, "build": build, "network_mode": "host", "labels": labels,
                              "environment": {**common, "COOPREG_METRICS_PORT": str(port)}, "healthcheck": ready(port)}
        services["register-api"] = {"image": APP_IMAGE, "build": build, "network_mode": "host", "labels": labels,
                                    "environment": {**common, "COOPREG_API_HOST": "127.0.0.1",
                                                    "COOPREG_API_PORT": str(self.api_port)},
                                    "healthcheck": ready(self.api_port)}
        return {"services": services,
                "volumes": {name: {"labels": labels} for name in ("kafka-data", "pg-data")}}

    def compose(self, *args: str, timeout: float = 900, check: bool = True) -> subprocess.CompletedProcess:
        """docker-compose on the project, the secrets in its environment only (never in a file)."""
        env = {key: value for key, value in os.environ.items() if not key.startswith("COOPREG_")}
        env |= self.secrets | {"COMPOSE_PROJECT_NAME": self.project}
        # The compose file's folder stays the project's: its build context (..) is the repository.
        command = ["docker-compose", "--project-directory", str(COMPOSE_FILE.parent), "-f", str(self.file), *args]
        result = subprocess.run(command, env=env, cwd=COMPOSE_FILE.parent, capture_output=True, text=True,
                                timeout=timeout)
        if check and result.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed ({result.returncode}):\n{result.stdout[-3000:]}"
                               f"\n{result.stderr[-5000:]}")
        return result

    def logs(self) -> str:
        return self.compose("logs", "--no-color", "--tail", "40", check=False).stdout[-12000:]

    def down(self) -> None:
        self.compose("down", "--volumes", "--remove-orphans", "--timeout", "10", check=False)
