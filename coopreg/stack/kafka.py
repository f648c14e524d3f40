"""A single-node Apache Kafka broker (KRaft: broker and controller in one JVM) run as a plain process.

The jars come from Maven Central through `deploy/kafka/pom.xml` and are cached under the stack
directory, never in git.
"""
from __future__ import annotations

import base64
import shutil
import subprocess
import uuid
from pathlib import Path

from coopreg.stack.process import ManagedProcess, port_open
from shared.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
POM = ROOT / "deploy" / "kafka" / "pom.xml"
DEPENDENCY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies"

LOG4J2 = """status = warn
appender.err.type = Console
appender.err.name = STDERR
appender.err.target = SYSTEM_ERR
appender.err.layout.type = PatternLayout
appender.err.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = warn
rootLogger.appenderRef.err.ref = STDERR
logger.raft.name = kafka.server.KafkaRaftServer
logger.raft.level = info
"""


def broker_properties(port: int, controller_port: int, log_dirs: str,
                      proxied: tuple[int, int] | None = None) -> dict[str, str]:
    """A single node's configuration, on 127.0.0.1 only: the process stack's and the test containers'.

    `proxied` (listen port, advertised port): a second listener whose clients reach it through a fault proxy
    (`coopreg chaos`); it advertises the proxy's port, so they keep talking to the broker through the proxy
    after the bootstrap, while the clients of the first listener reach the broker directly."""
    listeners = f"PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller_port}"
    advertised = f"PLAINTEXT://127.0.0.1:{port}"
    protocols = "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT"
    if proxied is not None:
        listeners += f",PROXIED://127.0.0.1:{proxied[0]}"
        advertised += f",PROXIED://127.0.0.1:{proxied[1]}"
        protocols += ",PROXIED:PLAINTEXT"
    return {
        "process.roles": "broker,controller",
        "node.id": "1",
        "controller.quorum.voters": f"1@127.0.0.1:{controller_port}",
        "listeners": listeners,
        "advertised.listeners": advertised,
        "inter.broker.listener.name": "PLAINTEXT",
        "controller.listener.names": "CONTROLLER",
        "listener.security.protocol.map": protocols,
        "log.dirs": log_dirs,
        "num.partitions": "1",
        "auto.create.topics.enable": "false",
        "offsets.topic.replication.factor": "1",
        "offsets.topic.num.partitions": "4",
        "transaction.state.log.replication.factor": "1",
        "transaction.state.log.min.isr": "1",
        "transaction.state.log.num.partitions": "1",
        "share.coordinator.state.topic.replication.factor": "1",
        "share.coordinator.state.topic.min.isr": "1",
        "group.initial.rebalance.delay.ms": "0",
        "log.cleaner.min.compaction.lag.ms": "0",
    }


class KafkaBroker:
    def __init__(self, settings: Settings) -> None:
        self.port = settings.kafka.first_port
        self.controller_port = self.port + 1
        self.heap = settings.stack.kafka_heap.split()
        self.home = settings.stack.dir / "kafka"
        self.lib = self.home / "lib"
        self.data = self.home / "data"
        self.process = ManagedProcess("kafka", self.home / "kafka.pid", self.home / "kafka.log")
        self.proxied: tuple[int, int] | None = None  # a listener reached through a fault proxy (coopreg chaos)

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def ensure_jars(self, say) -> None:
        if self.lib.exists() and any(self.lib.glob("kafka_2.13-*.jar")):
            return
        if shutil.which("mvn") is None:
            raise RuntimeError("Maven (mvn) is needed to fetch the Kafka jars: apt-get install maven")
        say("fetching the Apache Kafka broker jars from Maven Central (once, about 50 MB)")
        self.lib.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["mvn", "-q", "-B", "-f", str(POM), DEPENDENCY_PLUGIN,
             "-DincludeScope=runtime", f"-DoutputDirectory={self.lib}"],
            check=True,
        )

    def _write_config(self) -> Path:
        props = self.home / "server.properties"
        config = broker_properties(self.port, self.controller_port, str(self.data), self.proxied)
        props.write_text("".join(f"{key}={value}\n" for key, value in config.items()))
        (self.home / "log4j2.properties").write_text(LOG4J2)
        return props

    def _java(self, *args: str) -> list[str]:
        return ["java", "-cp", f"{self.lib}/*", *args]

    def _format(self, props: Path) -> None:
        if (self.data / "meta.properties").exists():
            return
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=").replace("-", "a")
        self.data.mkdir(parents=True, exist_ok=True)
        subprocess.run(self._java("kafka.tools.StorageTool", "format", "-t", cluster_id, "-c", str(props)),
                       check=True, stdout=subprocess.DEVNULL)

    def start(self, say) -> None:
        if self.process.running():
            say(f"kafka already running on {self.bootstrap} (pid {self.process.pid()})")
            return
        if port_open(self.port):
            raise RuntimeError(f"port {self.port} is taken by another process: point "
                               "COOPREG_KAFKA_BOOTSTRAP_SERVERS at a free port (127.0.0.1:PORT)")
        self.ensure_jars(say)
        props = self._write_config()
        self._format(props)
        cmd = ["java", "-server", *self.heap, "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20",
               "-Djava.awt.headless=true", f"-Dlog4j2.configurationFile={self.home / 'log4j2.properties'}",
               "-cp", f"{self.lib}/*", "kafka.Kafka", str(props)]
        say(f"starting Apache Kafka (KRaft, single node) on {self.bootstrap}")
        self.process.spawn(cmd)
        self.process.wait_for_log("Kafka Server started", 90, f"Kafka did not start; see {self.process.log}")

    def stop(self, say, hard: bool = False) -> None:
        if self.process.running():
            say("stopping kafka" + (" (SIGKILL)" if hard else ""))
        self.process.stop(timeout=30, hard=hard)

    def status(self) -> tuple[bool, str]:
        """Whether the broker runs, and where it listens."""
        return self.process.running(), self.bootstrap


TOOLS_POM = ROOT / "deploy" / "kafka" / "tools-pom.xml"
CONSOLE_TOOLS = {"kafka-console-producer.sh": "org.apache.kafka.tools.ConsoleProducer",
                 "kafka-console-consumer.sh": "org.apache.kafka.tools.consumer.ConsoleConsumer"}


def ensure_console_tools(home: Path) -> Path:
    """The Kafka distribution's console producer and consumer (`kafka-console-producer.sh`,
    `kafka-console-consumer.sh`) under `home` (COOPREG_KAFKA_TOOLS_DIR, or the stack's `kafka-tools`): the
    broker's jars lack them, so the kafka-tools jars are fetched from Maven Central once (about 40 MB).
    Returns the directory of the two launchers."""
    import os

    home = Path(os.environ.get("COOPREG_KAFKA_TOOLS_DIR") or home / "kafka-tools")
    lib, bin_dir = home / "lib", home / "bin"
    if not any(lib.glob("kafka-tools-*.jar")):
        if shutil.which("mvn") is None:
            raise RuntimeError("Maven (mvn) is needed to fetch the Kafka console tools: apt-get install maven")
        lib.mkdir(parents=True, exist_ok=True)
        subprocess.run(["mvn", "-q", "-B", "-f", str(TOOLS_POM), DEPENDENCY_PLUGIN, "-DincludeScope=runtime",
                        f"-DoutputDirectory={lib}"], check=True)
    bin_dir.mkdir(parents=True, exist_ok=True)
    for script, main_class in CONSOLE_TOOLS.items():
        launcher = bin_dir / script
        launcher.write_text(f'#!/bin/sh\nexec java -cp "{lib}/*" {main_class} "$@"\n')
        launcher.chmod(0o755)
    return bin_dir
