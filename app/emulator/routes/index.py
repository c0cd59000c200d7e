"""A recorded package index (PEP 691) and its distribution files, so the sandbox needs no
network. Mounted only when the emulator is given an index directory."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import APIRouter, Response

from app.emulator.index import local_file_urls

INDEX_JSON = "application/vnd.pypi.simple.v1+json"


def index_router(directory: Path) -> APIRouter:
    router = APIRouter()

    @router.get("/simple/{project}/")
    @router.get("/simple/{project}")
    def project_page(project: str) -> Response:
        name = re.sub(r"[-_.]+", "-", project).lower()
        page = directory / f"{name}.json"
        if not page.is_file():
            return Response("Not Found", 404)
        return Response(local_file_urls(page.read_bytes()), 200, media_type=INDEX_JSON)

    @router.get("/files/{filename}")
    def distribution_file(filename: str) -> Response:
        path = directory / "files" / filename
        if "/" in filename or filename.startswith(".") or not path.is_file():
            return Response("Not Found", 404)
        return Response(path.read_bytes(), 200, media_type="application/octet-stream")

    return router
