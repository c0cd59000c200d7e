"""`maintainer serve`, `maintainer worker`, `maintainer jobs`, `maintainer migrate`,
`maintainer tick`: the GitHub App's processes."""

from __future__ import annotations

import gc
import json
import logging
import signal
import time
from urllib.parse import urlsplit

import click
import httpx
import uvicorn
from alembic.runtime.migration import MigrationContext

from app import metrics
from app.logs import configure_logging, redact, secrets_of
from app.server import Scrape, create_app
from app.server.app import TICK_HEADER
from app.service.wiring import Services, build_services
from app.settings import Settings, SettingsError, load_settings
from app.store import JobRecord, JobStatus, open_store

log = logging.getLogger(__name__)


def _settings() -> Settings:
    try:
        return load_settings()
    except ValueError as exc:  # pydantic's ValidationError names the MAINTAINER_* variable
        raise click.ClickException(f"invalid settings: {exc}") from None


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
def serve(host: str, port: int) -> None:
    """Answer GitHub webhooks (and run queue consumers in-process unless MAINTAINER_WORKERS=0)."""
    settings = _settings()
    try:
        secret = settings.require_webhook_secret()
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None
    configure_logging(settings)
    _record_metrics(settings)
    services = build_services(settings)
    app = create_app(
        secret,
        services.queue,
        settings.tick_secret,
        scrape=_scrape(services),
        alerts=services.store,
        alerts_token=settings.alerts_token,
    )
    consumer = None
    if settings.workers > 0:
        consumer = services.queue.consumer(settings.workers, embedded=True)
        consumer.start()
    gc.freeze()  # start-up objects never become garbage: keep them out of every GC pass
    # uvicorn re-raises the signal that stopped it once it is done; with these handlers that
    # lands here instead of killing the process before the consumers have finished their jobs.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _note_signal)
    try:
        uvicorn.run(
            app, host=host, port=port, access_log=False, log_config=None, proxy_headers=False
        )
    finally:
        if consumer is not None:
            consumer.stop(graceful=True)
        services.github.close()
        metrics.process_exited()


def _record_metrics(settings: Settings) -> None:
    """Every process of the service records into MAINTAINER_METRICS_DIR when it is set."""
    if settings.metrics_dir is None:
        return
    try:
        metrics.use_directory(settings.metrics_dir)
    except metrics.MetricsError as exc:
        raise click.ClickException(str(exc)) from None


def _scrape(services: Services) -> Scrape | None:
    token = services.settings.metrics_token
    if token is None or not token.get_secret_value():
        return None
    store = services.store
    return Scrape(token, lambda: metrics.render(store))


def _note_signal(signum: int, _frame: object) -> None:
    log.info("received %s, stopping", signal.Signals(signum).name)


@click.command("worker")
@click.option("--workers", type=click.IntRange(1, 64), help="Threads (default MAINTAINER_WORKERS).")
def worker(workers: int | None) -> None:
    """Consume the job queue until interrupted (SIGINT/SIGTERM finish running jobs first)."""
    settings = _settings()
    configure_logging(settings)
    _record_metrics(settings)
    if settings.metrics_dir is None:
        log.warning(
            "MAINTAINER_METRICS_DIR is not set: this worker's counters reach no /metrics page"
        )
    services = build_services(settings)
    try:
        services.queue.consumer(workers or max(settings.workers, 1)).run()
    finally:
        services.github.close()
        metrics.process_exited()


@click.command("jobs")
@click.option("--failed", is_flag=True, help="Only jobs that failed after their last retry.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10_000))
@click.option("--format", "output_format", type=click.Choice(["table", "json"]), default="table")
def jobs(failed: bool, limit: int, output_format: str) -> None:
    """List recent jobs, newest first."""
    settings = _settings()
    store = open_store(settings.database())
    found = store.jobs(JobStatus.FAILED if failed else None, limit)
    secrets = secrets_of(settings)
    if output_format == "json":
        for job in found:
            click.echo(json.dumps(_as_json(job, secrets), sort_keys=True))
        return
    if not found:
        click.echo("no failed jobs" if failed else "no jobs")
        return
    for job in found:
        when = job.updated_at.strftime("%Y-%m-%d %H:%M:%S")
        line = f"{job.id[:12]}  {when}  {job.status:<9}  {job.kind:<8}  {job.repository or '-'}"
        line += f"  attempts={job.attempts}"
        if job.error:
            line += f"  {redact(job.error, secrets)}"
        click.echo(line)


def _as_json(job: JobRecord, secrets: list[str]) -> dict[str, object]:
    return {
        "id": job.id,
        "kind": job.kind,
        "repository": job.repository,
        "delivery": job.delivery_id,
        "status": str(job.status),
        "attempts": job.attempts,
        "error": redact(job.error, secrets) if job.error else None,
        "updated_at": job.updated_at.isoformat(),
    }


@click.command("migrate")
def migrate() -> None:
    """Bring the database to the latest schema (the deploy's migration step; the server and
    workers also migrate at start-up)."""
    settings = _settings()
    configure_logging(settings)
    store = open_store(settings.database())
    with store.engine.connect() as connection:
        revision = MigrationContext.configure(connection).get_current_revision()
    store.engine.dispose()
    click.echo(f"database schema at revision {revision}")


@click.command("tick")
@click.option("--url", required=True, help="The server's base URL, e.g. http://server:8000.")
@click.option(
    "--every",
    type=click.IntRange(60, 86_400),
    help="Tick every this many seconds until interrupted (default: once).",
)
def tick(url: str, every: int | None) -> None:
    """Ask the server to queue a scheduling tick (POST /ticks with MAINTAINER_TICK_SECRET)."""
    settings = _settings()
    if settings.tick_secret is None or not settings.tick_secret.get_secret_value():
        raise click.ClickException("MAINTAINER_TICK_SECRET is not set: the server refuses ticks")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise click.ClickException(f"--url must be an http(s) URL: {url!r}")
    endpoint = f"{url.rstrip('/')}/ticks"
    headers = {TICK_HEADER: settings.tick_secret.get_secret_value()}
    with httpx.Client(timeout=30.0) as http:
        while True:
            failure = _post_tick(http, endpoint, headers)
            if every is None:
                if failure is not None:
                    raise click.ClickException(failure)
                return
            if failure is not None:
                click.echo(f"error: {failure}", err=True)
            time.sleep(every)


def _post_tick(http: httpx.Client, endpoint: str, headers: dict[str, str]) -> str | None:
    """Post one tick; the reason it was not queued, or None once the server answered 202."""
    try:
        response = http.post(endpoint, headers=headers)
    except httpx.HTTPError as exc:
        return f"tick not queued: cannot reach {endpoint}: {type(exc).__name__}"
    if response.status_code != 202:
        return f"tick not queued: {endpoint} answered {response.status_code} {response.text[:200]}"
    try:
        job = response.json().get("job")
    except (ValueError, AttributeError):
        job = None
    click.echo(f"tick queued (job {job or 'unnamed'})")
    return None
