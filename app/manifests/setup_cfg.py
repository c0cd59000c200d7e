"""setup.cfg: ``[options] install_requires`` and ``[options.extras_require]``."""

from __future__ import annotations

import configparser
import re

from app.manifests.base import ManifestFormat, ManifestParse, line_of, pep508_dependency
from app.manifests.pyproject import DEV_EXTRAS
from app.manifests.specs import RequirementSyntaxError, locate_requirement
from app.model import ScanError

_SECTION = re.compile(r"^\[(?P<name>[^\]]+)\]\s*$")
_KEY = re.compile(r"^(?P<key>[A-Za-z0-9_.-]+)\s*[=:]\s*(?P<value>.*)$")


def parse_setup_cfg(path: str, text: str) -> ManifestParse:
    result = ManifestParse(path=path)
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text, source=path)
    except configparser.Error as exc:
        line = getattr(exc, "lineno", None)
        result.errors.append(ScanError(path, line, f"invalid setup.cfg: {exc.message}"))
        return result
    if parser.has_option("options", "python_requires"):
        result.requires_python = parser.get("options", "python_requires").strip() or None
    result.is_library = parser.has_option("metadata", "name")
    for group, value_start, value_end in _requirement_values(text):
        _read_block(path, text, value_start, value_end, group, result)
    return result


def _requirement_values(text: str) -> list[tuple[str | None, int, int]]:
    """Spans of the values holding requirements: (extra or None, start, end)."""
    spans: list[tuple[str | None, int, int]] = []
    section = ""
    offset = 0
    lines = text.splitlines(keepends=True)
    index = 0
    while index < len(lines):
        line = lines[index]
        header = _SECTION.match(line.strip())
        key = _KEY.match(line) if not line[:1].isspace() else None
        if header:
            section = header.group("name").strip()
        elif key and _holds_requirements(section, key.group("key")):
            start = offset + key.start("value")
            end = offset + len(line)
            index += 1
            while index < len(lines) and (lines[index][:1].isspace() or not lines[index].strip()):
                end += len(lines[index])
                index += 1
            extra = key.group("key") if section == "options.extras_require" else None
            spans.append((extra, start, end))
            offset = end
            continue
        offset += len(line)
        index += 1
    return spans


def _holds_requirements(section: str, key: str) -> bool:
    return (section == "options" and key == "install_requires") or (
        section == "options.extras_require"
    )


def _read_block(
    path: str, text: str, start: int, end: int, extra: str | None, result: ManifestParse
) -> None:
    position = start
    for raw in text[start:end].splitlines(keepends=True):
        line_start = position
        position += len(raw)
        content = raw.split("#", 1)[0].rstrip()
        if not content.strip() or content.strip().startswith(";"):
            continue
        leading = len(content) - len(content.lstrip())
        try:
            located = locate_requirement(content.strip())
        except RequirementSyntaxError as exc:
            result.errors.append(
                ScanError(path, line_of(text, line_start), f"invalid requirement: {exc}")
            )
            continue
        if located is None:
            continue
        result.dependencies.append(
            pep508_dependency(
                located,
                manifest=path,
                start=line_start + leading,
                line=line_of(text, line_start),
                group=extra,
                development=bool(extra and extra.lower() in DEV_EXTRAS),
            )
        )


FORMAT = ManifestFormat(name="setup.cfg", patterns=("setup.cfg",), read=parse_setup_cfg)
