"""Read wheels and sdists without trusting them: bounded member counts and sizes, no paths
outside the target directory, no links; only Python sources are unpacked."""

from __future__ import annotations

import os
import shutil
import tarfile
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

MAX_MEMBERS = 20_000
MAX_MEMBER_BYTES = 8 * 1024 * 1024
MAX_TOTAL_BYTES = 256 * 1024 * 1024
SOURCE_SUFFIXES = (".py", ".pyi")
COMPILED_SUFFIXES = (".so", ".pyd")


class ArchiveError(Exception):
    """An archive that is not a readable wheel or sdist, or breaks a bound."""


@dataclass(frozen=True)
class Member:
    name: str
    """The path inside the archive, ``/``-separated, without the sdist's top directory."""
    size: int


def _safe(name: str) -> str | None:
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts or not path.parts:
        return None
    return str(path)


@contextmanager
def _opened(path: Path) -> Iterator[tuple[list[Member], Callable[[str], IO[bytes] | None]]]:
    """The archive's regular-file members and a function opening one of them."""
    name = path.name
    try:
        if name.endswith((".whl", ".zip")):
            with zipfile.ZipFile(path) as archive:
                infos = [i for i in archive.infolist() if not i.is_dir()]
                _check_count(len(infos), name)
                strip = _sdist_root([i.filename for i in infos]) if name.endswith(".zip") else ""
                by_name = {}
                for info in infos:
                    safe = _safe(info.filename.removeprefix(strip))
                    if safe is not None:
                        by_name[safe] = info

                def open_zip(member: str) -> IO[bytes] | None:
                    info = by_name.get(member)
                    return archive.open(info) if info is not None else None

                yield [Member(n, i.file_size) for n, i in by_name.items()], open_zip
        elif name.endswith((".tar.gz", ".tgz", ".tar.bz2")):
            with tarfile.open(path, "r:*") as tar:
                entries: list[tarfile.TarInfo] = []
                for count, entry in enumerate(tar, 1):
                    _check_count(count, name)
                    if entry.isfile():
                        entries.append(entry)
                strip = _sdist_root([i.name for i in entries])
                by_tar: dict[str, tarfile.TarInfo] = {}
                for entry in entries:
                    safe = _safe(entry.name.removeprefix(strip))
                    if safe is not None:
                        by_tar[safe] = entry

                def open_tar(member: str) -> IO[bytes] | None:
                    found = by_tar.get(member)
                    return tar.extractfile(found) if found is not None else None

                yield [Member(n, i.size) for n, i in by_tar.items()], open_tar
        else:
            raise ArchiveError(f"{name}: not a wheel or an sdist")
    except (zipfile.BadZipFile, tarfile.TarError, EOFError, OSError) as exc:
        raise ArchiveError(f"{name}: unreadable archive: {exc}") from exc


def _check_count(count: int, name: str) -> None:
    if count > MAX_MEMBERS:
        raise ArchiveError(f"{name}: more than {MAX_MEMBERS} members")


def _sdist_root(names: list[str]) -> str:
    """The single top directory of an sdist (``pkg-1.0/``), stripped from member names."""
    tops = {n.split("/", 1)[0] for n in names if "/" in n}
    return f"{tops.pop()}/" if len(tops) == 1 and all("/" in n for n in names) else ""


def members(path: Path) -> list[Member]:
    with _opened(path) as (found, _):
        return found


def read_member(path: Path, member: str, limit: int = MAX_MEMBER_BYTES) -> bytes | None:
    return read_members(path, lambda name: name == member, limit).get(member)


def read_members(
    path: Path, wanted: Callable[[str], bool], limit: int = MAX_MEMBER_BYTES
) -> dict[str, bytes]:
    """The members whose name ``wanted`` accepts, read in one pass over the archive."""
    found: dict[str, bytes] = {}
    with _opened(path) as (listed, open_member):
        for member in listed:
            if not wanted(member.name):
                continue
            if member.size > limit:
                raise ArchiveError(f"{path.name}: {member.name} is larger than {limit} bytes")
            stream = open_member(member.name)
            if stream is not None:
                with stream:
                    found[member.name] = stream.read(limit)
    return found


def unpack_sources(path: Path, target: Path) -> Path:
    """Unpack the ``.py``/``.pyi`` files of ``path`` into ``target`` (once; atomic rename)."""
    if target.is_dir():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(dir=target.parent, suffix=".part"))
    total = 0
    try:
        with _opened(path) as (found, open_member):
            for member in found:
                if not member.name.endswith(SOURCE_SUFFIXES) or member.size > MAX_MEMBER_BYTES:
                    continue
                total += member.size
                if total > MAX_TOTAL_BYTES:
                    raise ArchiveError(f"{path.name}: sources larger than {MAX_TOTAL_BYTES} bytes")
                stream = open_member(member.name)
                if stream is None:
                    continue
                destination = scratch / member.name
                destination.parent.mkdir(parents=True, exist_ok=True)
                with stream, destination.open("wb") as out:
                    out.write(stream.read(MAX_MEMBER_BYTES))
        try:
            os.replace(scratch, target)
        except OSError:
            if not target.is_dir():  # a concurrent scan may have won the race
                raise
    finally:
        if scratch.exists():
            shutil.rmtree(scratch, ignore_errors=True)
    return target
