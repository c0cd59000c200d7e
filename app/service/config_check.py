"""The configuration a scan runs with, and the `maintainer/config` check run that tells the
repository whether its `.maintainer.yml` is valid (posted by the service, not the composer)."""

from __future__ import annotations

from collections.abc import Sequence

from app.config import CONFIG_PATHS, ConfigError, RepoConfig, find_config, load_config
from app.confinement import IgnoredSetting, ServiceSecurity, confine
from app.github import Annotation, CheckRun, Installation
from app.store import RepositoryRecord, Store
from app.templates import render
from app.workspace import Checkout

CONFIG_CHECK = "maintainer/config"


def config_in_force(
    gh: Installation,
    checkout: Checkout,
    store: Store,
    repository: RepositoryRecord,
    service: ServiceSecurity,
) -> tuple[RepoConfig, str | None]:
    """The configuration in force, and the error of the pushed one if it is invalid.

    An invalid file fails the `maintainer/config` check and the last valid one stays in use.
    Either way, what names a host path or an address gives way to the service settings.
    """
    found = find_config(checkout.path)
    path = found.relative_to(checkout.path).as_posix() if found else CONFIG_PATHS[0]
    try:
        loaded = load_config(checkout.path)
    except ConfigError as exc:
        post_config_check(gh, checkout, exc.path, exc)
        store.record_config_error(repository.id, str(exc), checkout.sha)
        last_valid = store.last_valid_config(repository.id)
        return confine(last_valid or RepoConfig(), checkout.path, service).config, str(exc)
    confined = confine(loaded.config, checkout.path, service)
    if loaded.path is not None or repository.config_error is not None:
        post_config_check(gh, checkout, path, None, confined.ignored)
    store.save_valid_config(repository.id, loaded.config, checkout.sha)
    return confined.config, None


def post_config_check(
    gh: Installation,
    checkout: Checkout,
    path: str,
    error: ConfigError | None,
    ignored: Sequence[IgnoredSetting] = (),
) -> CheckRun | None:
    """A `maintainer/config` check run on the scanned commit: failing with each problem and
    its line while `.maintainer.yml` is invalid, passing once it is valid again (neutral, with
    the reasons, when the App set keys aside that name host paths or network addresses).

    Idempotent: a commit that already carries a run with the same conclusion gets no other.
    """
    conclusion = "failure" if error is not None else "neutral" if ignored else "success"
    existing = gh.check_runs(checkout.full_name, checkout.sha, name=CONFIG_CHECK)
    if any(run.conclusion == conclusion for run in existing):
        return None
    problems = error.problems if error is not None else ()
    annotations = [Annotation(path, p.line or 1, f"{p.key}: {p.message}") for p in problems]
    title = f"{path} is invalid" if error is not None else f"{path} is valid"
    if error is None and ignored:
        title += f"; {len(ignored)} setting(s) ignored by the App"
    summary = render("checks/config.md.j2", path=path, problems=problems, ignored=ignored)
    return gh.create_check_run(
        checkout.full_name,
        name=CONFIG_CHECK,
        head_sha=checkout.sha,
        conclusion=conclusion,
        title=title,
        summary=summary,
        annotations=annotations,
    )
