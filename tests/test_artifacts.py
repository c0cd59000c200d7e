"""Bounded reading of CI artifact zips: the damaged, the oversized and the malicious refused
with a reason, nothing extracted to disk."""

from __future__ import annotations

import io
import zipfile

import pytest

from app.artifacts import ArtifactError, Limits, read_members, safe_name
from tests.support.artifacts import zip_of


def xml(name: str) -> bool:
    return name.endswith(".xml")


def test_wanted_members_are_read_in_order() -> None:
    data = zip_of({"a/one.xml": "1", "notes.txt": "x", "b/two.xml": "2"})
    members = read_members(data, xml)
    assert [(m.name, m.data) for m in members] == [("a/one.xml", b"1"), ("b/two.xml", b"2")]


@pytest.mark.parametrize("data", [b"", b"not a zip at all", zip_of({"a.xml": "1"})[:-30]])
def test_what_is_not_a_zip_is_corrupt(data: bytes) -> None:
    with pytest.raises(ArtifactError) as caught:
        read_members(data, xml)
    assert caught.value.corrupt and "zip" in caught.value.reason


def test_a_damaged_member_is_corrupt() -> None:
    data = bytearray(zip_of({"a.xml": "<testsuite>" + "x" * 5000 + "</testsuite>"}))
    start = data.index(b"a.xml") + len("a.xml")  # the local header's name; the data follows
    data[start + 10 : start + 40] = b"\xff" * 30
    with pytest.raises(ArtifactError) as caught:
        read_members(bytes(data), xml)
    assert caught.value.corrupt and "a.xml" in caught.value.reason


@pytest.mark.parametrize("name", ["../escape.xml", "/etc/passwd.xml", "a\\..\\b.xml", "c:/x.xml"])
def test_unsafe_member_names_refuse_the_archive(name: str) -> None:
    assert not safe_name(name)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("fine.xml"), b"1")
        archive.writestr(zipfile.ZipInfo(name), b"2")
    with pytest.raises(ArtifactError) as caught:
        read_members(buffer.getvalue(), xml)
    assert not caught.value.corrupt and "unsafe member name" in caught.value.reason


def test_too_many_members() -> None:
    data = zip_of({f"r{i}.xml": "1" for i in range(11)})
    with pytest.raises(ArtifactError, match="11 members, more than 10"):
        read_members(data, xml, Limits(members=10))


def test_a_zip_bomb_is_refused_by_its_ratio() -> None:
    data = zip_of({"bomb.xml": b"\0" * (8 * 1024 * 1024)})
    assert len(data) < 20_000
    with pytest.raises(ArtifactError, match=r"expands \d+ times"):
        read_members(data, xml)


def test_a_member_over_the_limit_is_refused() -> None:
    data = zip_of({"big.xml": "x" * 5000})
    with pytest.raises(ArtifactError, match="over 4000"):
        read_members(data, xml, Limits(member_bytes=4000))


def test_a_header_that_lies_about_the_size_does_not_pass() -> None:
    """The reading stops one byte past the limit whatever the header says."""
    data = bytearray(zip_of({"liar.xml": "y" * 5000}))
    # patch the central directory's uncompressed size (offset 24 of its entry) to 10 bytes
    entry = data.index(b"PK\x01\x02")
    data[entry + 24 : entry + 28] = (10).to_bytes(4, "little")
    with pytest.raises(ArtifactError) as caught:
        read_members(bytes(data), xml, Limits(member_bytes=4000))
    assert "liar.xml" in caught.value.reason


def test_the_total_read_is_bounded() -> None:
    data = zip_of({f"r{i}.xml": "z" * 3000 for i in range(4)})
    with pytest.raises(ArtifactError, match="more than"):
        read_members(data, xml, Limits(total_bytes=10_000))
