"""Edges kept across scans (`app.deadcode.links`): after each kind of edit, the edges reused
and re-linked are exactly the edges the graph computes from scratch."""

from __future__ import annotations

import marshal
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from app.deadcode.cache import FactsCache
from app.deadcode.graph import Fanout, Graph
from app.deadcode.index import build_index
from app.deadcode.links import Links, link
from tests.deadcode.support import SHOP


def _files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def _scan(root: Path, cache: FactsCache) -> tuple[Graph, Links]:
    index = build_index(root, _files(root), cache)
    graph = Graph(index.python)
    return graph, link(graph, index.keys, cache, root)


def _assert_same_as_from_scratch(root: Path, graph: Graph, links: Links) -> None:
    fresh = Graph(graph.files)
    assert len(fresh.nodes) == len(graph.nodes)
    for node in range(len(fresh.nodes)):
        ours, theirs = Fanout(), Fanout()
        where = f"{fresh.files[fresh.nodes[node].file].path}::{fresh.qualname(fresh.nodes[node])}"
        assert links.edges(node, ours) == fresh.edges(node, theirs), where
        assert sorted(ours.members) == sorted(theirs.members), where
        assert sorted(ours.tops) == sorted(theirs.tops), where
        assert links.successors(node) == fresh.successors(node), where


def _append(path: Path, text: str) -> None:
    path.write_text((path.read_text() if path.exists() else "") + text)


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


EDITS: dict[str, Callable[[Path], None]] = {
    "a body changes": lambda root: _replace(
        root / "shop/helpers.py", "def helper() -> str:\n", "def helper() -> str:\n    x = 1\n"
    ),
    "a function is added": lambda root: _append(
        root / "shop/helpers.py", "\n\ndef brand_new() -> int:\n    return 1\n"
    ),
    # `service.py` calls `logging.getLogger(...).addHandler(...)`: names no file defined yet.
    "a name others use is defined at last": lambda root: _append(
        root / "shop/helpers.py",
        "\n\ndef getLogger() -> None:\n    pass\n\n\nclass Later:\n"
        "    def addHandler(self) -> None:\n        pass\n",
    ),
    "a function others import is renamed": lambda root: _replace(
        root / "shop/helpers.py", "def used_helper(", "def used_helper_renamed("
    ),
    "a method is renamed": lambda root: _replace(
        root / "shop/base.py", "    def hook(self) -> str:", "    def hooked(self) -> str:"
    ),
    "a subclass gains a function and a changed method body": lambda root: _replace(
        root / "shop/base.py",
        "class Child(Base):\n    def hook(self) -> str:\n",
        "def added() -> None:\n    pass\n\n\nclass Child(Base):\n    def hook(self) -> str:\n"
        "        added()\n",
    ),
    "a base class changes": lambda root: _replace(
        root / "shop/base.py", "class Child(Base):", "class Child:"
    ),
    "an import is added": lambda root: _replace(
        root / "shop/service.py", "import logging\n", "import logging\nfrom shop.base import Base\n"
    ),
    "a star import is added": lambda root: _replace(
        root / "shop/service.py", "import logging\n", "import logging\nfrom shop.helpers import *\n"
    ),
    "a module is added": lambda root: _append(
        root / "shop/added.py",
        "from shop.helpers import helper\n\n\ndef call() -> str:\n    return helper()\n",
    ),
    "a module is deleted": lambda root: (root / "shop/other.py").unlink(),
}


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_after_an_edit_the_kept_edges_are_the_edges_from_scratch(tmp_path: Path, edit: str) -> None:
    root = tmp_path / "shop"
    shutil.copytree(SHOP, root)
    cache = FactsCache(tmp_path / "cache")
    graph, links = _scan(root, cache)
    _assert_same_as_from_scratch(root, graph, links)
    EDITS[edit](root)
    graph, links = _scan(root, cache)
    _assert_same_as_from_scratch(root, graph, links)
    graph, links = _scan(root, cache)  # unchanged since: last scan's edges as they are
    _assert_same_as_from_scratch(root, graph, links)


def test_a_damaged_or_foreign_store_links_everything_afresh(tmp_path: Path) -> None:
    root = tmp_path / "shop"
    shutil.copytree(SHOP, root)
    cache = FactsCache(tmp_path / "cache")
    _scan(root, cache)
    stored = list((tmp_path / "cache" / "links").glob("*.bin"))
    assert len(stored) == 1
    stored[0].write_bytes(b"\x00not marshal")
    graph, links = _scan(root, cache)
    _assert_same_as_from_scratch(root, graph, links)

    value = marshal.loads(stored[0].read_bytes())
    paths, keys, spans, touched, table, _ = value
    wrong = [((), (), ())] * len(table)  # the right shape, the wrong edges: keys no longer match
    keys = tuple("0" * 32 for _ in keys)
    stored[0].write_bytes(marshal.dumps((paths, keys, spans, touched, wrong, ((0, (-5,)),))))
    graph, links = _scan(root, cache)
    _assert_same_as_from_scratch(root, graph, links)


def test_without_readable_graph_source_nothing_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.deadcode import graph as graph_module

    monkeypatch.setattr(graph_module, "__file__", str(tmp_path / "missing.py"))
    root = tmp_path / "shop"
    shutil.copytree(SHOP, root)
    cache = FactsCache(tmp_path / "cache")
    graph, links = _scan(root, cache)
    _assert_same_as_from_scratch(root, graph, links)
    assert not (tmp_path / "cache" / "links").exists()


def test_edits_pile_up_on_the_kept_edges_until_enough_files_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.deadcode import links as links_module

    monkeypatch.setattr(links_module, "SAVE_FROM", 2)
    root = tmp_path / "shop"
    shutil.copytree(SHOP, root)
    cache = FactsCache(tmp_path / "cache")
    _scan(root, cache)
    (stored,) = (tmp_path / "cache" / "links").glob("*.bin")
    first = stored.read_bytes()
    EDITS["a body changes"](root)  # one file differs from the kept edges: not rewritten
    graph, links = _scan(root, cache)
    _assert_same_as_from_scratch(root, graph, links)
    assert stored.read_bytes() == first
    EDITS["a function is added"](root)  # the same file again
    graph, links = _scan(root, cache)
    _assert_same_as_from_scratch(root, graph, links)
    assert stored.read_bytes() == first
    EDITS["an import is added"](root)  # a second file: kept afresh
    graph, links = _scan(root, cache)
    _assert_same_as_from_scratch(root, graph, links)
    assert stored.read_bytes() != first
    keys = build_index(root, _files(root), cache).keys
    assert marshal.loads(stored.read_bytes())[1] == tuple(keys[f.path] for f in graph.files)
    graph, links = _scan(root, cache)
    _assert_same_as_from_scratch(root, graph, links)
