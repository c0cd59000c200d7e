"""A real queue consumer process whose scans wait for a release file (for the SIGKILL test).

Run as `python -m tests.queue.slow_worker MARKERS_DIR` with the same MAINTAINER_* environment
as the server; everything but the scan itself is the production wiring.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from app.logs import configure_logging
from app.service.wiring import build_services
from app.settings import load_settings
from app.store import JobKind, JobRecord


def main(markers: Path) -> None:
    def slow_scan(job: JobRecord) -> None:
        (markers / f"started-{job.id}-{os.getpid()}").touch()
        while not (markers / "release").exists():
            time.sleep(0.05)
        with (markers / "done.txt").open("a", encoding="utf-8") as done:
            done.write(f"{job.id} {job.repository}\n")

    settings = load_settings()
    configure_logging(settings)
    services = build_services(settings, handlers={JobKind.SCAN: slow_scan})
    services.queue.consumer(workers=1).run()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
