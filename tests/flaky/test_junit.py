"""Reading JUnit XML from each producer, and refusing what is not safe or not well formed."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.flaky.junit import JUnitError, Outcome, junit_files, parse_junit, read_junit

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "flaky-junit"
EXPECTED = {
    "test_passes": Outcome.PASSED,
    "test_fails": Outcome.FAILED,
    "test_skipped": Outcome.SKIPPED,
}


@pytest.mark.parametrize(
    "name", ["pytest-xunit2.xml", "pytest-xunit1.xml", "unittest-xml-reporting.xml", "nose2.xml"]
)
def test_each_producer_gives_the_same_results(name: str) -> None:
    run = read_junit(FIXTURES / name)
    by_name = {r.id.rpartition("::")[2]: r for r in run.results}
    assert set(by_name) == {"test_passes", "test_fails", "test_errors", "test_skipped"}
    for test, outcome in EXPECTED.items():
        assert by_name[test].outcome is outcome, test
    # pytest reports an exception in a test body as a failure; the unittest runners as an error
    assert by_name["test_errors"].outcome in {Outcome.FAILED, Outcome.ERROR}
    assert "Connection refused" in by_name["test_errors"].message
    assert "[1, 2, 4]" in by_name["test_fails"].message
    assert by_name["test_passes"].message == ""
    assert all(r.id.startswith("test_sample.SampleTests::") for r in run.results)
    assert run.time is not None


def test_xunit1_and_unittest_xml_reporting_give_file_and_line() -> None:
    for name in ("pytest-xunit1.xml", "unittest-xml-reporting.xml"):
        results = {r.id: r for r in read_junit(FIXTURES / name).results}
        passes = results["test_sample.SampleTests::test_passes"]
        assert passes.file == "test_sample.py"
        assert passes.line in {6, 7}  # pytest counts from 0, unittest-xml-reporting from 1


def test_the_commit_comes_from_a_property_or_the_path(tmp_path: Path) -> None:
    sha = "0123456789abcdef0123456789abcdef01234567"
    xml = (
        '<testsuites><testsuite name="s" timestamp="2026-11-02T10:00:00">'
        '<properties><property name="commit" value="ABCDEF1"/>'
        '<property name="workflow" value="ci"/><property name="attempt" value="2"/></properties>'
        '<testcase classname="m" name="t" time="0.5"/></testsuite></testsuites>'
    )
    run = parse_junit(io.BytesIO(xml.encode()), f"artifacts/{sha}/junit.xml")
    assert (run.commit, run.workflow, run.attempt) == ("abcdef1", "ci", 2)
    assert run.time == datetime(2026, 11, 2, 10, tzinfo=UTC)
    assert run.results[0].duration == 0.5
    plain = tmp_path / sha / "attempt-3" / "results.xml"
    plain.parent.mkdir(parents=True)
    plain.write_text('<testsuite><testcase classname="m" name="t"/></testsuite>')
    run = read_junit(plain)
    assert (run.commit, run.attempt, run.workflow) == (sha, 3, None)


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("entities.xml", "document type declaration"),
        ("truncated.xml", "not well-formed"),
        ("not-xml.xml", "not well-formed"),
        ("deep.xml", "nested deeper"),
    ],
)
def test_a_bad_file_is_an_error_with_its_reason(name: str, reason: str) -> None:
    with pytest.raises(JUnitError) as caught:
        read_junit(FIXTURES / "malformed" / name)
    assert reason in caught.value.reason
    assert caught.value.source.endswith(name)


def test_size_and_emptiness_are_bounded(tmp_path: Path) -> None:
    big = tmp_path / "big.xml"
    big.write_text("<testsuite>" + "<testcase name='t'/>" * 100 + "</testsuite>")
    with pytest.raises(JUnitError, match="limit of 100"):
        read_junit(big, max_bytes=100)
    empty = tmp_path / "empty.xml"
    empty.write_bytes(b"")
    with pytest.raises(JUnitError, match=r"empty|well-formed"):
        read_junit(empty)
    with pytest.raises(JUnitError, match="No such file"):
        read_junit(tmp_path / "missing.xml")


def test_long_messages_are_cut() -> None:
    xml = f'<testsuite><testcase name="t"><failure message="m">{"x" * 50_000}</failure>'
    run = parse_junit(io.BytesIO((xml + "</testcase></testsuite>").encode()), "s")
    assert len(run.results[0].message) <= 2_000


def test_folders_are_searched_for_xml_files(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "r.xml").write_text("<testsuite/>")
    (tmp_path / "a" / "notes.txt").write_text("x")
    (tmp_path / "z.xml").write_text("<testsuite/>")
    assert [p.name for p in junit_files([tmp_path])] == ["r.xml", "z.xml"]
