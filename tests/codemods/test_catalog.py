"""The rule catalog: metadata without the rule classes, shipped as a snapshot beside the rules
and kept as one in the cache."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import codemods.catalog
from app.deprecations.cache import ResultCache
from codemods.catalog import Catalog, UnknownRule, from_json, packaged, registered, to_json
from codemods.registry import RULES


def test_the_catalog_is_the_rule_classes_metadata_in_registry_order() -> None:
    assert registered().rules == tuple(rule.info for rule in RULES)


def test_a_snapshot_round_trips_exactly() -> None:
    snapshot = json.loads(json.dumps(to_json(registered())))
    assert from_json(snapshot) == registered()


@pytest.mark.parametrize(
    "damage",
    [
        lambda d: d.update(version="0000000000000000"),  # another rule set's snapshot
        lambda d: d["rules"][0].pop("needles"),
        lambda d: d["rules"][0].update(safety="maybe"),
        lambda d: d["rules"][0].update(id="not-an-id"),
        lambda d: d.update(rules=None),
    ],
)
def test_a_stale_or_damaged_snapshot_is_not_used(damage: object) -> None:
    snapshot = json.loads(json.dumps(to_json(registered())))
    damage(snapshot)  # type: ignore[operator]
    assert from_json(snapshot) is None


def test_the_shipped_snapshot_is_current() -> None:
    """After editing a rule: ``python -m codemods.catalog`` rewrites codemods/catalog.json."""
    assert packaged() == registered()


def test_the_cache_needs_no_snapshot_of_its_own_while_the_shipped_one_is_current(
    tmp_path: Path,
) -> None:
    assert ResultCache(tmp_path).catalog() == registered()
    assert not list(tmp_path.glob("catalog-*.json"))


def test_the_cache_keeps_a_snapshot_and_rebuilds_a_corrupt_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stale = tmp_path / "shipped.json"
    stale.write_text(json.dumps({**to_json(registered()), "version": "0000000000000000"}))
    monkeypatch.setattr(codemods.catalog, "PACKAGED", stale)
    directory = tmp_path / "cache"
    cache = ResultCache(directory)
    assert cache.catalog() == registered()
    (snapshot,) = directory.glob("catalog-*.json")
    assert from_json(json.loads(snapshot.read_text())) == registered()
    snapshot.write_text("{not json")
    assert cache.catalog() == registered()
    assert from_json(json.loads(snapshot.read_text())) == registered()


def test_selection_by_id_name_family_and_all() -> None:
    catalog: Catalog = registered()
    assert [i.id for i in catalog.select(["MB101"])] == ["MB101"]
    by_name = catalog.select([catalog.by_id["MB101"].name])
    assert [i.id for i in by_name] == ["MB101"]
    everything = catalog.select(["all"])
    assert all(info.family != "modernize" for info in everything)
    assert catalog.enabled([], ["unittest"]) == [
        info for info in everything if info.family != "unittest"
    ]
    with pytest.raises(UnknownRule):
        catalog.select(["MB999"])
