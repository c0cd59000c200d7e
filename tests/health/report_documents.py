"""Health documents (the JSON shape `maintainer health --format json` prints) for the renderers."""

from __future__ import annotations

import datetime
import math
from typing import Any

HOSTILE_PATH = "evil|<img src=x onerror=alert(1)>@octocat`#13.py"
HOSTILE_TEXT = "<script>alert(1)</script> & [click](https://evil.example) @admin\n| broken | row"


def realistic_document(*, history: int = 26, modules: int = 40, items: int = 14) -> dict[str, Any]:
    """A repository half a year old: 26 weekly samples, libyears heading for 10, coverage unknown
    in the first weeks and for every fourth module."""
    start = datetime.date(2026, 6, 1)
    samples = []
    for i in range(history):
        samples.append(
            {
                "commit": f"{i:040x}",
                "date": (start + datetime.timedelta(weeks=i)).isoformat(),
                "score": 88 - i // 3,
                "metrics": {
                    "complexity_mean": round(3.1 + 0.04 * i, 2),
                    "libyears": round(4.0 + 0.22 * i + 0.1 * math.sin(i), 2),
                    "coverage_percent": None if i < 4 else round(81.0 - 0.3 * i, 1),
                    "lines": 12000 + 80 * i,
                    "dead_code_candidates": 3,
                    "deprecated_uses": None,
                    "architecture_violations": i // 9,
                },
            }
        )
    return {
        "repository": "acme/widgets",
        "at": {"commit": "f" * 40, "date": "2026-11-30"},
        "score": {
            "value": 79,
            "grade": "B",
            "delta": -3,
            "components": [
                {"name": "complexity", "value": 84, "weight": 0.3},
                {"name": "dependencies", "value": 70, "weight": 0.3},
                {"name": "coverage", "value": 78, "weight": 0.2},
                {"name": "architecture", "value": 90, "weight": 0.2},
            ],
        },
        "modules": [
            {
                "path": f"widgets/mod{i}.py",
                "lines": 100 + i,
                "complexity": {
                    "mean": 2.5 + i / 10,
                    "worst": {"function": f"handle_{i}", "value": 5 + i},
                    "rank": "B",
                },
                "churn": {"commits": i, "lines": 10 * i},
                "hotspot": float(i * 3),
                "coverage": None if i % 4 == 0 else 70.0 + i % 30,
            }
            for i in range(modules)
        ],
        "dependencies": {
            "libyears": 9.5,
            "mean_days_behind": 210.0,
            "outdated": 7,
            "vulnerable": 1,
        },
        "architecture": {
            "violations": [
                {
                    "contract": "core does not import web",
                    "detail": "widgets.core -> widgets.web",
                    "new": True,
                }
            ]
        },
        "items": [
            {
                "id": f"item-{i}",
                "kind": "complexity",
                "subject": f"widgets/mod{i}.py:handle_{i}",
                "evidence": f"complexity {20 + i} (rank D), changed {i} times in 90 days",
                "cost": {"minutes": 30 * (i + 1), "risk": "high" if i < 3 else "low"},
                "fix": (
                    {"kind": "dependency-update", "branch": f"maintainer/bump-{i}"}
                    if i % 2
                    else {"kind": "refactor", "suggestion": f"split handle_{i}: 6 branches"}
                ),
            }
            for i in range(items)
        ],
        "history": samples,
        "forecasts": [
            {
                "metric": "libyears",
                "subject": "acme/widgets",
                "threshold": 10.0,
                "slope_per_week": 0.22,
                "eta_weeks": {"low": 3.2, "mid": 4.6, "high": 8.1},
                "points": 26,
            }
        ],
    }


def hostile_document() -> dict[str, Any]:
    """Every repository-derived string is an attack: HTML, mentions, table breakers, links."""
    doc = realistic_document(history=3, modules=2, items=2)
    doc["repository"] = "<b>acme</b>/@team"
    doc["modules"][0]["path"] = HOSTILE_PATH
    doc["modules"][0]["complexity"]["worst"]["function"] = "`x` | <i>y</i>"
    doc["items"][0]["subject"] = HOSTILE_PATH
    doc["items"][0]["evidence"] = HOSTILE_TEXT
    doc["items"][1]["fix"] = {"kind": "dependency-update", "branch": "bump/<u>x</u>|@bob"}
    doc["architecture"]["violations"][0]["detail"] = HOSTILE_TEXT
    doc["score"]["components"][0]["name"] = "<em>complexity</em>|"
    return doc


def empty_document() -> dict[str, Any]:
    """A first scan: no history, no forecast, no items, nothing measured, coverage unknown."""
    doc = realistic_document(history=0, modules=0, items=0)
    doc["forecasts"] = []
    doc["score"]["delta"] = None
    doc["architecture"]["violations"] = []
    doc["dependencies"]["mean_days_behind"] = None
    return doc
