"""The helpers every emulator route shares: credentials and GitHub's pagination."""

from __future__ import annotations

import base64

import pytest
from starlette.requests import Request

from app.emulator.rest import ApiError, credential, page


def request(query: str = "", authorization: str | None = None) -> Request:
    headers = [] if authorization is None else [(b"authorization", authorization.encode())]
    scope = {
        "type": "http",
        "method": "GET",
        "scheme": "http",
        "server": ("127.0.0.1", 9000),
        "path": "/repos/o/r/pulls",
        "root_path": "",
        "query_string": query.encode(),
        "headers": headers,
    }
    return Request(scope)


def test_credentials_from_token_bearer_and_basic() -> None:
    assert credential(request(authorization="token ghs_1")) == "ghs_1"
    assert credential(request(authorization="Bearer a.b.c")) == "a.b.c"
    basic = base64.b64encode(b"x-access-token:ghs_2").decode()
    assert credential(request(authorization=f"Basic {basic}")) == "ghs_2"
    with pytest.raises(ApiError) as caught:
        credential(request())
    assert caught.value.status == 401


def test_pages_carry_a_next_link_until_the_last() -> None:
    items = list(range(5))
    first, headers = page(request("per_page=2"), items)
    assert first == [0, 1]
    assert (
        headers["Link"] == '<http://127.0.0.1:9000/repos/o/r/pulls?page=2&per_page=2>; rel="next"'
    )
    last, headers = page(request("per_page=2&page=3"), items)
    assert last == [4] and headers == {}
    capped, _ = page(request("per_page=1000"), list(range(150)))
    assert len(capped) == 100
    with pytest.raises(ApiError) as caught:
        page(request("page=two"), items)
    assert caught.value.status == 422
