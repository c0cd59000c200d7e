"""deploy/kubernetes/: valid against the Kubernetes API schemas, and consistent with itself."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest

from app.server.app import WEBHOOK_PATH
from tests.deploy.support import KUBERNETES, KUBERNETES_VERSION, kustomization, manifests, pod_spec

OBJECTS = manifests()


@pytest.mark.parametrize(
    ("path", "document"),
    OBJECTS,
    ids=[f"{p.name}:{d['kind']}/{d['metadata']['name']}" for p, d in OBJECTS],
)
def test_every_manifest_validates_against_the_kubernetes_schema(
    path: Path, document: dict[str, Any]
) -> None:
    kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)


def test_the_validator_rejects_a_broken_manifest() -> None:
    _, deployment = next((p, d) for p, d in OBJECTS if d["kind"] == "Deployment")
    broken = {**deployment, "spec": {**deployment["spec"], "replicas": "two"}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)


def test_the_kustomization_lists_every_file_and_names_the_image() -> None:
    base = kustomization()
    files = {p.name for p in KUBERNETES.glob("*.yaml")} - {"kustomization.yaml"}
    assert set(base["resources"]) == files
    images = {image["name"] for image in base["images"]}
    used = {
        container["image"]
        for _, document in OBJECTS
        for container in (pod_spec(document) or {}).get("containers", [])
    }
    assert used == images == {"maintainer-bot"}


def test_the_expected_objects_are_there_and_secrets_are_only_referenced() -> None:
    kinds = {(d["kind"], d["metadata"]["name"]) for _, d in OBJECTS}
    assert {
        ("Deployment", "maintainer-server"),
        ("Service", "maintainer-server"),
        ("Ingress", "maintainer-server"),
        ("Deployment", "maintainer-worker"),
        ("HorizontalPodAutoscaler", "maintainer-worker"),
        ("Job", "maintainer-migrate"),
        ("CronJob", "maintainer-tick"),
        ("PodDisruptionBudget", "maintainer-server"),
        ("PodDisruptionBudget", "maintainer-worker"),
    } <= kinds
    assert not [name for kind, name in kinds if kind == "Secret"]
    referenced = set()
    for _, document in OBJECTS:
        spec = pod_spec(document) or {}
        for container in spec.get("containers", []):
            for variable in container.get("env", []):
                ref = variable.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    referenced.add(ref["name"])
        for volume in spec.get("volumes", []):
            if "secret" in volume:
                referenced.add(volume["secret"]["secretName"])
    assert referenced == {"maintainer-secrets"}


def test_every_container_has_requests_and_a_memory_limit_and_runs_as_non_root() -> None:
    for path, document in OBJECTS:
        spec = pod_spec(document)
        if spec is None:
            continue
        assert spec["securityContext"]["runAsNonRoot"] is True, path.name
        for container in spec["containers"]:
            resources = container["resources"]
            assert {"cpu", "memory"} <= set(resources["requests"]), path.name
            assert "memory" in resources["limits"], path.name
            assert container["securityContext"]["allowPrivilegeEscalation"] is False


def test_the_server_probes_healthz_on_its_port_and_selectors_match() -> None:
    objects = {(d["kind"], d["metadata"]["name"]): d for _, d in OBJECTS}
    server = objects[("Deployment", "maintainer-server")]
    [container] = server["spec"]["template"]["spec"]["containers"]
    port = container["args"][container["args"].index("--port") + 1]
    assert [p["containerPort"] for p in container["ports"]] == [int(port)]
    for probe in ("readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"] == {"path": "/healthz", "port": "http"}
    labels = server["spec"]["template"]["metadata"]["labels"]
    service = objects[("Service", "maintainer-server")]
    assert service["spec"]["selector"].items() <= labels.items()
    for name in ("maintainer-server", "maintainer-worker"):
        pods = objects[("Deployment", name)]["spec"]["template"]["metadata"]["labels"]
        budget = objects[("PodDisruptionBudget", name)]["spec"]["selector"]["matchLabels"]
        assert budget.items() <= pods.items()
    hpa = objects[("HorizontalPodAutoscaler", "maintainer-worker")]
    assert ("Deployment", hpa["spec"]["scaleTargetRef"]["name"]) in objects
    ingress = objects[("Ingress", "maintainer-server")]
    [path] = ingress["spec"]["rules"][0]["http"]["paths"]
    assert path["path"] == WEBHOOK_PATH
    assert path["backend"]["service"]["name"] == "maintainer-server"
    tick = objects[("CronJob", "maintainer-tick")]
    [tick_container] = tick["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"]
    assert tick_container["args"][tick_container["args"].index("--url") + 1] == (
        f"http://{service['metadata']['name']}"
    )
