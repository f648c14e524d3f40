"""The Docker engine and the images the container test stack runs (deploy/images/<name>/Dockerfile).

Only loopback is ever dialled: the engine is started without a bridge (`dockerd --bridge=none
--iptables=false`), images are built with the host's network and containers run with it, each server
told to listen on 127.0.0.1 and a free port (docs/operations.md, "Tests on containers").

    python -m tests.support.engine        # start the engine if needed, build (or reuse) the images
"""
from __future__ import annotations

import fcntl
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import docker
from docker.errors import DockerException, ImageNotFound

from shared.settings import PROJECT_ROOT

IMAGES = PROJECT_ROOT / "deploy" / "images"
# Built here by debootstrap from Debian's packages, since no image registry is reachable on this kind of
# machine; COOPREG_TEST_BASE_IMAGE=debian:bookworm-slim builds on the official image instead.
LOCAL_BASE = "coopreg/debian-base:bookworm"
DOCKERD_LOG = Path("/var/log/coopreg-dockerd.log")
LOCK = Path(tempfile.gettempdir()) / "coopreg-engine.lock"
# Every image and container the tests make carries this label, so leftovers can be found (tests/support/containers.py).
LABEL = "org.coopreg.test"


class EngineUnavailable(RuntimeError):
    """No Docker engine here, and none could be started."""


def base_image() -> str:
    return os.environ.get("COOPREG_TEST_BASE_IMAGE", LOCAL_BASE)


def client() -> docker.DockerClient:
    return docker.from_env(timeout=300)


def engine_answers() -> bool:
    try:
        probe = docker.from_env(timeout=5)
    except DockerException:
        return False
    try:
        return bool(probe.ping())
    except DockerException:
        return False
    finally:
        probe.close()


def ensure_engine(say=print) -> None:
    """The engine answering, started here when it is not (it is left running for the next session)."""
    if engine_answers():
        return
    # Two sessions starting at once must not start two daemons on one socket.
    with open(LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if engine_answers():
            return
        if shutil.which("dockerd") is None:
            raise EngineUnavailable("no Docker engine: apt-get install docker.io (deploy/bootstrap.sh installs it "
                                    "when COOPREG_TEST_STACK=containers), or set COOPREG_TEST_STACK=processes")
        if os.geteuid() != 0:
            raise EngineUnavailable("the Docker engine is not running and only root may start it: start dockerd, "
                                    "or set COOPREG_TEST_STACK=processes")
        say(f"starting the Docker engine (dockerd --bridge=none --iptables=false, log {DOCKERD_LOG})")
        with open(DOCKERD_LOG, "ab") as log:
            subprocess.Popen(["dockerd", "--bridge=none", "--iptables=false"], stdout=log, stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 60
        while not engine_answers():
            if time.monotonic() > deadline:
                raise EngineUnavailable(f"dockerd did not answer within 60 s: see {DOCKERD_LOG}")
            time.sleep(0.5)


def _image_exists(engine: docker.DockerClient, tag: str, labels: dict[str, str] | None = None) -> bool:
    try:
        image = engine.images.get(tag)
    except ImageNotFound:
        return False
    return (labels or {}).items() <= (image.labels or {}).items()


# Bumped when the base image's recipe changes: an older local base is made again.
BASE_RECIPE = {f"{LABEL}.base": "debootstrap-2"}
# This machine's trust: where HTTPS leaves through a proxy of its own, its CA is among these, and pip in an
# image build (PyPI) must trust it as the machine does. Certificates are public; the image stays local.
HOST_CA_FOLDER = Path("/usr/local/share/ca-certificates")
HOST_CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")


def debian_mirror() -> str:
    """The Debian mirror apt already uses on this machine (never written into the repository)."""
    sources = Path("/etc/apt/sources.list.d/debian.sources")
    if sources.exists():
        for stanza in sources.read_text().split("\n\n"):
            uri = re.search(r"^URIs:\s*(\S+)", stanza, re.M)
            if uri and re.search(r"^Suites:.*\bbookworm\b(?!-)", stanza, re.M):
                return uri[1]
    listing = Path("/etc/apt/sources.list")
    if listing.exists():
        for line in listing.read_text().splitlines():
            if match := re.match(r"^deb\s+(?:\[[^]]*\]\s+)?(\S+)\s+bookworm\s", line):
                return match[1]
    raise EngineUnavailable("no Debian bookworm mirror in apt's sources: set COOPREG_TEST_BASE_IMAGE to an image "
                            "such as debian:bookworm-slim")


def _trust_as_this_machine(rootfs: Path) -> None:
    """The machine's own CA certificates into the root: kept by update-ca-certificates when an image installs
    Debian's ca-certificates, and the bundle as is for images that do not."""
    folder = rootfs / HOST_CA_FOLDER.relative_to("/")
    folder.mkdir(parents=True, exist_ok=True)
    for cert in HOST_CA_FOLDER.glob("*.crt") if HOST_CA_FOLDER.exists() else ():
        shutil.copy2(cert, folder / cert.name)
    if HOST_CA_BUNDLE.exists():
        (rootfs / HOST_CA_BUNDLE.parent.relative_to("/")).mkdir(parents=True, exist_ok=True)
        shutil.copy2(HOST_CA_BUNDLE, rootfs / HOST_CA_BUNDLE.relative_to("/"))


def ensure_base_image(engine: docker.DockerClient, say=print) -> str:
    """The base image the project's images build FROM: here made from Debian's packages by debootstrap."""
    base = base_image()
    if base != LOCAL_BASE or _image_exists(engine, base, BASE_RECIPE):
        return base
    if shutil.which("debootstrap") is None:
        raise EngineUnavailable("debootstrap is needed to make the base image: apt-get install debootstrap")
    with open(LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _image_exists(engine, base, BASE_RECIPE):
            return base
        rootfs = Path(tempfile.mkdtemp(prefix="coopreg-rootfs-", dir="/var/tmp"))
        try:
            say(f"making the base image {base} with debootstrap (once, about a minute)")
            subprocess.run(["debootstrap", "--variant=minbase", "bookworm", str(rootfs), debian_mirror()],
                           check=True, stdout=subprocess.DEVNULL)
            _trust_as_this_machine(rootfs)
            tar = subprocess.Popen(["tar", "-C", str(rootfs), "-c", "."], stdout=subprocess.PIPE)
            engine.api.import_image_from_stream(tar.stdout, repository=base.split(":")[0], tag=base.split(":")[1],
                                                changes=[*(f"LABEL {k}={v}" for k, v in BASE_RECIPE.items()),
                                                         f"ENV PIP_CERT={HOST_CA_BUNDLE}", 'CMD ["bash"]'])
            if tar.wait() != 0:
                raise EngineUnavailable("tar of the debootstrap root failed")
        finally:
            shutil.rmtree(rootfs, ignore_errors=True)
    return base


def build_image(engine: docker.DockerClient, name: str, tag: str, context: Path | None = None, say=print) -> str:
    """deploy/images/<name>/Dockerfile built (the engine's layer cache reuses what has not changed)."""
    base = ensure_base_image(engine, say)
    started = time.monotonic()
    try:
        image, _ = engine.images.build(path=str(context or IMAGES / name), tag=tag, buildargs={"BASE": base},
                                       network_mode="host", rm=True, forcerm=True, labels={LABEL: "true"})
    except docker.errors.BuildError as error:
        tail = "".join(line.get("stream", "") or line.get("error", "") for line in error.build_log)[-3000:]
        raise EngineUnavailable(f"building {tag} failed: {error.msg}\n{tail}") from None
    say(f"image {tag} ready ({time.monotonic() - started:.1f} s)")
    return image.id


def kafka_context(jars: Path) -> Path:
    """The Kafka image's build context: its folder and, in libs/, the broker jars the local stack fetched
    from Maven Central (deploy/kafka/pom.xml), hard-linked (or copied) into a temporary folder."""
    context = Path(tempfile.mkdtemp(prefix="coopreg-kafka-image-"))
    for item in (IMAGES / "kafka").iterdir():
        shutil.copy2(item, context / item.name)
    (context / "libs").mkdir()
    for jar in sorted(jars.glob("*.jar")):
        try:
            os.link(jar, context / "libs" / jar.name)
        except OSError:
            shutil.copy2(jar, context / "libs" / jar.name)
    return context


POSTGRES_IMAGE = "coopreg/postgres:15"
KAFKA_IMAGE = "coopreg/kafka:4.1.1"


def build_stack_images(say=print) -> dict[str, str]:
    """The engine up and the PostgreSQL and Kafka images built or reused: {name: tag}."""
    from coopreg.stack.kafka import KafkaBroker
    from shared.settings import Settings

    ensure_engine(say)
    engine = client()
    broker = KafkaBroker(Settings())
    broker.ensure_jars(say)
    build_image(engine, "postgres", POSTGRES_IMAGE, say=say)
    context = kafka_context(broker.lib)
    try:
        build_image(engine, "kafka", KAFKA_IMAGE, context=context, say=say)
    finally:
        shutil.rmtree(context, ignore_errors=True)
    return {"postgres": POSTGRES_IMAGE, "kafka": KAFKA_IMAGE}


if __name__ == "__main__":
    build_stack_images()
