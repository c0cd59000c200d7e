"""An advisory directory may come from a repository's checkout: its records are bounded and
never lead the bot outside the directory."""

from __future__ import annotations

import time
from pathlib import Path

from packaging.version import Version

from app.security.directory import AdvisoryDirectory
from app.security.source import PackageVersion

RECORD = """id: TEST-1
affected:
- package: {name: demo, ecosystem: PyPI}
  ranges:
  - type: ECOSYSTEM
    events: [{introduced: "0"}, {fixed: "2.0"}]
"""


def audit(root: Path) -> tuple[int, list[str]]:
    report = AdvisoryDirectory(root).audit([PackageVersion("demo", Version("1.0"))])
    found = sum(len(a.advisories) for a in report.audited)
    return found, [w.message for w in report.warnings]


def test_a_record_symlinked_out_of_the_directory_is_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "host" / "TEST-1.yaml"
    outside.parent.mkdir()
    outside.write_text(RECORD)
    folder = tmp_path / "db" / "vulns" / "demo"
    folder.mkdir(parents=True)
    (folder / "TEST-1.yaml").symlink_to(outside)
    found, warnings = audit(tmp_path / "db")
    assert found == 0
    assert any("leaving the advisory directory" in w for w in warnings)


def test_an_alias_bomb_record_is_refused_quickly(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, y]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 8)]
    folder = tmp_path / "db" / "vulns" / "demo"
    folder.mkdir(parents=True)
    (folder / "BOMB-1.yaml").write_text("\n".join(lines) + "\n")
    (folder / "TEST-1.yaml").write_text(RECORD)
    started = time.process_time()
    found, warnings = audit(tmp_path / "db")
    assert time.process_time() - started < 1.0
    assert found == 1
    assert any("alias bomb" in w for w in warnings)
