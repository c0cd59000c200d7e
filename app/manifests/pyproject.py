"""pyproject.toml: PEP 621 dependencies and extras, PEP 735 groups, Poetry tables."""

from __future__ import annotations

import tomllib
from typing import Any

from app.manifests.base import (
    Dependency,
    ManifestFormat,
    ManifestParse,
    SpecStyle,
    canonical,
    line_of,
    pep508_dependency,
    python_floor_from_classifiers,
)
from app.manifests.poetry import PoetryConstraintError, poetry_to_specifier
from app.manifests.specs import RequirementSyntaxError, locate_requirement
from app.manifests.tomlspans import TomlString, string_spans
from app.model import ScanError

DEV_EXTRAS = ("dev", "develop", "test", "tests", "testing", "lint", "docs", "doc", "typing")
_POETRY_SKIP = {"python"}


def parse_pyproject(path: str, text: str) -> ManifestParse:
    result = ManifestParse(path=path)
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        result.errors.append(ScanError(path, _toml_error_line(exc), f"invalid TOML: {exc}"))
        return result
    result.requires_python = _requires_python(document)
    result.is_library = "build-system" in document and bool(
        document.get("project", {}).get("name") or _poetry(document).get("name")
    )
    _check_include_groups(path, text, document, result)
    for string in string_spans(text):
        _read(path, text, string, result)
    return result


def _read(path: str, text: str, string: TomlString, result: ManifestParse) -> None:
    location = _classify(string.path)
    if location is None:
        return
    style, group, development = location
    dependency: Dependency | None
    try:
        if style is SpecStyle.POETRY:
            dependency = _poetry_dependency(path, text, string, group, development)
        else:
            dependency = _pep508_dependency(path, text, string, group, development)
    except (RequirementSyntaxError, PoetryConstraintError) as exc:
        line = line_of(text, string.content_start)
        result.errors.append(ScanError(path, line, f"invalid requirement: {exc}"))
        return
    if dependency is not None:
        result.dependencies.append(dependency)


def _classify(path: tuple[str | int, ...]) -> tuple[SpecStyle, str | None, bool] | None:
    """Which dependency table a string belongs to: (style, group, development) or None."""
    match path:
        case ("project", "dependencies", int()):
            return SpecStyle.PEP440, None, False
        case ("project", "optional-dependencies", str(extra), int()):
            return SpecStyle.PEP440, extra, extra.lower() in DEV_EXTRAS
        case ("dependency-groups", str(group), int()):
            return SpecStyle.PEP440, group, True
        case ("tool", "poetry", "dependencies", str(name)) | (
            "tool",
            "poetry",
            "dependencies",
            str(name),
            "version",
        ) if name not in _POETRY_SKIP:
            return SpecStyle.POETRY, None, False
        case ("tool", "poetry", "dev-dependencies", str(), *rest) if rest in ([], ["version"]):
            return SpecStyle.POETRY, "dev", True
        case ("tool", "poetry", "group", str(group), "dependencies", str(), *rest) if rest in (
            [],
            ["version"],
        ):
            return SpecStyle.POETRY, group, True
    return None


def _pep508_dependency(
    path: str, text: str, string: TomlString, group: str | None, development: bool
) -> Dependency | None:
    located = locate_requirement(string.value)
    if located is None:
        return None
    _require_verbatim(string)
    return pep508_dependency(
        located,
        manifest=path,
        start=string.content_start,
        line=line_of(text, string.content_start),
        group=group,
        development=development,
    )


def _poetry_dependency(
    path: str, text: str, string: TomlString, group: str | None, development: bool
) -> Dependency:
    name = next(p for p in reversed(string.path) if isinstance(p, str) and p != "version")
    _require_verbatim(string)
    value = string.value
    stripped = value.strip()
    leading = len(value) - len(value.lstrip())
    return Dependency(
        name=canonical(name),
        raw_name=name,
        spec_text=stripped,
        spec_offset=string.content_start + leading,
        manifest=path,
        line=line_of(text, string.content_start),
        style=SpecStyle.POETRY,
        group=group,
        development=development,
        specifier=poetry_to_specifier(stripped),
    )


def _require_verbatim(string: TomlString) -> None:
    if not string.verbatim:
        raise RequirementSyntaxError("the string uses escapes; rewrite it without them")


def _requires_python(document: dict[str, Any]) -> str | None:
    declared = document.get("project", {}).get("requires-python")
    if isinstance(declared, str):
        return declared
    poetry_python = _poetry(document).get("dependencies", {}).get("python")
    if isinstance(poetry_python, str):
        try:
            return str(poetry_to_specifier(poetry_python))
        except PoetryConstraintError:
            return None
    classifiers = document.get("project", {}).get("classifiers")
    if isinstance(classifiers, list):
        return python_floor_from_classifiers([c for c in classifiers if isinstance(c, str)])
    return None


def _poetry(document: dict[str, Any]) -> dict[str, Any]:
    poetry = document.get("tool", {}).get("poetry", {})
    return poetry if isinstance(poetry, dict) else {}


def _check_include_groups(
    path: str, text: str, document: dict[str, Any], result: ManifestParse
) -> None:
    groups = document.get("dependency-groups", {})
    if not isinstance(groups, dict):
        return
    for name, items in groups.items():
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict):
                target = item.get("include-group")
                if target not in groups:
                    line = _line_of_text(text, f"include-group = {target!r}".replace("'", '"'))
                    message = f"group {name!r} includes unknown group {target!r}"
                    result.errors.append(ScanError(path, line, message))


def _line_of_text(text: str, needle: str) -> int | None:
    offset = text.find(needle)
    return None if offset == -1 else line_of(text, offset)


def _toml_error_line(exc: tomllib.TOMLDecodeError) -> int | None:
    lineno = getattr(exc, "lineno", None)
    if isinstance(lineno, int):
        return lineno
    message = str(exc)
    marker = "(at line "
    if marker in message:
        return int(message.split(marker, 1)[1].split(",", 1)[0])
    return None


FORMAT = ManifestFormat(name="pyproject", patterns=("pyproject.toml",), read=parse_pyproject)
