"""`monitors:` in `.maintainer.yml`: strict, bounded, no addresses."""

from __future__ import annotations

import pytest

from app.config import MAX_MONITORS, ConfigError, parse_config

GOOD = """
monitors:
  - name: dashboard-p95
    query: >-
      histogram_quantile(0.95, sum by (le)
      (rate(http_request_duration_seconds_bucket{route="/dashboard"}[5m]))) * 1000
    threshold: 500
    unit: ms
    service: dashboard
    lead_time_days: 14
  - name: api-memory
    query: max(container_memory_working_set_bytes{container="api"}) / 2^30
    threshold: 1.8
    unit: GiB
    service: api
    aggregate: max
    capacity: {limit: 2, replicas: 3}
"""


def test_monitors_are_read_with_defaults() -> None:
    config = parse_config(GOOD)
    latency, memory = config.monitors
    assert latency.direction == "above"
    assert latency.aggregate == "p95"
    assert (latency.lead_time_days, latency.margin_days, latency.window_days) == (14, 7, 28)
    assert latency.capacity is None
    assert memory.capacity is not None
    assert (memory.capacity.limit, memory.capacity.replicas) == (2.0, 3)


def problems(text: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_config(text)
    return [f"{p.key}: {p.message}" for p in caught.value.problems]


MONITOR = "monitors:\n  - {name: m, query: up, threshold: 1, service: s%s}\n"


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (", url: 'http://evil.example:9090'", "monitors.0.url: unknown setting"),
        (", prometheus: 'http://evil.example'", "monitors.0.prometheus: unknown setting"),
        (", direction: sideways", "monitors.0.direction"),
        (", threshold: .nan", "monitors.0.threshold"),
        (", lead_time_days: -1", "monitors.0.lead_time_days"),
        (", lead_time_days: 400", "monitors.0.lead_time_days"),
        (", aggregate: p42", "monitors.0.aggregate"),
        (", window_days: 3", "monitors.0.window_days"),
        (", window_days: 365", "monitors.0.window_days"),
        (", unit: '<script>'", "monitors.0.unit"),
        (", capacity: {limit: 0}", "monitors.0.capacity.limit"),
        (", capacity: {limit: 2, replicas: 0}", "monitors.0.capacity.replicas"),
        (", capacity: {limit: 0.5}", "threshold must be in (0, capacity.limit]"),
        (", direction: below, capacity: {limit: 2}", "direction 'above'"),
    ],
)
def test_bad_monitors_are_refused_with_the_key(extra: str, expected: str) -> None:
    found = problems(MONITOR % extra)
    assert any(expected in problem for problem in found), found


def test_names_are_bounded_and_unique() -> None:
    assert any(
        "monitors.0.name" in p for p in problems(MONITOR.replace("name: m", "name: '../x'") % "")
    )
    twice = "monitors:\n" + "  - {name: m, query: up, threshold: 1, service: s}\n" * 2
    assert any("two monitors are named 'm'" in p for p in problems(twice))


def test_queries_are_bounded() -> None:
    long = "x" * 2_001
    assert any(
        "monitors.0.query" in p
        for p in problems(MONITOR.replace("query: up", f"query: {long}") % "")
    )
    control = 'monitors:\n  - {name: m, query: "up\\u0000", threshold: 1, service: s}\n'
    assert any("control characters" in p for p in problems(control))
    empty = "monitors:\n  - {name: m, query: '', threshold: 1, service: s}\n"
    assert any("monitors.0.query" in p for p in problems(empty))


def test_the_number_of_monitors_is_bounded() -> None:
    many = "monitors:\n" + "".join(
        f"  - {{name: m{i}, query: up, threshold: 1, service: s}}\n"
        for i in range(MAX_MONITORS + 1)
    )
    assert any(p.startswith("monitors") for p in problems(many))
