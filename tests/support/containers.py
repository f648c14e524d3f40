"""The test session's Kafka and PostgreSQL as containers (testcontainers), from the project's own images.

Both run with the host's network, listening on 127.0.0.1 and free ports this session picks, so nothing but
loopback is dialled and sessions side by side never meet. PostgreSQL's superuser has no password and is
refused over TCP, as on the process stack: its Unix socket's folder is mounted from this session's stack
directory (COOPREG_STACK_DIR/postgres/run), where coopreg/provision.py finds it. Data live in tmpfs.

Cleanup without Ryuk (its image cannot be pulled here): every container is labelled with the session
that owns it (its pid and start time); the session removes its own at its end, and each session starting
removes the labelled leftovers of sessions no longer alive (killed, crashed).
"""
from __future__ import annotations

import base64
import os
import shutil
import socket
import tempfile
import time
import uuid
from pathlib import Path

import psutil

from coopreg.service_endpoints import free_port
from coopreg.stack.kafka import broker_properties
from coopreg.stack.postgres import SERVER_CONF
from tests.support import engine

OWNER = f"{engine.LABEL}.owner"
SESSION_DIR = f"{engine.LABEL}.dir"
PG_DATA = "/var/lib/postgresql/data"
KAFKA_DATA = "/var/lib/kafka/data"


def _this_process() -> str:
    return f"{os.getpid()}:{psutil.Process().create_time():.2f}"


def _alive(owner: str) -> bool:
    pid, _, started = owner.partition(":")
    try:
        return f"{psutil.Process(int(pid)).create_time():.2f}" == started
    except (ValueError, psutil.Error):
        return False


def sweep_leftovers(client, say=print) -> int:
    """Remove the containers (and their session folders) and volumes of test sessions that are gone; returns
    how many."""
    removed = 0
    for container in client.containers.list(all=True, filters={"label": engine.LABEL}):
        labels = container.labels
        if _alive(labels.get(OWNER, "")):
            continue
        container.remove(force=True, v=True)
        if labels.get(SESSION_DIR, "").startswith(tempfile.gettempdir()):
            shutil.rmtree(labels[SESSION_DIR], ignore_errors=True)
        removed += 1
    for volume in client.volumes.list(filters={"label": engine.LABEL}):  # the compose test's
        if not _alive((volume.attrs.get("Labels") or {}).get(OWNER, "")):
            volume.remove(force=True)
            removed += 1
    if removed:
        say(f"removed {removed} container(s) and volume(s) left by test sessions that ended without cleaning up")
    return removed


def _server_conf() -> list[str]:
    """The process stack's server settings (coopreg/stack/postgres.py) as `-c` options."""
    options = []
    for line in SERVER_CONF.strip().splitlines():
        name, _, value = (part.strip() for part in line.partition("="))
        if name != "listen_addresses":
            options += ["-c", f"{name}={value.strip(chr(39))}"]
    return options


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


class ContainerStack:
    """PostgreSQL and Kafka in containers for one test session; `environ` points the settings at them."""

    def __init__(self, say=print) -> None:
        self.say = say
        self.dir = Path(tempfile.mkdtemp(prefix="coopreg-test-stack-"))
        self.pg_port = free_port()
        self.kafka_port, self.controller_port = free_port(), free_port()
        self.containers = []

    @property
    def environ(self) -> dict[str, str]:
        return {"COOPREG_KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{self.kafka_port}",
                "COOPREG_PG_HOST": "127.0.0.1", "COOPREG_PG_PORT": str(self.pg_port),
                "COOPREG_STACK_DIR": str(self.dir)}

    def _container(self, image: str):
        from testcontainers.core.config import testcontainers_config
        from testcontainers.core.container import DockerContainer

        testcontainers_config.ryuk_disabled = True  # cleanup: see the module's docstring
        # The host's network: each server listens on 127.0.0.1 and the port picked here.
        container = DockerContainer(image, network_mode="host", shm_size="256m",
                                    labels={engine.LABEL: "true", OWNER: _this_process(), SESSION_DIR: str(self.dir)})
        self.containers.append(container)
        return container

    def up(self) -> "ContainerStack":
        started = time.monotonic()
        images = engine.build_stack_images(self.say)
        sweep_leftovers(engine.client(), self.say)
        try:
            self._postgres(images["postgres"])
            self._kafka(images["kafka"])
            self._wait(lambda: _port_open(self.pg_port) and (self.dir / "postgres" / "run" /
                                                             f".s.PGSQL.{self.pg_port}").exists(), "PostgreSQL", 0)
            self._wait(lambda: _port_open(self.kafka_port) and b"Kafka Server started" in self._logs(1), "Kafka", 1)
        except BaseException:
            self.down()
            raise
        self.say(f"container stack up in {time.monotonic() - started:.1f} s: PostgreSQL on 127.0.0.1:{self.pg_port}, "
                 f"Kafka on 127.0.0.1:{self.kafka_port}")
        return self

    def _postgres(self, image: str) -> None:
        sockets = self.dir / "postgres" / "run"
        sockets.mkdir(parents=True)
        (self._container(image)
         .with_command(["postgres", "-p", str(self.pg_port), "-c", "listen_addresses=127.0.0.1", *_server_conf()])
         .with_volume_mapping(str(sockets), "/var/run/postgresql", "rw")
         .with_tmpfs_mount(PG_DATA)
         .start())

    def _kafka(self, image: str) -> None:
        from shared.settings import StackSettings

        config = broker_properties(self.kafka_port, self.controller_port, KAFKA_DATA)
        env = {"KAFKA_" + key.replace("-", "___").replace("_", "__").replace(".", "_").upper(): value
               for key, value in config.items()}
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        container = (self._container(image).with_envs(**env, CLUSTER_ID=cluster_id,
                                                      KAFKA_HEAP_OPTS=StackSettings().kafka_heap)
                     .with_tmpfs_mount(KAFKA_DATA, "uid=1000,gid=1000"))  # the image's kafka user
        container.start()

    def _logs(self, index: int) -> bytes:
        return self.containers[index].get_wrapped_container().logs()

    def _wait(self, ready, name: str, index: int, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        wrapped = self.containers[index].get_wrapped_container()
        while not ready():
            wrapped.reload()
            if wrapped.status == "exited" or time.monotonic() > deadline:
                tail = wrapped.logs()[-3000:].decode(errors="replace")
                raise RuntimeError(f"the {name} container did not get ready ({wrapped.status}):\n{tail}")
            time.sleep(0.2)

    def down(self) -> None:
        for container in reversed(self.containers):
            try:
                container.stop()
            except Exception as error:  # noqa: BLE001 - the next session's sweep removes what is left
                self.say(f"could not remove a test container ({error}); the next session removes it")
        self.containers.clear()
        shutil.rmtree(self.dir, ignore_errors=True)
