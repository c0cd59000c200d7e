"""The repository index: module names, content-hash cache, parallel extraction, bad input."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from app.deadcode.cache import FactsCache
from app.deadcode.index import PACK_SLACK, build_index, source_files
from tests.deadcode.support import write


def test_module_names_follow_package_directories() -> None:
    found = {
        s.path: (s.module, s.is_package)
        for s in source_files(
            [
                "src/pkg/__init__.py",
                "src/pkg/sub/__init__.py",
                "src/pkg/sub/mod.py",
                "tests/test_x.py",
                "script.py",
                "loose/inner/__init__.py",
            ]
        )
    }
    assert found == {
        "src/pkg/__init__.py": ("pkg", True),
        "src/pkg/sub/__init__.py": ("pkg.sub", True),
        "src/pkg/sub/mod.py": ("pkg.sub.mod", False),
        "tests/test_x.py": ("test_x", False),
        "script.py": ("script", False),
        "loose/inner/__init__.py": ("inner", True),
    }


def _tree(count: int) -> dict[str, str | bytes]:
    files: dict[str, str | bytes] = {"pkg/__init__.py": ""}
    for number in range(count):
        files[f"pkg/mod{number}.py"] = f"def function{number}():\n    return {number}\n"
    files["config.toml"] = 'handler = "pkg.mod1:function1"\n'
    return files


def test_a_rescan_reads_only_the_changed_file(tmp_path: Path) -> None:
    write(tmp_path, _tree(60))
    files = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    cache = FactsCache(tmp_path / ".cache")
    cold = build_index(tmp_path, files, cache, workers=2)
    assert len(cold.parsed) == 62
    warm = build_index(tmp_path, files, cache, workers=2)
    assert warm.parsed == ()
    assert warm.python == cold.python
    assert warm.texts == cold.texts
    (tmp_path / "pkg/mod7.py").write_text("def renamed():\n    return 7\n")
    changed = build_index(tmp_path, files, cache, workers=2)
    assert changed.parsed == ("pkg/mod7.py",)
    by_path = {f.path: f for f in changed.python}
    assert [d.name for d in by_path["pkg/mod7.py"].definitions] == ["renamed"]


def test_a_few_edited_files_are_rehashed_instead_of_rewriting_the_pack(tmp_path: Path) -> None:
    write(tmp_path, _tree(PACK_SLACK + 4))
    files = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    cache = FactsCache(tmp_path / ".cache")
    build_index(tmp_path, files, cache)
    pack = cache.pack(tmp_path)
    edited = [f"pkg/mod{number}.py" for number in range(PACK_SLACK + 1)]
    for count, path in enumerate(edited, 1):
        (tmp_path / path).write_text(f"def edited{count}():\n    return {count}\n")
        scanned = build_index(tmp_path, files, cache)
        by_path = {f.path: f for f in scanned.python}
        # Every edit so far is seen (read again, facts by content key), however old the pack.
        for number, seen in enumerate(edited[:count], 1):
            assert [d.name for d in by_path[seen].definitions] == [f"edited{number}"]
        if count <= PACK_SLACK:
            assert scanned.parsed == tuple(sorted(edited[:count]))
            assert cache.pack(tmp_path) == pack  # not written for a few edited files
        else:
            assert cache.pack(tmp_path) != pack  # more than PACK_SLACK: written again
    assert build_index(tmp_path, files, cache).parsed == ()
    assert build_index(tmp_path, files, None).python == scanned.python


def test_a_touched_but_identical_file_is_not_extracted_again(tmp_path: Path) -> None:
    write(tmp_path, _tree(3))
    files = ["pkg/__init__.py", "pkg/mod0.py", "pkg/mod1.py", "pkg/mod2.py"]
    cache = FactsCache(tmp_path / ".cache")
    first = build_index(tmp_path, files, cache)
    stat = (tmp_path / "pkg/mod1.py").stat()
    os.utime(tmp_path / "pkg/mod1.py", ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    again = build_index(tmp_path, files, cache)
    assert again.python == first.python
    assert again.parsed == ("pkg/mod1.py",)  # re-hashed: its facts came from the cache


def test_parallel_and_serial_extraction_agree(tmp_path: Path) -> None:
    write(tmp_path, _tree(60))
    files = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    serial = build_index(tmp_path, files, None, workers=1)
    parallel = build_index(tmp_path, files, None, workers=2)
    assert serial.python == parallel.python


def test_a_corrupt_cache_entry_is_a_miss(tmp_path: Path) -> None:
    write(tmp_path, _tree(2))
    files = ["pkg/mod0.py"]
    cache = FactsCache(tmp_path / ".cache")
    build_index(tmp_path, files, cache)
    for entry in (tmp_path / ".cache" / "facts").rglob("*.bin"):
        entry.write_bytes(b"not marshal data")
    again = build_index(tmp_path, files, cache)
    assert [d.name for d in again.python[0].definitions] == ["function0"]


def test_bad_input_is_skipped_with_a_reason(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/broken.py": "def ok():\n    pass\n\ndef broken(:\n    uses_this_name()\n",
            "pkg/latin.py": b"# -*- coding: utf-8 -*-\nname = '\xe9t\xe9'\n",
            "pkg/huge.py": "X = 1\n" * 50_000,  # 300 kB
            "pkg/nul.py": "x = 1\0\n",
            "data/big.json": "[" + "1," * 60_000 + "1]",
        },
    )
    os.symlink("loop_b.py", tmp_path / "pkg/loop_a.py")
    os.symlink("loop_a.py", tmp_path / "pkg/loop_b.py")
    files = [
        "pkg/__init__.py",
        "pkg/broken.py",
        "pkg/latin.py",
        "pkg/huge.py",
        "pkg/nul.py",
        "pkg/loop_a.py",
        "pkg/missing.py",
        "data/big.json",
    ]
    index = build_index(tmp_path, files, None, max_bytes=100_000)
    errors = {e.file: e for e in index.errors}
    assert set(errors) == {
        "pkg/broken.py",
        "pkg/latin.py",
        "pkg/huge.py",
        "pkg/nul.py",
        "pkg/loop_a.py",
        "pkg/missing.py",
    }
    assert errors["pkg/broken.py"].line == 4
    assert errors["pkg/broken.py"].message.startswith("skipped: syntax error")
    assert "over the 100000 limit" in errors["pkg/huge.py"].message
    assert "X" in index.texts["pkg/huge.py"].tokens  # read as text: its names still count
    assert "symbolic links" in errors["pkg/loop_a.py"].message.lower()
    assert [f.path for f in index.python] == ["pkg/__init__.py"]
    assert "data/big.json" not in index.texts  # oversized data: ignored, not an error
    # An unparsable file still protects the names it mentions.
    assert "uses_this_name" in index.texts["pkg/broken.py"].tokens


def test_parallel_extraction_from_a_threaded_process(tmp_path: Path) -> None:
    import threading

    write(tmp_path, _tree(60))
    files = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        index = build_index(tmp_path, files, None, workers=2)  # forkserver, not fork
    finally:
        stop.set()
        thread.join()
    assert len(index.python) == 61


def test_problems_are_reported_again_when_the_facts_come_from_the_cache(tmp_path: Path) -> None:
    write(tmp_path, {"pkg/__init__.py": "", "pkg/broken.py": "def broken(:\n"})
    files = ["pkg/__init__.py", "pkg/broken.py"]
    cache = FactsCache(tmp_path / ".cache")
    cold = build_index(tmp_path, files, cache)
    warm = build_index(tmp_path, files, cache)
    assert warm.parsed == ()
    assert warm.errors == cold.errors
    assert [(e.file, e.line) for e in warm.errors] == [("pkg/broken.py", 1)]


def test_a_rescan_is_served_by_the_repository_pack_alone(tmp_path: Path) -> None:
    write(tmp_path, _tree(5))
    files = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    cache = FactsCache(tmp_path / ".cache")
    cold = build_index(tmp_path, files, cache)
    shutil.rmtree(tmp_path / ".cache" / "facts")  # one read of the pack, no entry by key
    warm = build_index(tmp_path, files, cache)
    assert warm.parsed == () and warm.python == cold.python and warm.texts == cold.texts
    for pack in (tmp_path / ".cache" / "packs").iterdir():
        pack.write_bytes(b"not marshal data")
    again = build_index(tmp_path, files, cache)
    assert len(again.parsed) == len(cold.parsed) and again.python == cold.python
