"""The runner: processes, cache, and bad input, on real files."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.deprecations.cache import ENV, ResultCache, default_cache_dir
from app.deprecations.runner import Runner
from codemods.numpy_builtin_aliases import NumpyBuiltinAliases
from codemods.registry import RULES

SOURCE = "import numpy as np\n\n\ndef f{n}(x):\n    return np.asarray(x, dtype=np.float)\n"


def write_files(root: Path, count: int) -> list[str]:
    names = []
    for n in range(count):
        path = root / f"m{n}.py"
        path.write_text(SOURCE.format(n=n))
        names.append(path.name)
    (root / "plain.py").write_text("print('nothing deprecated here')\n")
    return [*names, "plain.py"]


def test_worker_processes_give_the_same_results_as_one_process(tmp_path: Path) -> None:
    paths = write_files(tmp_path, 12)
    batches = {"numpy": [NumpyBuiltinAliases]}
    serial = Runner(tmp_path, batches, workers=1).run(paths)
    parallel = Runner(tmp_path, batches, workers=2).run(paths)
    assert serial.results == parallel.results
    assert len(parallel.results) == 12
    assert parallel.stats.candidates == 12  # plain.py never reaches a parser
    assert "dtype=float)" in parallel.results[0].outputs["numpy"]


def test_cache_hits_and_corrupt_entries(tmp_path: Path) -> None:
    work, cache_dir = tmp_path / "work", tmp_path / "cache"
    work.mkdir()
    paths = write_files(work, 3)
    runner = Runner(work, {"numpy": [NumpyBuiltinAliases]}, cache=ResultCache(cache_dir))
    first = runner.run(paths)
    assert (first.stats.parsed, first.stats.cached) == (3, 0)
    second = runner.run(paths)
    assert (second.stats.parsed, second.stats.cached) == (0, 3)
    assert second.results == first.results
    for entry in cache_dir.rglob("*.json"):
        entry.write_text("{not json")
    third = runner.run(paths)
    assert (third.stats.parsed, third.stats.cached) == (3, 0)
    assert third.results == first.results


def test_enormous_generated_and_unreadable_files_are_skipped(tmp_path: Path) -> None:
    (tmp_path / "big.py").write_text(SOURCE.format(n=0) + "#" * 5000 + "\n")
    (tmp_path / "gen.py").write_text("# @generated\n" + SOURCE.format(n=1))
    (tmp_path / "bad.py").write_bytes(b"import numpy as np\nx = '\xff'\nnp.float\n")
    runner = Runner(tmp_path, {"all": list(RULES)}, max_bytes=1000)
    report = runner.run(["big.py", "gen.py", "bad.py", "missing.py"])
    assert report.results == []
    reasons = {e.file: (e.line, e.message) for e in report.errors}
    assert "over the 1000 limit" in reasons["big.py"][1]
    assert "@generated" in reasons["gen.py"][1]
    assert reasons["bad.py"] == (2, "not valid UTF-8: skipped")
    assert "cannot read" in reasons["missing.py"][1]


def test_default_cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV, raising=False)
    (tmp_path / ".git").mkdir()
    assert default_cache_dir(tmp_path) == tmp_path / ".git" / "maintainer-cache" / "deprecations"
    monkeypatch.setenv(ENV, str(tmp_path / "elsewhere"))
    assert default_cache_dir(tmp_path) == tmp_path / "elsewhere" / "deprecations"


def test_processes_started_from_a_threaded_program(tmp_path: Path) -> None:
    import threading

    paths = write_files(tmp_path, 8)
    batches = {"numpy": [NumpyBuiltinAliases]}
    results: list[object] = []
    thread = threading.Thread(
        target=lambda: results.append(Runner(tmp_path, batches, workers=2).run(paths))
    )
    thread.start()
    thread.join()
    serial = Runner(tmp_path, batches, workers=1).run(paths)
    assert results and results[0].results == serial.results  # type: ignore[attr-defined]
