"""deploy/k8s rendered by kustomize (a pinned Go module that deploy/bootstrap.sh builds into tools/bin), and
what it renders checked: every manifest in, a PodDisruptionBudget per Deployment, NetworkPolicies that
give each service only Kafka, PostgreSQL and DNS and let only the register API and Prometheus reach its
endpoint port, every pod annotated for scraping on a port it declares, and autoscalers that scale real
Deployments, a Kafka consumer no further than its topics' partitions."""
from __future__ import annotations

import subprocess

import pytest
import yaml

from services.registry import SERVICES
from shared.settings import PROJECT_ROOT

pytestmark = pytest.mark.unit

K8S = PROJECT_ROOT / "deploy" / "k8s"
KUSTOMIZE = PROJECT_ROOT / "tools" / "bin" / "kustomize"
KAFKA, POSTGRES, DNS, ENDPOINT, API_PORT = 9092, 5432, 53, 9100, 18080
API = "coopreg-register-api"


def render(path=K8S) -> list[dict]:
    assert KUSTOMIZE.exists(), "kustomize is missing: run `make setup` (deploy/bootstrap.sh builds it)"
    done = subprocess.run([str(KUSTOMIZE), "build", str(path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return [doc for doc in yaml.safe_load_all(done.stdout) if doc]


@pytest.fixture(scope="module")
def objects() -> list[dict]:
    return render()


def _of(objects, kind: str) -> dict[str, dict]:
    return {o["metadata"]["name"]: o for o in objects if o["kind"] == kind}


def _labels_match(selector: dict, labels: dict) -> bool:
    if any(labels.get(k) != v for k, v in selector.get("matchLabels", {}).items()):
        return False
    for expression in selector.get("matchExpressions", []):
        assert expression["operator"] == "In", "extend the test for other operators"
        if labels.get(expression["key"]) not in expression["values"]:
            return False
    return True


def _pod_labels(objects) -> dict[str, dict]:
    pods = {name: d["spec"]["template"]["metadata"]["labels"] for name, d in _of(objects, "Deployment").items()}
    pods |= {name: j["spec"]["template"]["metadata"]["labels"] for name, j in _of(objects, "Job").items()}
    return pods


def _policies_for(objects, labels: dict) -> list[dict]:
    return [p for p in _of(objects, "NetworkPolicy").values() if _labels_match(p["spec"]["podSelector"], labels)]


def _ports(rules: list[dict]) -> set[int]:
    return {port["port"] for rule in rules for port in rule.get("ports", [])}


def test_kustomize_renders_every_manifest_of_the_kustomization(objects):
    listed = yaml.safe_load((K8S / "kustomization.yaml").read_text())["resources"]
    in_files = sum(len([d for d in yaml.safe_load_all((K8S / f).read_text()) if d]) for f in listed)
    assert len(objects) == in_files
    assert {o["metadata"].get("namespace", "coopreg") for o in objects if o["kind"] != "Namespace"} == {"coopreg"}


def test_every_deployment_has_a_disruption_budget_of_one_pod(objects):
    deployments, budgets = _of(objects, "Deployment"), _of(objects, "PodDisruptionBudget")
    assert {f"coopreg-{s}" for s in SERVICES} | {API} == set(deployments)
    for name, deployment in deployments.items():
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        covering = [b for b in budgets.values() if _labels_match(b["spec"]["selector"], labels)]
        assert len(covering) == 1, name
        assert covering[0]["spec"]["maxUnavailable"] == 1
        assert deployment["spec"]["replicas"] >= 2, f"{name}: a budget of one pod needs two replicas"


def test_autoscalers_scale_real_deployments_and_consumers_no_further_than_their_partitions(objects):
    autoscalers, deployments = _of(objects, "HorizontalPodAutoscaler"), _of(objects, "Deployment")
    (config,) = _of(objects, "ConfigMap").values()
    partitions = int(config["data"]["COOPREG_KAFKA_PARTITIONS"])
    assert {API, "coopreg-purchases", "coopreg-bonus"} <= set(autoscalers)
    for name, autoscaler in autoscalers.items():
        assert autoscaler["apiVersion"] == "autoscaling/v2"
        target = autoscaler["spec"]["scaleTargetRef"]
        assert (target["apiVersion"], target["kind"]) == ("apps/v1", "Deployment"), name
        assert target["name"] in deployments, f"{name} scales {target['name']}, which is not deployed"
        spec = autoscaler["spec"]
        assert 2 <= spec["minReplicas"] <= spec["maxReplicas"], f"{name}: the disruption budget needs two pods"
        [container] = deployments[target["name"]]["spec"]["template"]["spec"]["containers"]
        for metric in spec["metrics"]:  # utilisation is measured against what the container requests
            assert metric["resource"]["name"] in container["resources"]["requests"], name
        if target["name"] != API:  # a Kafka consumer: one partition per member at most
            assert spec["maxReplicas"] == partitions, f"{name}: a consumer beyond {partitions} partitions idles"


def test_everything_is_denied_unless_a_policy_allows_it(objects):
    deny = [p for p in _of(objects, "NetworkPolicy").values() if p["spec"]["podSelector"] == {}]
    assert len(deny) == 1
    assert set(deny[0]["spec"]["policyTypes"]) == {"Ingress", "Egress"}
    assert "ingress" not in deny[0]["spec"] and "egress" not in deny[0]["spec"]
    for name, labels in _pod_labels(objects).items():
        assert len(_policies_for(objects, labels)) == 2, f"{name}: the default deny and a policy of its own"


def test_each_service_reaches_only_kafka_its_database_and_dns_and_is_reached_only_by_the_api_and_prometheus(
        objects):
    pods = _pod_labels(objects)
    for service in SERVICES:
        labels = pods[f"coopreg-{service}"]
        [policy] = [p for p in _policies_for(objects, labels) if p["spec"]["podSelector"]]
        assert _ports(policy["spec"]["egress"]) == {KAFKA, POSTGRES, DNS}, service
        [ingress] = policy["spec"]["ingress"]
        assert _ports([ingress]) == {ENDPOINT}
        peers = ingress["from"]
        assert {tuple(sorted(p)) for p in peers} == {("podSelector",), ("namespaceSelector", "podSelector")}
        [api_peer] = [p for p in peers if list(p) == ["podSelector"]]
        assert _labels_match(api_peer["podSelector"], pods[API])
        assert not any(_labels_match(api_peer["podSelector"], pods[f"coopreg-{other}"]) for other in SERVICES)
        [prometheus] = [p for p in peers if "namespaceSelector" in p]
        assert prometheus["podSelector"]["matchLabels"]["app.kubernetes.io/name"] == "prometheus"


def test_the_register_api_reaches_the_services_endpoints_and_is_reached_on_its_port(objects):
    pods = _pod_labels(objects)
    [policy] = [p for p in _policies_for(objects, pods[API]) if p["spec"]["podSelector"]]
    assert _ports(policy["spec"]["egress"]) == {ENDPOINT, KAFKA, POSTGRES, DNS}
    [to_services] = [rule for rule in policy["spec"]["egress"] if _ports([rule]) == {ENDPOINT}]
    selector = to_services["to"][0]["podSelector"]
    assert all(_labels_match(selector, pods[f"coopreg-{s}"]) for s in SERVICES)
    assert not _labels_match(selector, pods[API])
    assert _ports(policy["spec"]["ingress"]) == {API_PORT}


def test_the_provisioning_job_reaches_only_postgres_and_dns(objects):
    pods = _pod_labels(objects)
    [policy] = [p for p in _policies_for(objects, pods["coopreg-provision"]) if p["spec"]["podSelector"]]
    assert _ports(policy["spec"]["egress"]) == {POSTGRES, DNS}
    assert "ingress" not in policy["spec"]


def test_every_pod_is_annotated_for_scraping_on_a_port_it_declares(objects):
    for name, deployment in _of(objects, "Deployment").items():
        template = deployment["spec"]["template"]
        annotations = template["metadata"].get("annotations", {})
        assert annotations.get("prometheus.io/scrape") == "true", name
        assert annotations["prometheus.io/path"] == "/metrics"
        declared = {p["containerPort"] for c in template["spec"]["containers"] for p in c.get("ports", [])}
        assert int(annotations["prometheus.io/port"]) in declared, name


def test_the_pod_monitor_renders_and_scrapes_the_ports_the_pods_name(objects):
    [monitor] = render(K8S / "monitoring")
    assert monitor["kind"] == "PodMonitor"
    named = {p["name"] for d in _of(objects, "Deployment").values()
             for c in d["spec"]["template"]["spec"]["containers"] for p in c.get("ports", [])}
    assert {e["port"] for e in monitor["spec"]["podMetricsEndpoints"]} <= named
    assert all(_labels_match(monitor["spec"]["selector"], labels)
               for name, labels in _pod_labels(objects).items() if name != "coopreg-provision")
