"""The deployment files (deploy/Dockerfile, deploy/docker-compose.yml, deploy/k8s) agree with the code.

No container engine or cluster runs here: these tests read the files, so a renamed setting, a new
service or a missing probe shows up as a failing unit test rather than at deploy time.
"""
from __future__ import annotations

import importlib
import os
import re
from pathlib import Path

import pytest
import yaml
from pydantic import SecretStr
from pydantic_settings import BaseSettings

from services.registry import SERVICES
from shared.settings import PostgresSettings, Settings

pytestmark = pytest.mark.unit

PROJECT_ROOT = Path(__file__).resolve().parents[3]
DEPLOY = PROJECT_ROOT / "deploy"
DOCKERFILE = DEPLOY / "Dockerfile"
COMPOSE = DEPLOY / "docker-compose.yml"
K8S = DEPLOY / "k8s"
NAMESPACE = "coopreg"
SCHEMAS = (*SERVICES, "register_api")  # a PostgreSQL role each (coopreg/provision.py)
PROVISION_MODULE = "coopreg.provision"
REPLICAS = {"purchases": 3, "bonus": 3, "cards": 2, "membership": 2, "consent": 2, "digital": 2, "register_api": 2}
# The register API: an HTTP service run from the same image, not one of the registered event services.
API, API_MODULE = "register_api", "services.register_api.entrypoints.service"

# A COOPREG_ name as written anywhere (keys, ${...} interpolations, comments); `COOPREG_KAFKA_*` style
# prefixes in prose are not names and are skipped.
NAME = re.compile(r"\bCOOPREG_[A-Z0-9_]*[A-Z0-9](?![A-Za-z0-9_*])")
INTERPOLATION = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")


# -- what the code reads -----------------------------------------------------------------------------


def _env_names(settings_class: type[BaseSettings]) -> dict[str, object]:
    """Every environment variable `settings_class` reads, with the field that reads it."""
    prefix = settings_class.model_config.get("env_prefix", "")
    names: dict[str, object] = {}
    for field_name, field in settings_class.model_fields.items():
        assert field.validation_alias is None and field.alias is None, "aliases change env names: extend this test"
        kind = field.annotation
        if isinstance(kind, type) and issubclass(kind, BaseSettings):
            names |= _env_names(kind)  # a nested settings object reads its own prefix, not COOPREG_KAFKA etc.
        else:
            names[(prefix + field_name).upper()] = field
    return names


def _types(annotation) -> set:
    """The types an annotation admits: `SecretStr | None` -> {SecretStr, NoneType}."""
    args = getattr(annotation, "__args__", None)
    return {annotation} if not args else {t for arg in args for t in _types(arg)}


SETTINGS = _env_names(Settings)
SECRET_SETTINGS = {name for name, field in SETTINGS.items() if SecretStr in _types(field.annotation)}
# A dict setting reads one variable per key too: COOPREG_PG_PASSWORDS__CARDS is passwords["cards"].
DICT_SETTINGS = {name for name, field in SETTINGS.items() if getattr(field.annotation, "__origin__", None) is dict}


def _setting(name: str) -> str | None:
    """The setting an environment variable sets (itself, or the dict setting whose key it names)."""
    if name in SETTINGS:
        return name
    return next((d for d in DICT_SETTINGS if name.startswith(d + "__") and len(name) > len(d) + 2), None)


def _unknown(names: set[str]) -> list[str]:
    return sorted(name for name in names if _setting(name) is None)


def _role_password_variable(schema: str) -> str:
    return f"COOPREG_PG_PASSWORDS__{schema.upper()}"


# -- the files ---------------------------------------------------------------------------------------


def _k8s_documents() -> list[dict]:
    return [doc for path in sorted(K8S.glob("*.yaml")) for doc in yaml.safe_load_all(path.read_text()) if doc]


def _k8s(kind: str) -> list[dict]:
    return [doc for doc in _k8s_documents() if doc.get("kind") == kind]


def _compose() -> dict:
    (document,) = [doc for doc in yaml.safe_load_all(COMPOSE.read_text()) if doc]
    return document


def _coopreg_compose_services() -> dict[str, dict]:
    """The compose services built from deploy/Dockerfile (not Kafka or PostgreSQL, nor the one-shot
    provisioning)."""
    return {name: svc for name, svc in _compose()["services"].items()
            if "build" in svc and PROVISION_MODULE not in svc["command"]}


def _compose_provision() -> dict:
    (svc,) = [svc for svc in _compose()["services"].values() if PROVISION_MODULE in svc.get("command", [])]
    return svc


def _secret(name: str) -> dict:
    (secret,) = [s for s in _k8s("Secret") if s["metadata"]["name"] == name]
    return secret


def _service_secret() -> dict:
    """The Secret every service reads (the keys); PostgreSQL passwords are in one Secret per service."""
    return _secret("coopreg-secrets")


def _env_from(container: dict) -> dict[str, str]:
    """What a container's envFrom ConfigMap and Secrets set."""
    values: dict[str, str] = {}
    for source in container["envFrom"]:
        if "configMapRef" in source:
            (config,) = [c for c in _k8s("ConfigMap") if c["metadata"]["name"] == source["configMapRef"]["name"]]
            values |= config["data"]
        else:
            values |= _secret(source["secretRef"]["name"])["stringData"]
    return values


def _module_run_by(command: list[str]) -> str:
    (module,) = [arg for arg in command if arg.startswith("services.")]
    return module


def _container(deployment: dict) -> dict:
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    return container


def _deployments_by_service() -> dict[str, dict]:
    return {_service_run_by([*_container(d).get("command", []), *_container(d).get("args", [])]): d
            for d in _k8s("Deployment")}


def _service_run_by(command: list[str]) -> str:
    """The registered name of the service that `python -m <module>` runs (or the register API's)."""
    module = _module_run_by(command)
    return API if module == API_MODULE else importlib.import_module(module).SERVICE.name


def _event_compose_services() -> dict[str, dict]:
    return {name: svc for name, svc in _coopreg_compose_services().items() if _service_run_by(svc["command"]) != API}


def _event_deployments() -> dict[str, dict]:
    return {service: d for service, d in _deployments_by_service().items() if service != API}


def _interpolate(value: str) -> str:
    """Compose's ${VAR:-default} / ${VAR:?error}, resolved as on a machine where VAR is unset."""
    def resolve(match: re.Match) -> str:
        if match["op"] in (":-", "-"):
            return match["arg"]
        return f"<{match['name']} from the environment>"
    return INTERPOLATION.sub(resolve, str(value))


def _settings_from(environment: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Settings:
    for name in list(os.environ):
        if name.startswith("COOPREG_"):
            monkeypatch.delenv(name)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return Settings()


def _manifest_files() -> list[Path]:
    return [DOCKERFILE, COMPOSE, *sorted(K8S.glob("*.yaml")), *sorted(K8S.glob("*.md"))]


# -- settings ----------------------------------------------------------------------------------------


def test_the_settings_walk_finds_the_env_names_of_nested_and_root_settings():
    assert {"COOPREG_KAFKA_BOOTSTRAP_SERVERS", "COOPREG_PG_PASSWORD", "COOPREG_SECRET_INDEX_KEY",
            "COOPREG_DELIVERY_MAX_ATTEMPTS", "COOPREG_STACK_DIR", "COOPREG_LOG_LEVEL",
            "COOPREG_INSTANCE"} <= set(SETTINGS)
    assert not {"COOPREG_KAFKA", "COOPREG_PG", "COOPREG_SECRETS"} & set(SETTINGS)
    assert {"COOPREG_PG_PASSWORD", "COOPREG_PG_PASSWORDS", "COOPREG_PG_SUPERUSER_PASSWORD",
            "COOPREG_SECRET_INDEX_KEY", "COOPREG_SECRET_ENCRYPTION_KEY", "COOPREG_KAFKA_SASL_PASSWORD",
            "COOPREG_API_TOKEN_KEY", "COOPREG_SECRET_SERVICE_TOKEN_KEY"} == SECRET_SETTINGS
    assert _setting("COOPREG_PG_PASSWORDS__CARDS") == "COOPREG_PG_PASSWORDS" and not _setting("COOPREG_PG_PASSWORDS__")
    assert _setting("COOPREG_PG_PASSWORD") == "COOPREG_PG_PASSWORD" and not _setting("COOPREG_PG_ROLES__CARDS")


def test_every_setting_named_in_the_manifests_is_read_by_the_code():
    named = {path.relative_to(PROJECT_ROOT).as_posix(): set(NAME.findall(path.read_text()))
             for path in _manifest_files()}
    assert named[COMPOSE.relative_to(PROJECT_ROOT).as_posix()], "the compose file names no COOPREG_ setting at all"
    unknown = {path: _unknown(names) for path, names in named.items() if _unknown(names)}
    assert not unknown, f"not read by shared/settings.py: {unknown}"


def test_every_setting_given_to_a_container_is_read_by_the_code():
    given = {f"compose {name}": set(svc["environment"])
             for name, svc in [*_coopreg_compose_services().items(), ("provision", _compose_provision())]}
    given |= {f"configmap {cm['metadata']['name']}": set(cm["data"]) for cm in _k8s("ConfigMap")}
    given |= {f"secret {s['metadata']['name']}": set(s.get("stringData", {})) | set(s.get("data", {}))
              for s in _k8s("Secret")}
    given |= {f"{d['kind']} {d['metadata']['name']}": {e["name"] for e in _container(d).get("env", [])}
              for d in [*_k8s("Deployment"), *_k8s("Job")]}
    unknown = {where: _unknown(names) for where, names in given.items() if _unknown(names)}
    assert not unknown, f"not read by shared/settings.py: {unknown}"


# -- every service, everywhere -----------------------------------------------------------------------


def test_every_registered_service_has_a_compose_service_running_it():
    running = {name: _service_run_by(svc["command"]) for name, svc in _coopreg_compose_services().items()}
    assert all(name.replace("-", "_") == service for name, service in running.items()), running
    assert set(running.values()) == set(SERVICES) | {API}


def test_every_registered_service_has_a_k8s_deployment_running_it():
    assert set(_deployments_by_service()) == set(SERVICES) | {API}
    assert len(_k8s("Deployment")) == len(SERVICES) + 1, "two Deployments run the same service"


def test_each_service_scales_to_its_planned_replicas_within_the_topic_partitions():
    replicas = {service: d["spec"]["replicas"] for service, d in _deployments_by_service().items()}
    assert replicas == REPLICAS
    (config,) = _k8s("ConfigMap")
    assert int(config["data"]["COOPREG_KAFKA_PARTITIONS"]) >= max(replicas.values()), \
        "a consumer beyond the partition count of its topics sits idle"


# -- the image ---------------------------------------------------------------------------------------


def test_the_dockerfile_installs_the_project_with_the_pinned_constraints_and_no_dev_extras():
    text = DOCKERFILE.read_text()
    instructions = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    # The base is a build argument: the official Python image by default, a Debian bookworm one where no
    # registry is reachable (tests/support/engine.py).
    assert instructions[:2] == ["ARG BASE=python:3.11-slim", "FROM ${BASE}"]
    installs = [line for line in instructions if "pip install" in line]
    assert installs and all("-c /src/constraints.txt" in line for line in installs)
    assert "[test]" not in text and not any("-e " in line for line in installs)


def test_the_image_runs_as_a_non_root_user_and_defaults_to_a_registered_service():
    instructions = [line.strip() for line in DOCKERFILE.read_text().splitlines() if line.strip()]
    (user,) = [line.split()[1] for line in instructions if line.startswith("USER ")]
    assert user.split(":")[0] not in ("root", "0")
    assert user.split(":")[0].isdigit(), "Kubernetes' runAsNonRoot needs a numeric uid"
    assert 'ENTRYPOINT ["python", "-m"]' in instructions
    (cmd,) = [line for line in instructions if line.startswith("CMD ")]
    assert _service_run_by(yaml.safe_load(cmd.removeprefix("CMD "))) in SERVICES


def test_the_build_context_leaves_out_the_local_virtualenv_stack_and_jars():
    ignored = {line.strip() for line in (PROJECT_ROOT / ".dockerignore").read_text().splitlines()
               if line.strip() and not line.startswith("#")}
    assert {".venv", ".stack", ".git", "**/*.jar"} <= ignored
    assert "constraints.txt" not in ignored and "pyproject.toml" not in ignored


# -- compose -----------------------------------------------------------------------------------------


def test_compose_kafka_is_a_single_kraft_node_with_automatic_topic_creation_disabled():
    kafka = _compose()["services"]["kafka"]
    env = {key: str(value) for key, value in kafka["environment"].items()}
    assert kafka["image"] == "apache/kafka:4.1.1"
    assert set(env["KAFKA_PROCESS_ROLES"].split(",")) == {"broker", "controller"}
    assert env["KAFKA_CONTROLLER_QUORUM_VOTERS"] == f"{env['KAFKA_NODE_ID']}@kafka:9093"
    assert env["KAFKA_CONTROLLER_LISTENER_NAMES"] == "CONTROLLER"
    assert "CONTROLLER://:9093" in env["KAFKA_LISTENERS"].split(",")
    assert "PLAINTEXT://kafka:9092" in env["KAFKA_ADVERTISED_LISTENERS"].split(",")
    protocols = dict(item.split(":") for item in env["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"].split(","))
    assert {"CONTROLLER", "PLAINTEXT"} <= set(protocols)
    assert env["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"
    assert all(value == "1" for key, value in env.items() if key.endswith(("_REPLICATION_FACTOR", "_MIN_ISR")))
    assert "KAFKA_ZOOKEEPER_CONNECT" not in env


def test_compose_postgres_superuser_is_the_provisioning_ones_and_its_password_from_the_environment(monkeypatch):
    pg = _compose()["services"]["postgres"]
    env = {key: _interpolate(value) for key, value in pg["environment"].items()}
    defaults = PostgresSettings.model_fields
    assert pg["image"] == "postgres:15"
    assert env["POSTGRES_USER"] == defaults["superuser"].default
    assert env["POSTGRES_DB"] == defaults["database"].default
    match = INTERPOLATION.fullmatch(pg["environment"]["POSTGRES_PASSWORD"])
    assert match and match["name"] == "COOPREG_PG_SUPERUSER_PASSWORD" and match["op"] == ":?"
    provision = _compose_provision()
    settings = _settings_from({k: _interpolate(v) for k, v in provision["environment"].items()}, monkeypatch)
    assert settings.pg.superuser == env["POSTGRES_USER"] and (settings.pg.host, settings.pg.port) == ("postgres", 5432)
    assert settings.pg.superuser_password.get_secret_value() == _interpolate(pg["environment"]["POSTGRES_PASSWORD"])
    assert set(settings.pg.passwords) == set(SCHEMAS), "provisioning sets every service role's password"
    assert provision["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    assert provision["restart"] == "no" and provision["build"] == {"context": "..", "dockerfile": "deploy/Dockerfile"}
    importlib.import_module(PROVISION_MODULE)


def test_the_provisioning_runs_in_production_mode_with_postgres_passwords_only(monkeypatch):
    """Neither compose nor the Job gives provisioning the services' keys: production mode must not ask for them."""
    from coopreg.provision import provisioning_settings

    (job,) = _k8s("Job")
    for environment in ({k: _interpolate(v) for k, v in _compose_provision()["environment"].items()},
                        _env_from(_container(job))):
        assert not {"COOPREG_SECRET_INDEX_KEY", "COOPREG_SECRET_ENCRYPTION_KEY"} & set(environment)
        _settings_from(environment, monkeypatch)
        monkeypatch.setenv("COOPREG_ENV", "production")
        with pytest.raises(ValueError, match="development or placeholder key"):
            Settings()  # what a service would say with these alone
        settings = provisioning_settings()
        assert settings.pg.superuser_password is not None and set(settings.pg.passwords) == set(SCHEMAS)


def test_compose_services_reach_kafka_and_postgres_by_their_compose_names_each_as_its_own_role(monkeypatch):
    for name, svc in _coopreg_compose_services().items():
        settings = _settings_from({k: _interpolate(v) for k, v in svc["environment"].items()}, monkeypatch)
        assert settings.kafka.bootstrap_servers == "kafka:9092", name
        assert (settings.pg.host, settings.pg.port) == ("postgres", 5432), name
        service = _service_run_by(svc["command"])
        assert set(settings.pg.passwords) == {service}, name
        for key in svc["environment"]:
            if _setting(key) in ("COOPREG_PG_PASSWORDS",):
                match = INTERPOLATION.fullmatch(svc["environment"][key])
                assert match and match["name"] == key and match["op"] == ":?", (name, key)
        assert not {"COOPREG_PG_PASSWORD", "COOPREG_PG_SUPERUSER_PASSWORD"} & set(svc["environment"]), \
            f"{name}: no service gets the operator's or the superuser's password"


def test_compose_takes_the_secret_keys_from_the_environment_never_from_the_file():
    for name, svc in _coopreg_compose_services().items():
        for key in ("COOPREG_SECRET_INDEX_KEY", "COOPREG_SECRET_ENCRYPTION_KEY"):
            match = INTERPOLATION.fullmatch(svc["environment"][key])
            assert match and match["name"] == key and match["op"] == ":?", (name, key)


def test_compose_services_start_after_healthy_dependencies_and_restart():
    services = {name: svc for name, svc in _compose()["services"].items()
                if PROVISION_MODULE not in svc.get("command", [])}  # the one-shot provisioning: it exits
    for name, svc in services.items():
        assert svc.get("healthcheck", {}).get("test"), f"{name} has no healthcheck"
        assert svc.get("restart") in ("always", "unless-stopped", "on-failure"), name
    for name, svc in _coopreg_compose_services().items():
        assert svc["depends_on"] == {"kafka": {"condition": "service_healthy"},
                                     "postgres": {"condition": "service_healthy"},
                                     "provision": {"condition": "service_completed_successfully"}}, name
        assert svc["build"] == {"context": "..", "dockerfile": "deploy/Dockerfile"}, name


# -- kubernetes --------------------------------------------------------------------------------------


def test_every_k8s_object_lives_in_the_coopreg_namespace():
    (namespace,) = _k8s("Namespace")
    assert namespace["metadata"]["name"] == NAMESPACE
    for doc in _k8s_documents():
        if doc["kind"] not in ("Namespace", "Kustomization"):
            assert doc["metadata"].get("namespace") == NAMESPACE, doc["metadata"]["name"]


def test_the_kustomization_applies_every_manifest():
    (kustomization,) = _k8s("Kustomization")
    manifests = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    assert set(kustomization["resources"]) == manifests


def test_secrets_are_in_the_secrets_with_placeholder_values_and_never_in_the_configmap():
    (config,) = _k8s("ConfigMap")
    values = _service_secret()["stringData"]
    assert {"COOPREG_SECRET_INDEX_KEY", "COOPREG_SECRET_ENCRYPTION_KEY"} <= set(values)
    assert not {"COOPREG_PG_PASSWORD", "COOPREG_PG_SUPERUSER_PASSWORD"} & set(values), \
        "the Secret every service reads holds no PostgreSQL password"
    for secret in _k8s("Secret"):
        values = secret["stringData"]
        assert all(str(value).startswith("CHANGE-ME") for value in values.values()), "placeholders must be marked"
        assert {_setting(name) for name in values} <= SECRET_SETTINGS, secret["metadata"]["name"]
    assert not SECRET_SETTINGS & {_setting(name) for name in config["data"]}


def test_each_service_role_has_a_secret_of_its_own_and_the_provisioning_all_of_them():
    for schema in SCHEMAS:
        secret = _secret(f"coopreg-pg-{schema.replace('_', '-')}")
        assert set(secret["stringData"]) == {_role_password_variable(schema)}, schema
    provision = _secret("coopreg-pg-provision")["stringData"]
    assert set(provision) == {"COOPREG_PG_SUPERUSER_PASSWORD", "COOPREG_PG_PASSWORD",
                              *map(_role_password_variable, SCHEMAS)}
    for schema in SCHEMAS:  # the same placeholder: one value, given to the service and to provisioning
        own = _secret(f"coopreg-pg-{schema.replace('_', '-')}")["stringData"][_role_password_variable(schema)]
        assert provision[_role_password_variable(schema)] == own


def test_every_deployment_takes_its_settings_from_the_configmap_the_keys_and_its_own_role(monkeypatch):
    (config,) = _k8s("ConfigMap")
    for service, deployment in _deployments_by_service().items():
        container = _container(deployment)
        assert container["envFrom"][:3] == [{"configMapRef": {"name": config["metadata"]["name"]}},
                                            {"secretRef": {"name": "coopreg-secrets"}},
                                            {"secretRef": {"name": f"coopreg-pg-{service.replace('_', '-')}"}}], service
        env = {e["name"]: e for e in container.get("env", [])}
        assert env["COOPREG_INSTANCE"]["valueFrom"]["fieldRef"]["fieldPath"] == "metadata.name", service
        values = {name: e["value"] for name, e in env.items() if "value" in e}
        settings = _settings_from({**_env_from(container), **values, "COOPREG_INSTANCE": "pod-1"}, monkeypatch)
        assert settings.pg.host == config["data"]["COOPREG_PG_HOST"]
        assert set(settings.pg.passwords) == {service}, service
        assert settings.pg.superuser_password is None, service
        assert settings.pg.password == PostgresSettings.model_fields["password"].default, \
            f"{service}: the operator's password is no service's"


def test_the_provisioning_job_runs_the_provisioning_as_the_admin_with_every_role(monkeypatch):
    (job,) = _k8s("Job")
    container = _container(job)
    assert container["args"] == [PROVISION_MODULE]
    importlib.import_module(PROVISION_MODULE)
    settings = _settings_from(_env_from(container), monkeypatch)
    assert settings.pg.superuser_password is not None and set(settings.pg.passwords) == set(SCHEMAS)
    pod = job["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True and pod["restartPolicy"] in ("OnFailure", "Never")
    assert container["securityContext"]["readOnlyRootFilesystem"] is True


def test_every_deployment_has_resources_and_a_liveness_probe():
    for service, deployment in _deployments_by_service().items():
        container = _container(deployment)
        assert container["resources"] == {"requests": {"cpu": "100m", "memory": "128Mi"},
                                          "limits": {"cpu": "1", "memory": "256Mi"}}, service
        probe = container["livenessProbe"]
        assert probe["periodSeconds"] > 0 and probe["failureThreshold"] >= 1, service


# -- health probes on the observability endpoint (shared/observability.py) ---------------------------

PROBES = {"startupProbe": "/health", "livenessProbe": "/health", "readinessProbe": "/ready"}


def _served(path: str) -> bool:
    """Whether a service's endpoint (shared/subject_endpoint.py) answers `path` (/ready without a live
    service answers for the process alone)."""
    from starlette.testclient import TestClient

    from shared.subject_endpoint import SubjectEndpoint

    with TestClient(SubjectEndpoint("cards", None, {}, "key").app()) as client:
        return client.get(path).status_code == 200


def test_the_probe_paths_are_served_by_the_observability_endpoint_and_others_are_not():
    assert _served("/health") and not _served("/healthz")


def test_every_deployment_probes_health_and_readiness_on_the_metrics_port_the_settings_read(monkeypatch):
    (config,) = _k8s("ConfigMap")
    port = _settings_from({**config["data"], **_service_secret()["stringData"]}, monkeypatch).metrics_port
    assert port > 0, "COOPREG_METRICS_PORT must be set in the ConfigMap, or the services serve no probes"
    for service, deployment in _event_deployments().items():
        container = _container(deployment)
        ports = {p["name"]: p["containerPort"] for p in container["ports"]}
        for kind, path in PROBES.items():
            probe = container[kind]
            assert probe["httpGet"]["path"] == path and _served(path), (service, kind)
            target = probe["httpGet"]["port"]
            assert ports.get(target, target) == port, (service, kind, target)
            assert probe["periodSeconds"] > 0 and probe["failureThreshold"] >= 1, (service, kind)
        annotations = deployment["spec"]["template"]["metadata"]["annotations"]
        assert (annotations["prometheus.io/port"], annotations["prometheus.io/path"]) == (str(port), "/metrics")


def test_every_compose_service_is_healthy_only_when_its_ready_endpoint_answers(monkeypatch):
    for name, svc in _event_compose_services().items():
        port = _settings_from({k: _interpolate(v) for k, v in svc["environment"].items()}, monkeypatch).metrics_port
        assert port > 0, name
        test = svc["healthcheck"]["test"]
        assert test[:3] == ["CMD", "python", "-c"], name
        (url,) = re.findall(r"http://[^'\"]+", test[3])
        assert url == f"http://127.0.0.1:{port}/ready" and _served("/ready"), name


def test_every_deployment_runs_non_root_on_a_read_only_root_filesystem():
    for service, deployment in _deployments_by_service().items():
        pod = deployment["spec"]["template"]["spec"]
        container = _container(deployment)
        assert pod["securityContext"]["runAsNonRoot"] is True, service
        assert pod["securityContext"]["runAsUser"] != 0, service
        assert container["securityContext"]["readOnlyRootFilesystem"] is True, service
        assert container["securityContext"]["allowPrivilegeEscalation"] is False, service
        mounts = {m["mountPath"] for m in container.get("volumeMounts", [])}
        assert "/tmp" in mounts, f"{service}: a read-only root needs a writable /tmp"


def test_deployment_selectors_match_their_pod_labels():
    for service, deployment in _deployments_by_service().items():
        selector = deployment["spec"]["selector"]["matchLabels"]
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert selector.items() <= labels.items(), service
        assert labels["app.kubernetes.io/component"] == service


# -- the register API ----------------------------------------------------------------------------------


def _api_routes() -> set[str]:
    from services.register_api.entrypoints.app import create_app

    return set(create_app(Settings()).openapi()["paths"])


def _url(test: list[str]) -> str:
    assert test[:3] == ["CMD", "python", "-c"]
    (url,) = re.findall(r"http://[^'\"]+", test[3])
    return url


def test_compose_serves_the_register_api_on_its_published_port_healthy_when_ready(monkeypatch):
    (svc,) = [s for s in _coopreg_compose_services().values() if _service_run_by(s["command"]) == API]
    settings = _settings_from({k: _interpolate(v) for k, v in svc["environment"].items()}, monkeypatch)
    assert settings.api.host == "0.0.0.0", "inside a container the API must listen beyond loopback"
    assert svc["ports"] == [f"{settings.api.port}:{settings.api.port}"]
    assert _url(svc["healthcheck"]["test"]) == f"http://127.0.0.1:{settings.api.port}/ready"
    assert "/ready" in _api_routes()
    match = INTERPOLATION.fullmatch(svc["environment"]["COOPREG_API_TOKEN_KEY"])
    assert match and match["name"] == "COOPREG_API_TOKEN_KEY" and match["op"] == ":?"
    assert settings.api.token_issuers == []


def test_the_k8s_register_api_listens_on_its_port_probed_and_served_and_takes_only_the_providers_tokens(
        monkeypatch):
    deployment = _deployments_by_service()[API]
    container = _container(deployment)
    values = {e["name"]: e["value"] for e in container["env"] if "value" in e}
    settings = _settings_from({**_env_from(container), **values}, monkeypatch)
    assert settings.api.host == "0.0.0.0" and settings.api.local_tokens is False
    assert "COOPREG_API_TOKEN_KEY" in _service_secret()["stringData"]
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert ports == {"http": settings.api.port}
    routes = _api_routes()
    for kind, path in {"startupProbe": "/health", "livenessProbe": "/health", "readinessProbe": "/ready"}.items():
        assert container[kind]["httpGet"] == {"path": path, "port": "http"} and path in routes, kind
    (service,) = [s for s in _k8s("Service") if s["metadata"]["name"] == deployment["metadata"]["name"]]
    assert service["spec"]["selector"].items() <= deployment["spec"]["template"]["metadata"]["labels"].items()
    assert [p["targetPort"] for p in service["spec"]["ports"]] == ["http"]

