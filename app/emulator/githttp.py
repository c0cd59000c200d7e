"""Git's smart HTTP protocol, served by running `git http-backend` as a CGI program."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class CgiResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def http_backend(
    project_root: Path,
    path_info: str,
    method: str,
    query: str,
    headers: dict[str, str],
    body: bytes,
    remote_user: str,
) -> CgiResponse:
    """Run one smart-HTTP request (`info/refs`, `git-upload-pack`, `git-receive-pack`)."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "GIT_PROJECT_ROOT": str(project_root),
        "GIT_HTTP_EXPORT_ALL": "1",
        "GIT_CONFIG_NOSYSTEM": "1",
        "PATH_INFO": path_info,
        "REQUEST_METHOD": method,
        "QUERY_STRING": query,
        "CONTENT_TYPE": headers.get("content-type", ""),
        "CONTENT_LENGTH": str(len(body)),
        "REMOTE_USER": remote_user,
        "REMOTE_ADDR": "127.0.0.1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "GATEWAY_INTERFACE": "CGI/1.1",
    }
    if "content-encoding" in headers:
        env["HTTP_CONTENT_ENCODING"] = headers["content-encoding"]
    if "git-protocol" in headers:
        env["GIT_PROTOCOL"] = headers["git-protocol"]
    completed = subprocess.run(
        ["git", "http-backend"], input=body, capture_output=True, env=env, check=False
    )
    return parse_cgi(completed.stdout)


def parse_cgi(output: bytes) -> CgiResponse:
    head, separator, body = output.partition(b"\r\n\r\n")
    if not separator:
        head, separator, body = output.partition(b"\n\n")
    status = 200
    headers: list[tuple[str, str]] = []
    for line in head.decode("latin-1").splitlines():
        name, _, value = line.partition(":")
        if not name:
            continue
        if name.lower() == "status":
            status = int(value.strip().split()[0])
        else:
            headers.append((name.strip(), value.strip()))
    if not separator:
        return CgiResponse(500, [("Content-Type", "text/plain")], b"git http-backend failed")
    return CgiResponse(status, headers, body)
