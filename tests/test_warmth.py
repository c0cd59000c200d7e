"""What the resident process keeps loaded between commands (`app.warmth`), without it: the
dead-code pack and edges, recalled only while their files are unchanged."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app import warmth
from app.deadcode.cache import FactsCache, FactsPack, decode
from app.deadcode.index import build_index
from tests.deadcode.support import write
from tests.deadcode.test_index import _tree


@pytest.fixture(autouse=True)
def nothing_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(warmth, "_kept", {})
    monkeypatch.setattr(warmth, "_wanted", {})


def _indexed(root: Path, count: int = 300) -> tuple[FactsCache, list[str]]:
    write(root, _tree(count))
    files = sorted(str(p.relative_to(root)) for p in root.rglob("*.py"))
    cache = FactsCache(root.parent / "cache")
    build_index(root, files, cache)
    return cache, files


def _keep(loader: str, path: str) -> int:
    return sum(1 for _ in warmth.keep(loader, path))


def test_a_scan_names_the_files_it_read_and_a_kept_pack_is_recalled_decoded(
    tmp_path: Path,
) -> None:
    cache, files = _indexed(tmp_path / "repo")
    wanted = warmth.wanted()
    assert [loader for loader, _ in wanted] == ["dead-code-pack"]
    path = wanted[0][1]
    assert _keep("dead-code-pack", path) >= 2  # decoded over several steps
    recalled = cache.pack(tmp_path / "repo")
    assert isinstance(recalled, FactsPack)
    assert recalled.entries.keys() == set(files)
    assert recalled.decoded == {p: decode(e[3]) for p, e in recalled.entries.items()}
    from_kept = build_index(tmp_path / "repo", files, FactsCache(tmp_path / "cache"))
    assert from_kept.parsed == ()  # nothing read again
    assert from_kept.python == build_index(tmp_path / "repo", files, None).python


def test_a_value_is_recalled_only_while_its_file_is_unchanged(tmp_path: Path) -> None:
    cache, _ = _indexed(tmp_path / "repo", count=3)
    (_, path), *_ = warmth.wanted()
    _keep("dead-code-pack", path)
    assert warmth.recall(path) is not None
    os.utime(path, ns=(1, 1))
    assert warmth.recall(path) is None
    assert isinstance(cache.pack(tmp_path / "repo"), FactsPack)  # read again from the file
    os.unlink(path)
    assert warmth.recall(path) is None


def test_only_known_loaders_regular_files_and_a_few_files_are_kept(tmp_path: Path) -> None:
    packs = []
    for number in range(warmth.KEPT_FILES + 1):
        _indexed(tmp_path / f"repo{number}", count=2)
        packs.append(warmth.wanted()[-1][1])
    with pytest.raises(ValueError, match="unknown loader"):
        warmth.want("anything", packs[0])
    assert _keep("anything", packs[0]) == 0
    assert _keep("dead-code-pack", os.path.relpath(packs[0])) == 0
    assert _keep("dead-code-pack", str(tmp_path)) == 0  # a folder
    assert warmth.kept_files() == 0
    for path in packs:
        _keep("dead-code-pack", path)
    assert warmth.kept_files() == warmth.KEPT_FILES
    assert warmth.recall(packs[0]) is None  # the oldest went first
    assert all(warmth.recall(path) is not None for path in packs[1:])


def test_a_damaged_pack_is_not_kept(tmp_path: Path) -> None:
    damaged = tmp_path / "pack.bin"
    damaged.write_bytes(b"\x00not marshal")
    assert _keep("dead-code-pack", str(damaged)) == 0
    assert warmth.kept_files() == 0
