"""CI artifact archives (zip files downloaded from GitHub Actions), read in memory, bounded.

An artifact is untrusted input: the archive may be truncated or not a zip at all, may hold
thousands of members, members that expand far beyond their compressed size (a zip bomb), or
names that try to leave a folder. Nothing is ever extracted to disk; each wanted member is
read through a stream that stops one byte past its limit (the sizes in the zip's headers are
not trusted), and the total read is bounded too. Any breach raises :class:`ArtifactError` with
its reason, and the caller records that reason instead of the artifact's content.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath

MAX_MEMBERS = 2_000
MAX_MEMBER_BYTES = 64 * 1024 * 1024
MAX_TOTAL_BYTES = 512 * 1024 * 1024
MAX_RATIO = 200
"""Uncompressed ÷ compressed size above which a member (over `_RATIO_FLOOR`) is a zip bomb."""
MAX_NAME_CHARS = 512
_RATIO_FLOOR = 1024 * 1024
_CHUNK = 1 << 16
_DAMAGED = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, ValueError)


class ArtifactError(Exception):
    """An artifact that cannot be read; ``reason`` says why; ``corrupt``: damaged (rather than
    refused for breaking a bound)."""

    def __init__(self, reason: str, *, corrupt: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.corrupt = corrupt


@dataclass(frozen=True)
class Limits:
    members: int = MAX_MEMBERS
    member_bytes: int = MAX_MEMBER_BYTES
    total_bytes: int = MAX_TOTAL_BYTES
    ratio: int = MAX_RATIO


@dataclass(frozen=True)
class Member:
    name: str
    data: bytes


def safe_name(name: str) -> bool:
    """A relative path inside the archive: no drive, root, `..`, backslash or control char."""
    if not name or len(name) > MAX_NAME_CHARS or "\\" in name:
        return False
    if any(ord(c) < 32 for c in name) or name.startswith("/") or ":" in name.split("/")[0]:
        return False
    return ".." not in PurePosixPath(name).parts


def read_members(
    data: bytes, wanted: Callable[[str], bool], limits: Limits = Limits()
) -> list[Member]:
    """The members whose name `wanted` accepts, in archive order; `ArtifactError` otherwise."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise ArtifactError(f"not a readable zip archive ({exc})", corrupt=True) from None
    with archive:
        infos = archive.infolist()
        if len(infos) > limits.members:
            raise ArtifactError(f"{len(infos)} members, more than {limits.members}")
        for info in infos:
            if not safe_name(info.filename):
                raise ArtifactError(f"unsafe member name {info.filename[:80]!r}")
        chosen: list[Member] = []
        total = 0
        for info in infos:
            if info.is_dir() or not wanted(info.filename):
                continue
            if info.file_size > limits.member_bytes:
                raise ArtifactError(
                    f"{info.filename}: {info.file_size} bytes, over {limits.member_bytes}"
                )
            if info.file_size > _RATIO_FLOOR and info.file_size > limits.ratio * max(
                info.compress_size, 1
            ):
                raise ArtifactError(
                    f"{info.filename}: expands {info.file_size // max(info.compress_size, 1)}"
                    f" times (a zip bomb?)"
                )
            content = _read_bounded(
                archive, info, min(limits.member_bytes, limits.total_bytes - total)
            )
            total += len(content)
            chosen.append(Member(info.filename, content))
        return chosen


def _read_bounded(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    """The member's bytes, refusing it one byte past `limit` whatever its header says."""
    parts: list[bytes] = []
    size = 0
    try:
        with archive.open(info) as stream:
            while True:
                chunk = stream.read(_CHUNK)
                if not chunk:
                    break
                size += len(chunk)
                if size > limit:
                    raise ArtifactError(f"{info.filename}: more than {limit} bytes when read")
                parts.append(chunk)
    except ArtifactError:
        raise
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        zlib.error,
        EOFError,
        OSError,
        ValueError,
    ) as exc:
        raise ArtifactError(f"{info.filename}: corrupt member ({exc})", corrupt=True) from None
    except NotImplementedError as exc:  # an unsupported compression method
        raise ArtifactError(f"{info.filename}: {exc}", corrupt=True) from None
    return b"".join(parts)
