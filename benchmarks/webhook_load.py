"""Webhook acknowledgement load test against `maintainer serve` (SQLite store and queue).

Starts `maintainer serve` as a subprocess on 127.0.0.1 with no in-process consumer
(MAINTAINER_WORKERS=0, so every accepted job stays in the queue to be counted), then sends signed
deliveries from N concurrent keep-alive clients written on raw asyncio streams (an HTTP client
library would eat the CPU the server needs on a 2-core machine). For each N it runs:

- saturation: every client sends its next delivery as soon as the previous one is answered
  (closed loop): the most deliveries per second the server acknowledges;
- fixed rate: the clients together offer RATE deliveries per second on a fixed timetable (open
  loop; latency counted from the planned send time, so a stalled server cannot hide its queue):
  the acknowledgement latency at a load the server must sustain.

Afterwards the queue must hold exactly as many jobs as deliveries were answered 202, and the store
as many deliveries and jobs. Bounded: a fixed number of deliveries per phase, loopback only.

    python benchmarks/webhook_load.py [--clients 50,200] [--rate 500] [--count 4000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from huey import SqliteHuey

from app.server.signature import sign
from app.settings import Settings
from app.store import open_store

ROOT = Path(__file__).resolve().parents[1]
PAYLOAD = ROOT / "fixtures" / "github-payloads" / "push" / "with-new-branch.payload.json"
SECRET = "benchmark-secret"
P99_TARGET_MS = 50.0
RATE_TARGET = 500.0


@dataclass(frozen=True)
class Result:
    name: str
    clients: int
    sent: int
    accepted: int
    other: int
    seconds: float
    latencies_ms: list[float]

    @property
    def rate(self) -> float:
        return self.sent / self.seconds

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]

    def line(self) -> str:
        return (
            f"{self.name:<11} clients={self.clients:<4} sent={self.sent:<6} "
            f"202={self.accepted:<6} other={self.other:<3} {self.rate:8.1f} deliveries/s  "
            f"p50={self.percentile(50):7.2f} ms  p99={self.percentile(99):7.2f} ms  "
            f"max={max(self.latencies_ms):7.2f} ms"
        )


def request_bytes(body: bytes, port: int) -> tuple[bytes, bytes]:
    """The request split around the delivery id, which is the only part that changes."""
    head = (
        f"POST /webhooks/github HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Content-Type: application/json\r\nX-GitHub-Event: push\r\n"
        f"X-Hub-Signature-256: {sign(SECRET.encode(), body)}\r\n"
        f"Content-Length: {len(body)}\r\nX-GitHub-Delivery: "
    ).encode()
    return head, b"\r\n\r\n" + body


async def read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    await reader.readexactly(length)
    return status


async def client(
    port: int,
    head: bytes,
    tail: bytes,
    plan: list[float] | int,
    latencies: list[float],
    statuses: list[int],
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    loop = asyncio.get_running_loop()
    moments = plan if isinstance(plan, list) else [None] * plan
    try:
        for planned in moments:
            if planned is not None:
                wait = planned - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
            start = loop.time() if planned is None else planned
            writer.write(head + uuid.uuid4().hex.encode() + tail)
            statuses.append(await read_response(reader))
            latencies.append((loop.time() - start) * 1000)
    finally:
        writer.close()
        await writer.wait_closed()


async def run_phase(
    name: str, port: int, body: bytes, clients: int, count: int, rate: float | None
) -> Result:
    head, tail = request_bytes(body, port)
    latencies: list[float] = []
    statuses: list[int] = []
    loop = asyncio.get_running_loop()
    per_client = count // clients
    start = loop.time() + 0.2
    plans: list[list[float] | int]
    if rate is None:
        plans = [per_client] * clients
    else:
        interval = clients / rate  # each client's own period; offsets spread them evenly
        plans = [
            [start + (i / clients) * interval + k * interval for k in range(per_client)]
            for i in range(clients)
        ]
    began = time.perf_counter()
    await asyncio.gather(*(client(port, head, tail, plan, latencies, statuses) for plan in plans))
    seconds = time.perf_counter() - began - (0.2 if rate is not None else 0.0)
    accepted = statuses.count(202)
    return Result(
        name, clients, len(statuses), accepted, len(statuses) - accepted, seconds, latencies
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAINTAINER_")}
    env |= {
        "MAINTAINER_DATA_DIR": str(data_dir),
        "MAINTAINER_WEBHOOK_SECRET": SECRET,
        "MAINTAINER_WORKERS": "0",
        "MAINTAINER_LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "serve", "--port", str(port)], env=env, cwd=ROOT
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process
        except OSError:
            if process.poll() is not None:
                raise SystemExit("maintainer serve exited") from None
            time.sleep(0.05)
    process.kill()
    raise SystemExit("maintainer serve did not start")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", default="50,200")
    parser.add_argument("--rate", type=float, default=RATE_TARGET)
    parser.add_argument("--count", type=int, default=4000, help="deliveries per phase")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    body = json.dumps(json.loads(PAYLOAD.read_text(encoding="utf-8"))).encode()
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="webhook-load-") as tmp:
        data_dir = Path(tmp)
        port = free_port()
        server = start_server(data_dir, port)
        try:
            asyncio.run(run_phase("warm-up", port, body, 10, 200, None))
            for clients in (int(n) for n in args.clients.split(",")):
                for name, rate in (("saturation", None), ("fixed-rate", args.rate)):
                    result = asyncio.run(run_phase(name, port, body, clients, args.count, rate))
                    results.append(result)
                    print(result.line(), flush=True)
        finally:
            server.terminate()
            server.wait(30)
        settings = Settings(data_dir=data_dir)
        accepted = 200 + sum(r.accepted for r in results)
        queued = SqliteHuey(
            settings.queue_name, filename=str(settings.queue_file())
        ).pending_count()
        store = open_store(settings.database())
        deliveries, jobs = store.delivery_count(), store.job_count()
    print(
        f"accepted={accepted} queued={queued} stored deliveries={deliveries} jobs={jobs} "
        f"cores={os.cpu_count()} load average={os.getloadavg()[0]:.1f} (other work shares them)"
    )
    fixed = [r for r in results if r.name == "fixed-rate"]
    saturation = [r for r in results if r.name == "saturation"]
    ok_count = accepted == queued == deliveries == jobs
    ok_p99 = all(r.percentile(99) < P99_TARGET_MS for r in fixed)
    ok_rate = all(r.rate >= RATE_TARGET for r in saturation)
    ok_clean = all(r.other == 0 for r in results)
    print(
        f"none lost: {ok_count}; fixed-rate p99 < {P99_TARGET_MS:.0f} ms: {ok_p99}; "
        f"saturation >= {RATE_TARGET:.0f}/s: {ok_rate}; all 202: {ok_clean}"
    )
    if args.json:
        args.json.write_text(
            json.dumps(
                [
                    {
                        "phase": r.name,
                        "clients": r.clients,
                        "deliveries_per_second": round(r.rate, 1),
                        "p50_ms": round(r.percentile(50), 2),
                        "p99_ms": round(r.percentile(99), 2),
                        "sent": r.sent,
                        "accepted": r.accepted,
                    }
                    for r in results
                ],
                indent=2,
            )
        )
    return 0 if ok_count and ok_clean else 1


if __name__ == "__main__":
    sys.exit(main())
