"""Distribution files: hash-checked, cached by digest, bounded archives."""

from __future__ import annotations

import zipfile

import pytest

from app.apidiff import archives
from app.apidiff.distributions import DistFile, DistributionError, Distributions


def test_files_are_verified_and_cached(tmp_path, index) -> None:
    distributions = Distributions(index.url, cache_dir=tmp_path)
    path = distributions.wheel_or_sdist("jinja2", "3.1.6")
    assert path.name == "jinja2-3.1.6-py3-none-any.whl"
    served = len([r for r in index.requests if r.startswith("/files/")])
    again = Distributions(index.url, cache_dir=tmp_path).wheel_or_sdist("jinja2", "3.1.6")
    assert again == path
    assert len([r for r in index.requests if r.startswith("/files/")]) == served


def test_a_file_that_does_not_match_its_digest_is_refused(tmp_path, index) -> None:
    distributions = Distributions(index.url, cache_dir=tmp_path)
    url = index.url.removesuffix("/simple") + "/files/six-1.17.0.tar.gz"
    forged = DistFile("six-1.17.0.tar.gz", url, "0" * 64, False)
    with pytest.raises(DistributionError, match="does not match"):
        distributions.fetch(forged)
    assert not list((tmp_path / "files").rglob("six-1.17.0.tar.gz"))


def test_a_release_without_recorded_files_is_an_error_not_a_crash(tmp_path, index) -> None:
    distributions = Distributions(index.url, cache_dir=tmp_path)
    with pytest.raises(DistributionError, match="HTTP 404"):
        distributions.wheel_or_sdist("requests", "2.27.1")
    with pytest.raises(DistributionError, match="no files"):
        distributions.wheel_or_sdist("six", "99.0")


def test_archive_members_cannot_escape_and_are_bounded(tmp_path, monkeypatch) -> None:
    path = tmp_path / "evil-1.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("../../outside.py", "x = 1\n")
        archive.writestr("/abs.py", "x = 1\n")
        archive.writestr("evil/__init__.py", "x = 1\n")
    target = archives.unpack_sources(path, tmp_path / "out")
    unpacked = sorted(p.relative_to(target).as_posix() for p in target.rglob("*.py"))
    assert unpacked == ["evil/__init__.py"]
    assert not (tmp_path / "outside.py").exists()
    monkeypatch.setattr(archives, "MAX_MEMBERS", 2)
    with pytest.raises(archives.ArchiveError, match="more than 2 members"):
        archives.members(path)
