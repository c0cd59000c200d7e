"""CI artifacts for tests: zip archives and JUnit XML in pytest's xunit2 shape."""

from __future__ import annotations

import base64
import io
import zipfile
from collections.abc import Mapping, Sequence
from xml.sax.saxutils import quoteattr

from tests.support.harness import Harness


def zip_of(files: Mapping[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content.encode() if isinstance(content, str) else content)
    return buffer.getvalue()


def junit(cases: Sequence[tuple[str, str, str]]) -> str:
    """pytest xunit2 JUnit XML; each case is (classname, name, "passed"|"failed")."""
    failures = sum(1 for _, _, outcome in cases if outcome == "failed")
    body = []
    for classname, name, outcome in cases:
        inner = (
            "<failure message=\"AssertionError: assert 'retry' == 'ok'\">"
            "assert 'retry' == 'ok'</failure>"
            if outcome == "failed"
            else ""
        )
        body.append(
            f"<testcase classname={quoteattr(classname)} name={quoteattr(name)} "
            f'time="0.01">{inner}</testcase>'
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><testsuites name="pytest tests">'
        f'<testsuite name="pytest" errors="0" failures="{failures}" skipped="0" '
        f'tests="{len(cases)}" time="0.1">{"".join(body)}</testsuite></testsuites>'
    )


def add_run(
    harness: Harness,
    full_name: str,
    artifacts: Mapping[str, bytes],
    *,
    name: str = "CI",
    conclusion: str = "success",
    head_sha: str | None = None,
    run_id: int | None = None,
    event: str = "push",
) -> dict[str, object]:
    """A workflow run (or, with `run_id`, its next attempt) through the admin API."""
    body: dict[str, object] = {
        "name": name,
        "conclusion": conclusion,
        "event": event,
        "artifacts": {k: base64.b64encode(v).decode() for k, v in artifacts.items()},
    }
    if head_sha is not None:
        body["head_sha"] = head_sha
    if run_id is not None:
        body["run_id"] = run_id
    data = harness.admin("POST", f"/repos/{full_name}/actions/runs", body).json()
    assert isinstance(data, dict)
    return data
