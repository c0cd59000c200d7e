"""`make demo`: turn the bundled demo tree into a real git repository and scan it.

By default the scan runs against the recorded index responses in fixtures/index/ (served by a
local HTTP server) and the advisory records in fixtures/advisory-database/, so the demo gives
the same answer on any machine, online or not. Set DEMO_LIVE=1 to ask the live package index
instead. It runs the dependency, security and deprecation analyzers.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support import FIXTURES, index_server, make_repo  # noqa: E402

MAINTAINER = Path(sys.executable).parent / "maintainer"


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="maintainer-demo-") as scratch:
        repo = make_repo(Path(scratch) / "demo-shop", FIXTURES / "demo-repo")
        print(f"Demo repository: {repo}\n", flush=True)
        if os.environ.get("DEMO_LIVE"):
            return run(repo, [])
        with index_server() as index:
            return run(repo, ["--index-url", index.url, "--no-cache"])


def run(repo: Path, index_args: list[str]) -> int:
    bodies = repo.parent / "bodies"
    command = [
        str(MAINTAINER),
        "scan",
        str(repo),
        *index_args,
        "--only",
        "dependency-update,security,deprecation",
        "--advisory-db",
        str(FIXTURES / "advisory-database"),
        "--apply",
        "--output",
        str(bodies),
    ]
    status = subprocess.run(command, check=False).returncode
    first = sorted(bodies.glob("maintainer-security-*.md"))[:1]
    for body in first:
        print(f"\n--- {body.name} ---\n{body.read_text()}")
    return status


if __name__ == "__main__":
    sys.exit(main())
