"""Update values for planner tests."""

from __future__ import annotations

from datetime import timedelta

from app.config import UpdateType
from app.updates import Update
from tests.support import NOW


def update(
    package: str,
    to: str,
    kind: UpdateType = UpdateType.MINOR,
    age: int = 30,
    development: bool = False,
) -> Update:
    return Update(
        package=package,
        from_version="1.0.0",
        from_spec="==1.0.0",
        to_version=to,
        to_spec=f"=={to}",
        update_type=kind,
        manifest="requirements.txt",
        line=1,
        releases_behind=3,
        days_behind=100,
        released=NOW - timedelta(days=age),
        development=development,
        group=None,
    )
