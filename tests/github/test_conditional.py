"""Conditional requests: the adapter keeps GET answers with their ETag and asks again with
`If-None-Match`; the emulator answers `304 Not Modified` like GitHub, without counting it."""

from __future__ import annotations

import zlib

import httpx
import pytest

from app.github import client
from app.github.client import ETagCache, _Kept
from tests.support.harness import INSTALLATION_ID, REPO, Harness


def requests_since(harness: Harness, start: int) -> list[tuple[str, str, int]]:
    log = harness.admin("GET", "/requests").json()[start:]
    return [(r["method"], r["path"], r["status"]) for r in log]


def logged(harness: Harness) -> int:
    return len(harness.admin("GET", "/requests").json())


def test_an_unchanged_resource_is_answered_304_and_the_kept_body_is_used(
    harness: Harness,
) -> None:
    with harness.github() as gh:
        inst = gh.installation(INSTALLATION_ID)
        inst.token()
        start = logged(harness)
        first = inst.repository(REPO)
        again = inst.repository(REPO)
        # a new Installation of the same client (each scan makes one) shares the kept answers
        third = gh.installation(INSTALLATION_ID).repository(REPO)
    assert first == again == third
    path = f"/repos/{REPO}"
    assert requests_since(harness, start) == [
        ("GET", path, 200),
        ("GET", path, 304),
        ("GET", path, 304),
    ]


def test_the_emulator_sends_etags_answers_304_and_does_not_count_it(harness: Harness) -> None:
    with harness.github() as gh:
        token = gh.installation(INSTALLATION_ID).token().get_secret_value()
    url = f"{harness.url}/repos/{REPO}"
    auth = {"Authorization": f"token {token}"}
    first = httpx.get(url, headers=auth)
    etag = first.headers["etag"]
    assert first.status_code == 200 and etag.startswith('W/"')
    used = int(first.headers["x-ratelimit-used"])
    for tag in (etag, etag.removeprefix("W/"), f'"other", {etag}', "*"):
        unchanged = httpx.get(url, headers={**auth, "If-None-Match": tag})
        assert unchanged.status_code == 304 and unchanged.content == b""
        assert unchanged.headers["etag"] == etag
        assert int(unchanged.headers["x-ratelimit-used"]) == used  # not counted
    other = httpx.get(url, headers={**auth, "If-None-Match": 'W/"something-else"'})
    assert other.status_code == 200 and other.json() == first.json()
    assert int(other.headers["x-ratelimit-used"]) == used + 1


def test_a_changed_resource_gets_200_and_the_new_body(harness: Harness) -> None:
    with harness.github() as gh:
        inst = gh.installation(INSTALLATION_ID)
        made = inst.create_issue(REPO, title="Before", body="")
        assert inst.issue(REPO, made.number).title == "Before"
        inst.update_issue(REPO, made.number, title="After")  # our own write
        start = logged(harness)
        assert inst.issue(REPO, made.number).title == "After"
        assert inst.issue(REPO, made.number).title == "After"
    path = f"/repos/{REPO}/issues/{made.number}"
    assert requests_since(harness, start) == [("GET", path, 200), ("GET", path, 304)]


def test_a_change_made_elsewhere_is_seen_before_a_write(harness: Harness) -> None:
    """Another worker (another client, another cache) closes an issue between two listings
    of this one: the second listing is GitHub's current one, not the kept one."""
    with harness.github() as gh, harness.github() as elsewhere:
        inst = gh.installation(INSTALLATION_ID)
        numbers = [inst.create_issue(REPO, title=f"I{n}", body="").number for n in range(3)]
        listed = {i.number for i in inst.issues(REPO)}
        assert set(numbers) <= listed
        other = elsewhere.installation(INSTALLATION_ID)
        other.update_issue(REPO, numbers[0], state="closed")
        after = {i.number for i in inst.issues(REPO)}
        assert numbers[0] not in after and set(numbers[1:]) <= after
        # what a write would be decided on: the issue as it is now
        assert inst.issue(REPO, numbers[0]).state == "closed"


def test_every_page_of_a_listing_is_conditional_and_the_pages_still_follow(
    harness: Harness,
) -> None:
    with harness.github() as gh:
        inst = gh.installation(INSTALLATION_ID)
        for n in range(3):
            inst.create_issue(REPO, title=f"Page {n}", body="")
        path = f"/repos/{REPO}/issues"
        first = inst.paginate(path, {"per_page": 1, "state": "open"})
        start = logged(harness)
        again = inst.paginate(path, {"per_page": 1, "state": "open"})
    assert again == first and len(first) >= 3
    statuses = [status for _, _, status in requests_since(harness, start)]
    assert statuses == [304] * len(first)  # the kept Link header led to each next page


def test_kept_answers_are_per_installation() -> None:
    cache = ETagCache()
    kept = _Kept('W/"a"', (), zlib.compress(b"{}"))
    cache.put(("1", "https://h/repos/o/r", "", ""), kept)
    assert cache.get(("2", "https://h/repos/o/r", "", "")) is None
    assert cache.get(("1", "https://h/repos/o/r", "", "")) == kept


def test_the_cache_is_bounded_least_recently_used_out_first() -> None:
    cache = ETagCache(entries=2, size=100)

    def key(n: int) -> tuple[str, ...]:
        return ("1", f"https://h/{n}", "", "")

    def body(size: int) -> _Kept:
        return _Kept('W/"x"', (), b"x" * size)

    cache.put(key(1), body(10))
    cache.put(key(2), body(10))
    assert cache.get(key(1)) is not None  # 1 is now the most recently used
    cache.put(key(3), body(10))
    assert cache.get(key(2)) is None and len(cache) == 2
    cache.put(key(4), body(95))  # over the byte bound with anything else
    assert len(cache) == 1 and cache.bytes == 95
    cache.put(key(5), body(101))  # larger than the whole cache: not kept
    assert cache.get(key(5)) is None and cache.bytes == 95


def test_a_large_answer_is_not_kept(harness: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(client, "ETAG_BODY_MAX", 4096)  # GitHub caps a body at 65,536
    with harness.github() as gh:
        inst = gh.installation(INSTALLATION_ID)
        inst.create_issue(REPO, title="Large", body="x" * 5000)
        start = logged(harness)
        inst.issues(REPO)
        inst.issues(REPO)
    statuses = [status for _, _, status in requests_since(harness, start)]
    assert statuses == [200, 200]
