"""Release notes cut from changelogs at version headings."""

from __future__ import annotations

from app.apidiff.distributions import Distributions
from app.releasenotes import release_notes, select, split_sections
from tests.apidiff.support import wheel

RST = """\
Changelog
=========

Version 2.1.0
-------------

Released 2024-05-01

-   Fix a bug reported by @someone.

Version 2.0.0
-------------

-   Drop Python 2.

Version 1.9.0
-------------

-   Old news.
"""

MARKDOWN = """\
# Changes

## [3.0.0] - 2025-01-01
- Removed `old()`.

## 2.5.1
- Fixed it.

## 2.5.0
- Added it.
"""


def test_sections_between_the_two_versions_newest_first() -> None:
    sections = select(split_sections(RST), "1.9.0", "2.1.0")
    assert [s.version for s in sections] == ["2.1.0", "2.0.0"]
    assert "Drop Python 2." in sections[1].text and "Old news" not in sections[1].text
    markdown = select(split_sections(MARKDOWN), "2.5.0", "3.0.0")
    assert [s.version for s in markdown] == ["3.0.0", "2.5.1"]


def test_notes_from_metadata_neutralise_mentions_and_fall_back_to_the_url(tmp_path) -> None:
    metadata = (
        "Metadata-Version: 2.1\nName: lib\n"
        "Project-URL: Changelog, https://lib.example/changes\n\n" + RST
    )
    path = wheel(tmp_path, "lib", "2.1.0", {"lib/__init__.py": ""})
    with_notes = wheel(
        tmp_path / "meta", "lib", "2.1.0", {"lib-2.1.0.dist-info/METADATA": metadata}
    )
    notes = release_notes([with_notes], "2.0.0", "2.1.0")
    assert notes.source == "METADATA" and [s.version for s in notes.sections] == ["2.1.0"]
    assert "@\u200bsomeone" in notes.sections[0].text
    assert notes.changelog_url == "https://lib.example/changes"
    missing = release_notes([path], "2.0.0", "2.1.0")
    assert not missing.found and missing.changelog_url is None


def test_six_sdist_changelog_from_the_recorded_index(tmp_path, index) -> None:
    distributions = Distributions(index.url, cache_dir=tmp_path)
    sdist = distributions.sdist("six", "1.17.0")
    assert sdist is not None
    notes = release_notes([sdist], "1.16.0", "1.17.0")
    assert notes.source == "CHANGES"
    assert [s.version for s in notes.sections] == ["1.17.0"]
