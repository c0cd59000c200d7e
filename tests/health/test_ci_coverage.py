"""Coverage from CI (#13): the newest successful run's artifact whose name contains `coverage`,
read through the adapter from the emulator; unknown (with the reason) when there is none or
it cannot be read, never 0 %."""

from __future__ import annotations

import json

from app.health.ci_coverage import coverage_from_ci
from tests.support.artifacts import add_run, zip_of
from tests.support.harness import INSTALLATION_ID, REPO, Harness

KNOWN = ["src/shop/client.py", "src/shop/web.py", "tests/test_shop.py"]


def report(executed: list[int], missing: list[int]) -> str:
    entry = {"executed_lines": executed, "missing_lines": missing}
    return json.dumps(
        {
            "meta": {"format": 3},
            "files": {"/home/runner/work/demo/demo/src/shop/client.py": entry},
        }
    )


def test_the_newest_successful_run_with_a_coverage_artifact(harness: Harness) -> None:
    older = add_run(
        harness, REPO, {"coverage-report": zip_of({"htmlcov/coverage.json": report([1, 2], [3])})}
    )
    add_run(  # newer, but failed: its coverage is not the measure
        harness,
        REPO,
        {"coverage-report": zip_of({"coverage.json": report([1], [2, 3])})},
        conclusion="failure",
    )
    add_run(harness, REPO, {"junit": zip_of({"junit.xml": "<testsuite/>"})}, name="Lint")
    with harness.github() as github:
        found = coverage_from_ci(github.installation(INSTALLATION_ID), REPO, KNOWN)
    assert found.reason is None and found.coverage is not None
    assert (found.run_id, found.artifact) == (older["id"], "coverage-report")
    client = found.coverage.of("src/shop/client.py")
    assert client is not None and client.executed == {1, 2} and client.missing == {3}
    assert found.coverage.percent == 66.67


def test_cobertura_xml_is_read_too(harness: Harness) -> None:
    xml = (
        '<?xml version="1.0" ?><coverage version="7.6" line-rate="0.5"><packages><package>'
        '<classes><class filename="src/shop/web.py" line-rate="0.5"><lines>'
        '<line number="1" hits="1"/><line number="2" hits="0"/></lines></class></classes>'
        "</package></packages></coverage>"
    )
    add_run(harness, REPO, {"Coverage XML": zip_of({"coverage.xml": xml})})
    with harness.github() as github:
        found = coverage_from_ci(github.installation(INSTALLATION_ID), REPO, KNOWN)
    assert found.coverage is not None and found.coverage.percent == 50.0


def test_unknown_without_a_run_or_with_a_bad_artifact(harness: Harness) -> None:
    with harness.github() as github:
        gh = github.installation(INSTALLATION_ID)
        none = coverage_from_ci(gh, REPO, KNOWN)
        assert none.coverage is None and "no successful workflow run" in (none.reason or "")
        add_run(harness, REPO, {"coverage": b"PK\x03\x04 broken"})
        broken = coverage_from_ci(gh, REPO, KNOWN)
        assert broken.coverage is None and "not a readable zip" in (broken.reason or "")
        add_run(harness, REPO, {"coverage": zip_of({"coverage.json": "{not json"})})
        bad = coverage_from_ci(gh, REPO, KNOWN)
        assert bad.coverage is None and "not JSON" in (bad.reason or "")
        add_run(harness, REPO, {"coverage": zip_of({"index.html": "<html/>"})})
        empty = coverage_from_ci(gh, REPO, KNOWN)
        assert empty.coverage is None and "holds no coverage.json" in (empty.reason or "")
