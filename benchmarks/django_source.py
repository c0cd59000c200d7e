"""The Django 5.2.8 source tree, downloaded once from the package index and cached.

Shared by the benchmarks that compare our analyzers with pyupgrade and vulture.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

DJANGO_VERSION = "5.2.8"
CACHE = Path(__file__).resolve().parent / ".cache"


def django_source() -> Path:
    """Return the folder holding the unpacked ``django`` package (downloading it if needed)."""
    target = CACHE / f"django-{DJANGO_VERSION}"
    package = target / "django"
    if package.is_dir():
        return package
    CACHE.mkdir(parents=True, exist_ok=True)
    wheel = next(CACHE.glob(f"Django-{DJANGO_VERSION}-*.whl"), None) or next(
        CACHE.glob(f"django-{DJANGO_VERSION}-*.whl"), None
    )
    if wheel is None:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--quiet",
                "--no-deps",
                "--only-binary=:all:",
                "--dest",
                str(CACHE),
                f"django=={DJANGO_VERSION}",
            ],
            check=True,
        )
        wheel = next(CACHE.glob(f"*jango-{DJANGO_VERSION}-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        members = [m for m in archive.namelist() if m.startswith("django/")]
        archive.extractall(target, members)
    return package


if __name__ == "__main__":
    print(django_source())
