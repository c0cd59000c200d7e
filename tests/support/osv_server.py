"""A local OSV-compatible API (``/v1/query``, ``/v1/querybatch``, ``/v1/vulns/{id}``).

It serves the real records under ``fixtures/advisory-database`` and matches a version only by
the records' explicit ``versions`` lists, independently of the range logic under test.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from tests.support import FIXTURES
from tests.support.local_server import QuietHandler, serving

ADVISORY_DB = FIXTURES / "advisory-database"
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_records(root: Path = ADVISORY_DB) -> dict[str, dict[str, Any]]:
    records: dict[str, dict[str, Any]] = {}
    for path in sorted((root / "vulns").glob("*/*.yaml")):
        record = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
        for key in ("published", "modified", "withdrawn"):
            if isinstance(record.get(key), datetime):
                # YAML reads unquoted timestamps as datetimes; OSV serves RFC 3339 text.
                stamp = record[key].astimezone(UTC).replace(tzinfo=None)
                record[key] = stamp.isoformat(timespec="microseconds") + "Z"
        records[record["id"]] = record
    return records


@dataclass
class OsvServer:
    url: str
    records: dict[str, dict[str, Any]]
    requests: list[tuple[str, str]] = field(default_factory=list)
    mode: str = "normal"
    delay: float = 0.0

    @property
    def query_url(self) -> str:
        return f"{self.url}/v1/query"

    def __post_init__(self) -> None:
        self.by_package: dict[str, list[dict[str, Any]]] = {}
        for record in self.records.values():
            names = {canonicalize_name(a["package"]["name"]) for a in record.get("affected", [])}
            for name in names:
                self.by_package.setdefault(name, []).append(record)

    def matching(self, name: str, version: str) -> list[dict[str, Any]]:
        wanted = canonicalize_name(name)
        found = []
        for record in self.by_package.get(wanted, []):
            for affected in record.get("affected", []):
                package = affected["package"]
                if package["ecosystem"] != "PyPI" or canonicalize_name(package["name"]) != wanted:
                    continue
                if _listed(version, affected.get("versions", [])):
                    found.append(record)
                    break
        return found


def _listed(version: str, listed: list[Any]) -> bool:
    """PEP 440 equality, as osv.dev compares PyPI versions (``2.2.0`` is ``2.2``)."""
    try:
        wanted = Version(version)
    except InvalidVersion:
        return version in [str(v) for v in listed]
    for item in listed:
        try:
            if Version(str(item)) == wanted:
                return True
        except InvalidVersion:
            continue
    return False


class _Handler(QuietHandler):
    state: OsvServer

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.state.requests.append((self.path, body.decode()))
        if self._misbehaves():
            return
        try:
            query = json.loads(body)
        except json.JSONDecodeError:
            self._send(400, {"code": 3, "message": "invalid JSON"})
            return
        if self.path == "/v1/query":
            self._send(200, self._answer(query))
        elif self.path == "/v1/querybatch":
            results = [
                {"vulns": [{"id": v["id"], "modified": v["modified"]} for v in found]}
                if (found := self._answer(q).get("vulns"))
                else {}
                for q in query.get("queries", [])
            ]
            self._send(200, {"results": results})
        else:
            self._send(404, {"code": 5, "message": "not found"})

    def do_GET(self) -> None:
        self.state.requests.append((self.path, ""))
        if self._misbehaves():
            return
        prefix = "/v1/vulns/"
        record = self.state.records.get(self.path.removeprefix(prefix))
        if self.path.startswith(prefix) and record is not None:
            self._send(200, record)
        else:
            self._send(404, {"code": 5, "message": "Bug not found."})

    def _answer(self, query: dict[str, Any]) -> dict[str, Any]:
        package = query.get("package", {})
        found = self.state.matching(package.get("name", ""), query.get("version", ""))
        return {"vulns": found} if found else {}

    def _misbehaves(self) -> bool:
        if self.state.delay:
            time.sleep(self.state.delay)
        if self.state.mode == "error":
            self._send(500, {"code": 13, "message": "internal error"})
            return True
        return False

    def _send(self, status: int, document: dict[str, Any]) -> None:
        body = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def osv_server(records: dict[str, dict[str, Any]] | None = None) -> Iterator[OsvServer]:
    state = OsvServer(url="", records=records if records is not None else load_records())
    handler = type("Handler", (_Handler,), {"state": state})
    with serving(handler) as url:
        state.url = url
        yield state
