"""The deploy/ artefacts as data: manifests, the compose file, the Dockerfile, and every
command line the containers run."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from dockerfile_parse import DockerfileParser

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
KUBERNETES = DEPLOY / "kubernetes"
COMPOSE = DEPLOY / "compose.yaml"
DOCKERFILE = DEPLOY / "Dockerfile"
KUBERNETES_VERSION = "1.37.0"  # the newest schemas kubernetes-validate 1.37.0 ships
MAINTAINER_VARIABLE = re.compile(r"\bMAINTAINER_[A-Z0-9_]+")


def manifests() -> list[tuple[Path, dict[str, Any]]]:
    """Every Kubernetes object in deploy/kubernetes/ (the kustomization is not one)."""
    found = []
    for path in sorted(KUBERNETES.glob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        for document in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if document is not None:
                found.append((path, document))
    return found


def kustomization() -> dict[str, Any]:
    loaded = yaml.safe_load((KUBERNETES / "kustomization.yaml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def compose() -> dict[str, Any]:
    loaded = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def dockerfile() -> DockerfileParser:
    parser = DockerfileParser(path=str(DOCKERFILE))
    parser.content = DOCKERFILE.read_text(encoding="utf-8")
    return parser


def pod_spec(document: dict[str, Any]) -> dict[str, Any] | None:
    kind = document.get("kind")
    if kind in ("Deployment", "Job"):
        spec: dict[str, Any] = document["spec"]["template"]["spec"]
        return spec
    if kind == "CronJob":
        spec = document["spec"]["jobTemplate"]["spec"]["template"]["spec"]
        return spec
    return None


def entrypoint_and_cmd() -> tuple[list[str], list[str]]:
    parser = dockerfile()
    entrypoint: list[str] = []
    command: list[str] = []
    for instruction in parser.structure:
        if instruction["instruction"] == "ENTRYPOINT":
            entrypoint = yaml.safe_load(instruction["value"])
        elif instruction["instruction"] == "CMD":
            command = yaml.safe_load(instruction["value"])
    return entrypoint, command


def command_lines() -> dict[str, list[str]]:
    """Every argv a container runs, by where it is declared (ENTRYPOINT + CMD or args)."""
    entrypoint, default = entrypoint_and_cmd()
    lines = {"Dockerfile CMD": entrypoint + default}
    for name, service in compose()["services"].items():
        if service.get("image", "").startswith("${BOT_IMAGE"):
            lines[f"compose {name}"] = entrypoint + list(service.get("command") or default)
    for path, document in manifests():
        spec = pod_spec(document)
        for container in (spec or {}).get("containers", []):
            if container["image"] == "maintainer-bot":
                argv = entrypoint + list(container.get("args") or default)
                lines[f"{path.name} {container['name']}"] = argv
    return lines
