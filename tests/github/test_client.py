"""The GitHub adapter: token caching and refresh, the error taxonomy, and secret hygiene."""

from __future__ import annotations

import logging
import time

import pytest
from prometheus_client import CollectorRegistry
from pydantic import SecretStr

from app.github import (
    AppCredentials,
    AuthError,
    GitHub,
    GitHubError,
    GraphQLError,
    NotFound,
    RateLimited,
    ServerError,
)
from app.metrics import Metrics
from tests.support.harness import APP_ID, INSTALLATION_ID, REPO, Harness, running_emulator

TOKEN_PATH = f"/app/installations/{INSTALLATION_ID}/access_tokens"


def token_requests(harness: Harness) -> int:
    log = harness.admin("GET", "/requests").json()
    return sum(1 for r in log if r["path"] == TOKEN_PATH and r["status"] == 201)


def test_token_is_cached_then_refreshed_after_401(harness: Harness) -> None:
    with harness.github() as gh:
        inst = gh.installation(INSTALLATION_ID)
        for _ in range(3):
            inst.repository(REPO)
        assert token_requests(harness) == 1
        harness.admin("POST", "/tokens/expire")  # GitHub revoked or expired it early
        assert inst.repository(REPO).full_name == REPO
        assert token_requests(harness) == 2


def test_one_token_cache_per_client_shared_with_git(harness: Harness) -> None:
    with harness.github() as gh:
        gh.installation(INSTALLATION_ID).repository(REPO)
        other = gh.installation(INSTALLATION_ID)  # another handle, as a second handler builds
        other.repository(REPO)
        assert other.token().get_secret_value() in harness.admin("GET", "/tokens").json()
    assert token_requests(harness) == 1


def test_token_near_expiry_is_refreshed_before_use(tmp_path) -> None:
    # Tokens living 100 s are inside the 120 s refresh margin: every use asks for a new one.
    with running_emulator(tmp_path / "e", token_ttl=100) as harness:
        harness.seed()
        with harness.github() as gh:
            inst = gh.installation(INSTALLATION_ID)
            inst.repository(REPO)
            inst.repository(REPO)
        assert token_requests(harness) == 2
        log = harness.admin("GET", "/requests").json()
        assert all(r["status"] != 401 for r in log)


@pytest.mark.parametrize(
    ("fault", "error", "status", "retry_after"),
    [
        ({"kind": "error", "status": 500}, ServerError, 500, None),
        ({"kind": "error", "status": 502}, ServerError, 502, None),
        ({"kind": "rate_limit", "retry_after": 7}, RateLimited, 429, 7.0),
        ({"kind": "secondary", "retry_after": 30}, RateLimited, 403, 30.0),
        ({"kind": "secondary"}, RateLimited, 403, 60.0),
    ],
)
def test_faults_map_to_the_taxonomy(harness, fault, error, status, retry_after) -> None:
    harness.admin("POST", "/faults", {"path": f"/repos/{REPO}", "count": 1, **fault})
    with harness.github() as gh:
        inst = gh.installation(INSTALLATION_ID)
        with pytest.raises(error) as caught:
            inst.repository(REPO)
        assert caught.value.status == status and caught.value.retryable
        if retry_after is not None:
            assert caught.value.retry_after == retry_after
        assert inst.repository(REPO).full_name == REPO  # the fault was for one call only


def test_plain_errors_are_not_retryable(harness: Harness) -> None:
    with harness.github() as gh:
        with pytest.raises(NotFound) as caught:
            gh.installation(INSTALLATION_ID).repository("octo-org/absent")
        assert not caught.value.retryable
        with pytest.raises(GitHubError):
            gh.installation(12345).repository(REPO)  # no such installation


def test_wrong_key_is_an_auth_error(harness: Harness) -> None:
    from app.emulator.keys import generate

    other = AppCredentials(APP_ID, SecretStr(generate().private_pem))
    with GitHub(harness.url, other) as gh, pytest.raises(AuthError):
        gh.installation(INSTALLATION_ID).repository(REPO)


def test_unreachable_github_is_a_server_error() -> None:
    from tests.support.harness import app_keys

    credentials = AppCredentials(APP_ID, SecretStr(app_keys().private_pem))
    with GitHub("http://127.0.0.1:9", credentials) as gh, pytest.raises(ServerError) as caught:
        gh.installation(INSTALLATION_ID).repository(REPO)
    assert caught.value.retryable


def test_unusable_key_error_does_not_quote_it() -> None:
    secret = "-----BEGIN PRIVATE KEY-----\nnot-a-real-key-but-secret\n-----END PRIVATE KEY-----"
    credentials = AppCredentials(APP_ID, SecretStr(secret))
    with GitHub("http://127.0.0.1:9", credentials) as gh:
        with pytest.raises(AuthError) as signing:
            gh.app_jwt()
        with pytest.raises(AuthError) as asking:
            gh.installation(INSTALLATION_ID).repository(REPO)
    for caught in (signing, asking):
        assert "not-a-real-key" not in str(caught.value)
    assert "secret" not in repr(credentials) and "secret" not in repr(credentials.strategy())


def test_no_token_or_key_in_logs(harness: Harness, caplog: pytest.LogCaptureFixture) -> None:
    from tests.support.harness import app_keys

    caplog.set_level(logging.DEBUG)
    harness.admin("POST", "/faults", {"path": f"/repos/{REPO}", "count": 1, "status": 500})
    with harness.github() as gh:
        inst = gh.installation(INSTALLATION_ID)
        with pytest.raises(ServerError) as caught:
            inst.repository(REPO)
        inst.repository(REPO)
        token = inst.token().get_secret_value()
        jwt_token = gh.app_jwt()
    text = caplog.text + str(caught.value) + repr(inst.token())
    assert caplog.records  # httpx logged the requests
    for secret in (token, jwt_token, app_keys().private_pem.splitlines()[1]):
        assert secret not in text


def test_content_creating_requests_are_paced(harness: Harness) -> None:
    with harness.github(write_interval=0.25) as gh:
        inst = gh.installation(INSTALLATION_ID)
        main = inst.branch_sha(REPO, "main")
        assert main is not None
        started = time.monotonic()
        for name in ("a", "b", "c"):
            inst.create_check_run(
                REPO, name=name, head_sha=main, conclusion="success", title=name, summary=name
            )
        assert time.monotonic() - started >= 0.5


def test_pagination_follows_link_headers(harness: Harness) -> None:
    with harness.github() as gh:
        inst = gh.installation(INSTALLATION_ID)
        main = inst.branch_sha(REPO, "main")
        assert main is not None
        for index in range(5):
            inst.create_check_run(
                REPO, name=f"c{index}", head_sha=main, conclusion="success", title="t", summary="s"
            )
        runs = inst.paginate(f"/repos/{REPO}/commits/{main}/check-runs", {"per_page": 2})
        assert sorted(r["name"] for r in runs) == [f"c{i}" for i in range(5)]
    pages = [r for r in harness.admin("GET", "/requests").json() if "check-runs" in r["path"]]
    assert sum(1 for r in pages if r["method"] == "GET") == 3


def test_enterprise_server_base_url_with_a_path(tmp_path) -> None:
    """GHES serves the API under /api/v3: the client and clone URLs follow MAINTAINER_GITHUB_URL."""
    from fastapi import FastAPI

    from app.emulator import Emulator
    from app.emulator.server import ServerThread
    from app.workspace import Workspace
    from tests.support.harness import DEMO_TREE, app_keys

    emulator = Emulator(tmp_path / "e", app_keys().public_pem, app_id=APP_ID)
    emulator.seed(REPO, DEMO_TREE)
    emulator.install(INSTALLATION_ID, "octo-org", [REPO])
    host = FastAPI()
    host.mount("/api/v3", emulator.app)
    host.mount("/api", emulator.app)  # GHES serves GraphQL at /api/graphql
    with ServerThread(host) as server:
        credentials = AppCredentials(APP_ID, SecretStr(app_keys().private_pem))
        with GitHub(f"{server.url}/api/v3", credentials) as gh:
            inst = gh.installation(INSTALLATION_ID)
            repo = inst.repository(REPO)
            assert repo.clone_url == f"{server.url}/api/v3/{REPO}.git"
            checkout = Workspace(tmp_path / "cache").checkout(
                REPO, repo.clone_url, "main", inst.token()
            )
            assert (checkout.path / "requirements.txt").is_file()
            with pytest.raises(GraphQLError, match="only markPullRequestReadyForReview"):
                inst.graphql("query { viewer { login } }", {})
    graphql = [r.path for r in emulator.state.requests if r.path.endswith("graphql")]
    assert graphql == ["/api/graphql"]


def test_every_request_is_counted_by_family_and_status_with_the_rate_limit(
    harness: Harness,
) -> None:
    telemetry = Metrics(CollectorRegistry())
    harness.admin("POST", "/faults", {"path": f"/repos/{REPO}", "count": 1, "status": 502})
    with harness.github(telemetry=telemetry) as gh:
        inst = gh.installation(INSTALLATION_ID)
        with pytest.raises(ServerError):
            inst.repository(REPO)
        inst.repository(REPO)
        inst.repository(REPO)
        with pytest.raises(NotFound):
            inst.repository("octo/not-there")
    count = telemetry.registry.get_sample_value
    name = "maintainer_github_requests_total"
    assert count(name, {"family": "app", "method": "POST", "status": "201"}) == 1.0
    assert count(name, {"family": "repos", "method": "GET", "status": "502"}) == 1.0
    assert count(name, {"family": "repos", "method": "GET", "status": "200"}) == 1.0
    # the second read was conditional: GitHub's 304 is counted as what it is
    assert count(name, {"family": "repos", "method": "GET", "status": "304"}) == 1.0
    assert count(name, {"family": "repos", "method": "GET", "status": "404"}) == 1.0
    # the emulator counts like GitHub: 5,000 an hour per token, a 304 not among them; the
    # token request was the App's
    remaining = count("maintainer_github_rate_limit_remaining", {"resource": "core"})
    assert remaining == 5000 - 3


def test_a_users_id_is_asked_once_per_client(harness: Harness) -> None:
    bot = harness.emulator.state.bot.login

    def asked() -> int:
        log = harness.admin("GET", "/requests").json()
        return sum(1 for r in log if r["path"].startswith("/users/"))

    with harness.github() as gh:
        first = gh.installation(INSTALLATION_ID).user_id(bot)
        assert gh.installation(INSTALLATION_ID).user_id(bot) == first  # another handle
        assert asked() == 1
    with harness.github() as gh:  # a new client asks again
        assert gh.installation(INSTALLATION_ID).user_id(bot) == first
    assert asked() == 2
