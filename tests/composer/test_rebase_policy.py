"""When the composer pushes a fresh commit over an open bot PR (the `rebase` policy)."""

from __future__ import annotations

import pytest

from app.composer.github import should_update_branch


@pytest.mark.parametrize(
    ("policy", "requested", "same_edit", "expected"),
    [
        ("conflicted", False, True, False),  # only behind: left alone (no CI storm)
        ("conflicted", False, False, True),  # the base changed what the PR edits
        ("behind", False, True, True),
        ("never", False, False, False),
        ("never", True, True, True),  # /maintainer rebase
        ("conflicted", True, True, True),
    ],
)
def test_rebase_policy(policy: str, requested: bool, same_edit: bool, expected: bool) -> None:
    assert should_update_branch(policy, requested=requested, same_edit=same_edit) is expected  # type: ignore[arg-type]
