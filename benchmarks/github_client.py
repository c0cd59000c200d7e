"""The GitHub adapter's cost as whole processes: githubkit's typed client (this tree) against
the plain-httpx client it replaced (`--base`, a commit; default the one before the switch).

One emulator (`python -m app.emulator`) serves both. Each round runs one process per tree, in
alternating order, that imports `app.github`, builds a client, asks a token, then makes
`--requests` calls (`repository`, and a paginated `pulls` listing every tenth call). Reported:
medians of the whole process, of the import, of the first call (token included) and of one call.

    python benchmarks/github_client.py [--rounds 7] [--requests 200] [--base COMMIT]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from app.emulator.keys import generate

ROOT = Path(__file__).resolve().parents[1]
BASE = "4b2cb83"  # main before githubkit became the transport
REPO = "octo-org/demo"
INSTALLATION = 7

CHILD = """
import json, sys, time
started = time.perf_counter()
from pydantic import SecretStr
from app.github import AppCredentials, GitHub
imported = time.perf_counter()
url, key, repo, installation, count = sys.argv[1:6]
with GitHub(url, AppCredentials(1, SecretStr(open(key).read())), write_interval=0.0) as gh:
    inst = gh.installation(int(installation))
    inst.repository(repo)
    first = time.perf_counter()
    for index in range(int(count)):
        inst.pulls(repo) if index % 10 == 9 else inst.repository(repo)
    done = time.perf_counter()
print(json.dumps({"import_s": imported - started, "first_call_s": first - imported,
                  "call_ms": (done - first) / int(count) * 1000}))
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_child(tree: Path, args: list[str]) -> dict[str, float]:
    environment = {**os.environ, "PYTHONPATH": str(tree)}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", CHILD, *args],
        cwd=tree,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, float] = json.loads(done.stdout)
    result["process_s"] = time.perf_counter() - started
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--base", default=BASE)
    options = parser.parse_args()

    with tempfile.TemporaryDirectory() as temporary:
        work = Path(temporary)
        base = work / "base"
        base.mkdir()
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", options.base, "app", "templates"],
            capture_output=True,
            check=True,
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(base)], input=archive, check=True)
        key = work / "app-key.pem"
        keys = generate()
        key.write_text(keys.private_pem)
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        command = [sys.executable, "-m", "app.emulator", "--port", str(port)]
        emulator = subprocess.Popen(
            [*command, "--data", str(work / "e"), "--key", str(key)],
            cwd=ROOT,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    httpx.get(f"{url}/_emulator/requests")
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.1)
            seed = {"owner": "octo-org", "name": "demo", "tree": str(ROOT / "fixtures/demo-repo")}
            httpx.post(f"{url}/_emulator/repos", json=seed).raise_for_status()
            install = {"id": INSTALLATION, "account": "octo-org", "repositories": [REPO]}
            httpx.post(f"{url}/_emulator/installations", json=install).raise_for_status()
            args = [url, str(key), REPO, str(INSTALLATION), str(options.requests)]
            results: dict[str, list[dict[str, float]]] = {"githubkit": [], "httpx": []}
            for round_ in range(options.rounds):
                order = [("githubkit", ROOT), ("httpx", base)]
                for name, tree in order if round_ % 2 == 0 else order[::-1]:
                    results[name].append(run_child(tree, args))
        finally:
            emulator.terminate()
            emulator.wait(10)

    summary: dict[str, Any] = {"rounds": options.rounds, "requests": options.requests}
    for name, runs in results.items():
        summary[name] = {
            field: round(statistics.median(r[field] for r in runs), 4)
            for field in ("process_s", "import_s", "first_call_s", "call_ms")
        }
    summary["ratio_githubkit_to_httpx"] = {
        field: round(summary["githubkit"][field] / summary["httpx"][field], 2)
        for field in ("process_s", "import_s", "first_call_s", "call_ms")
    }
    summary["load_average"] = os.getloadavg()
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
