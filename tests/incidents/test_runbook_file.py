"""Runbook files (`runbooks/<alertname>.yml`) read strictly and within bounds, and the
operator's allowlist of action endpoints (`MAINTAINER_RUNBOOK_ENDPOINTS`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import SecretStr

from app.incidents.runbooks import (
    RunbookError,
    human_runbook_url,
    load_runbook,
    parse_runbook,
    runbook_path,
)
from app.settings import Settings, SettingsError

PATH = "runbooks/HighLatency.yml"


def test_a_runbook_reads_its_ordered_steps() -> None:
    runbook = parse_runbook(
        "steps:\n"
        "  - {name: flush, kind: http, endpoint: cache, method: PUT, body: {a: 1}, auto: true}\n"
        "  - {name: more, kind: scale, endpoint: ops, replicas: 3}\n"
        "  - {name: back, kind: rollback}\n",
        PATH,
    )
    assert [(s.name, s.kind, s.auto) for s in runbook.steps] == [
        ("flush", "http", True),
        ("more", "scale", False),
        ("back", "rollback", False),
    ]
    flush, more, _ = runbook.steps
    assert flush.request_body({}) == '{"a": 1}' and flush.method == "PUT"
    sent = json.loads(more.request_body({"service": "web"}) or "")
    assert sent == {"action": "scale", "replicas": 3, "service": "web"}
    assert runbook.step("MORE") is more and runbook.step("none") is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("steps: []\n", "steps: List should have at least 1 item"),
        ("- a\n", "expected a mapping with `steps:`"),
        ("steps:\n  - {name: x, kind: http}\n", "needs an `endpoint`"),
        ("steps:\n  - {name: x, kind: rollback, endpoint: ops}\n", "takes no endpoint"),
        ("steps:\n  - {name: x, kind: scale, endpoint: ops}\n", "needs `replicas`"),
        ("steps:\n  - {name: x, kind: http, endpoint: ops, replicas: 2}\n", "only a scale"),
        ("steps:\n  - {name: X Y, kind: restart, endpoint: ops}\n", "steps.0.name"),
        ("steps:\n  - {name: x, kind: http, endpoint: 'http://10.0.0.1/'}\n", "steps.0.endpoint"),
        ("steps:\n  - {name: x, kind: http, endpoint: a, url: b}\n", "steps.0.url: Extra"),
        (
            "steps:\n  - {name: x, kind: restart, endpoint: a}\n"
            "  - {name: x, kind: restart, endpoint: b}\n",
            "two steps are named 'x'",
        ),
        ("steps:\n  - {name: x, kind: http, endpoint: a, body: '" + "b" * 9000 + "'}\n", "8192"),
        (
            "a: &a [1,1,1,1,1,1,1,1,1,1]\n"
            + "".join(
                f"{c}: &{c} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n"
                for p, c in zip("abcde", "bcdef", strict=True)
            ),
            "alias bomb",
        ),
    ],
)
def test_a_bad_runbook_is_refused_with_a_message_naming_the_key(text: str, message: str) -> None:
    with pytest.raises(RunbookError) as caught:
        parse_runbook(text, PATH)
    assert str(caught.value).startswith(PATH) and message in str(caught.value)


def test_the_file_is_found_by_the_alert_name_and_stays_inside_the_checkout(
    tmp_path: Path,
) -> None:
    root = tmp_path / "checkout"
    (root / "runbooks").mkdir(parents=True)
    assert load_runbook(root, "HighLatency") is None  # no runbook: nothing to say
    (root / PATH).write_text("steps:\n  - {name: go, kind: restart, endpoint: ops}\n")
    loaded = load_runbook(root, "HighLatency")
    assert loaded is not None and loaded.steps[0].name == "go"
    for name in ("../HighLatency", "a/b", "", ".hidden", "x" * 200):
        with pytest.raises(RunbookError, match="cannot name a runbook file"):
            runbook_path(name)
    outside = tmp_path / "secret.yml"
    outside.write_text("steps:\n  - {name: go, kind: restart, endpoint: ops}\n")
    (root / "runbooks" / "Leak.yml").symlink_to(outside)
    with pytest.raises(RunbookError, match="not a file inside the repository"):
        load_runbook(root, "Leak")
    (root / "runbooks" / "Bytes.yml").write_bytes(b"\xff\xfe steps")
    with pytest.raises(RunbookError, match="not UTF-8"):
        load_runbook(root, "Bytes")


def test_only_plain_http_runbook_urls_are_linked() -> None:
    assert human_runbook_url({"runbook_url": "https://wiki/x"}) == "https://wiki/x"
    for bad in ("javascript:alert(1)", "https://a/b) [x](https://evil", "", "file:///etc"):
        assert human_runbook_url({"runbook_url": bad}) is None


def test_the_endpoint_allowlist_is_a_json_object_or_a_file(tmp_path: Path) -> None:
    def urls(value: str) -> dict[str, str]:
        found = Settings(runbook_endpoints=SecretStr(value)).runbook_endpoint_urls()
        return {name: url.get_secret_value() for name, url in found.items()}

    assert Settings().runbook_endpoint_urls() == {}
    assert urls('{"ops": "https://ops.internal/restart"}') == {
        "ops": "https://ops.internal/restart"
    }
    listed = tmp_path / "endpoints.json"
    listed.write_text('{"cache": "http://127.0.0.1:9/flush"}')
    assert urls(str(listed)) == {"cache": "http://127.0.0.1:9/flush"}
    for bad, message in [
        ("{", "not a JSON object"),
        ('{"ops": "ftp://x/"}', "not an http(s) URL"),
        ('{"ops": 3}', "not an http(s) URL"),
        ('{"../x": "http://a/"}', "not an endpoint name"),
        (str(tmp_path / "absent.json"), "cannot read"),
    ]:
        with pytest.raises(SettingsError, match="MAINTAINER_RUNBOOK_ENDPOINTS") as caught:
            urls(bad)
        assert message in str(caught.value)
    assert "tok-7f3a" not in repr(Settings(runbook_token=SecretStr("tok-7f3a")))
