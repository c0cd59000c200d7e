"""`.maintainer.yml`: pydantic models, loading with line numbers, and the JSON Schema.

Every key is optional; a missing file means the defaults below. Unknown keys are errors, so a
typo is reported instead of silently ignored.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from app import bounded_yaml, model
from app.caches import write_entry
from app.model import Kind

if TYPE_CHECKING:
    import yaml

CONFIG_PATHS = (".maintainer.yml", ".maintainer.yaml", ".github/maintainer.yml")
MAX_PROBLEMS = 40
"""Problems listed per invalid file (a check run carries at most 50 annotations per call)."""


class UpdateType(StrEnum):
    MAJOR = "major"
    MINOR = "minor"
    PATCH = "patch"


class RangeStrategy(StrEnum):
    AUTO = "auto"
    PIN = "pin"
    BUMP = "bump"
    WIDEN = "widen"


class Strict(BaseModel):
    # defer_build: a model's validator is built when it is first used, not at import. Loading
    # a config builds RepoConfig's (nested models inline) once; building all twenty at import
    # cost every command about 0.1 s.
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


def _check_specifiers(values: list[str]) -> list[str]:
    for value in values:
        try:
            SpecifierSet(value)
        except InvalidSpecifier as exc:
            raise ValueError(f"{value!r} is not a PEP 440 version specifier") from exc
    return values


class IgnoreRule(Strict):
    """Stop proposing updates of matching dependencies (all, some versions, some update types)."""

    dependency: str = Field(description="Package name or glob, e.g. 'django' or 'types-*'.")
    versions: list[str] = Field(
        default_factory=list, description="PEP 440 specifiers of versions to skip, e.g. '>=5'."
    )
    update_types: list[UpdateType] = Field(
        default_factory=list, description="Skip only these update types (empty: all)."
    )
    reason: str | None = None

    _versions = field_validator("versions")(_check_specifiers)


class Group(Strict):
    """Bundle matching dependency updates into one pull request."""

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    patterns: list[str] = Field(default_factory=lambda: ["*"])
    exclude: list[str] = Field(default_factory=list)
    update_types: list[UpdateType] = Field(default_factory=list)
    dependency_type: Literal["all", "runtime", "development"] = "all"
    kinds: list[Kind] = Field(default_factory=lambda: [Kind.DEPENDENCY_UPDATE])


class Schedule(Strict):
    interval: Literal["hourly", "daily", "weekly", "monthly"] = "weekly"
    day: Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"] = (
        "monday"
    )
    time: str = Field(default="05:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    timezone: str = "UTC"


DEFAULT_IGNORED_MANIFEST_PATHS = (
    "**/node_modules/**",
    "**/bower_components/**",
    "**/vendor/**",
    "**/examples/**",
    "**/__tests__/**",
    "**/test/**",
    "**/tests/**",
    "**/__fixtures__/**",
    "**/fixtures/**",
)
"""Folders whose manifests describe test data or vendored code, not the project: Renovate's
default ``ignorePaths`` plus ``fixtures/``."""


class LockFileMaintenance(Strict):
    """One PR that refreshes every lock file within the declared constraints."""

    schedule: Literal["daily", "weekly", "monthly"] = Field(
        default="monthly",
        description="weekly: scans on schedule.day; monthly: those in the month's first week.",
    )


class Paths(Strict):
    include: list[str] = Field(default_factory=list, description="Globs; empty means everything.")
    exclude: list[str] = Field(default_factory=list)
    ignore_manifests_in: list[str] = Field(
        default_factory=lambda: list(DEFAULT_IGNORED_MANIFEST_PATHS),
        description="Globs ('**' spans folders) of manifests that get no dependency or "
        "security updates (test data, vendored code); [] reads every manifest.",
    )


class SecuritySettings(Strict):
    bypass_schedule: bool = True
    bypass_min_release_age: bool = True
    bypass_open_pr_limit: bool = True
    service: Literal["osv", "pypi"] = "osv"
    osv_url: str | None = None
    advisory_db: str | None = Field(
        default=None, description="Local directory of OSV records (vulns/<package>/<ID>.yaml)."
    )
    group: bool = False


class DeprecationSettings(Strict):
    """Deprecation fixes: how proposals are grouped and which codemod rules run."""

    batch: Literal["family", "single"] = Field(
        default="family", description="One proposal per rule family, or one for every rule."
    )
    enable: list[str] = Field(
        default_factory=list,
        description="Run only these rules: ids (MB101), names or families; empty means every "
        "default rule. Opt-in families (modernize) run only when named; naming only those adds "
        "them to the default rules.",
    )
    disable: list[str] = Field(
        default_factory=list, description="Never run these rules: ids, names or families."
    )

    @field_validator("enable", "disable")
    @classmethod
    def _known_rules(cls, values: list[str]) -> list[str]:
        from codemods.catalog import UnknownRule, registered

        for value in values:
            try:
                registered().select([value])
            except UnknownRule as exc:
                raise ValueError(f"{value!r} is not a rule id, name or family") from exc
        return values


class DeadCodeSettings(Strict):
    """Dead-code removal: how sure a removal must be, and what is kept regardless."""

    threshold: int = Field(
        default=80, ge=0, le=100, description="Minimum confidence (0-100) for a removal."
    )
    whitelist: list[str] = Field(
        default_factory=list,
        description="Names never reported: globs over 'name', 'Class.name' or 'pkg.mod.name'.",
    )
    decorators: list[str] = Field(
        default_factory=list,
        description="Extra decorators that register a callable, as globs (e.g. 'bot.on_*').",
    )
    batch: Literal["package", "folder"] = Field(
        default="package", description="One proposal per Python package or per top folder."
    )
    library_public_api: bool | None = Field(
        default=None,
        description="Library mode: the exported surface (package __all__, names offered by "
        "package __init__ modules, what examples and docs import) is reported as breaking for "
        "importers, never removed; other public names are ordinary candidates. "
        "Default: true when the repository declares a distribution.",
    )
    remove_tested_only: bool = Field(
        default=False, description="Also remove code used only by tests, with those tests."
    )
    max_file_bytes: int = Field(
        default=2_000_000, ge=1_000, description="Larger files are skipped (generated code)."
    )


class FlakySettings(Strict):
    """Flaky-test detection (defaults from Trunk's flaky-test monitors, see the README)."""

    window: int = Field(default=50, ge=2, le=10_000, description="Runs of a test looked at.")
    min_runs: int = Field(
        default=20, ge=2, le=10_000, description="Runs needed before the flip rate is judged."
    )
    flag_flip_rate: float = Field(
        default=0.15, gt=0, le=1, description="Flip rate (flips / (runs - 1)) that flags a test."
    )
    clear_flip_rate: float = Field(
        default=0.05, ge=0, le=1, description="Flip rate at or under which a flag is cleared."
    )
    broken_min_runs: int = Field(
        default=3, ge=1, le=1_000, description="Consecutive failures (latest runs) that are Broken."
    )
    infrastructure_failure_ratio: float = Field(
        default=0.8,
        gt=0,
        le=1,
        description="A run where more than this share of tests failed is ignored (infrastructure).",
    )
    infrastructure_min_tests: int = Field(
        default=10, ge=1, description="The share above is judged only for runs of this many tests."
    )
    reruns: int = Field(default=2, ge=1, le=20, description="Reruns a quarantine marker allows.")
    release_passes: int = Field(
        default=20,
        ge=1,
        le=10_000,
        description="Consecutive passes since its quarantine after which a test is released.",
    )
    proof_runs: int = Field(
        default=20,
        ge=1,
        le=1_000,
        description="Reruns that must all pass for a fix to be proposed.",
    )

    @model_validator(mode="after")
    def _clear_under_flag(self) -> FlakySettings:
        if self.clear_flip_rate >= self.flag_flip_rate:
            raise ValueError("clear_flip_rate must be lower than flag_flip_rate")
        if self.min_runs > self.window:
            raise ValueError("min_runs must not exceed window")
        return self


class QueriesSettings(Strict):
    """`maintainer queries`: which hypothetical indexes are worth a migration (see the README).

    The database itself is a service setting (`MAINTAINER_DATABASES`) or a CLI option, never
    named here.
    """

    min_cost_drop: float = Field(
        default=0.5, gt=0, lt=1, description="Planner cost a statement must lose (0.5: half)."
    )
    min_time_share: float = Field(
        default=0.01, ge=0, le=1, description="Share of all statement time a statement needs."
    )
    min_table_rows: int = Field(
        default=10_000, ge=0, description="Smaller tables get no index proposal."
    )
    top: int = Field(default=100, ge=1, le=1_000, description="Statements analysed, by total time.")
    mean_ms_threshold: float = Field(
        default=500.0, gt=0, description="A statement's mean time forecasts watch (ms)."
    )
    n_plus_one_calls: int = Field(
        default=1_000, ge=2, description="Calls of a one-row lookup that make an N+1 hint."
    )


class MergeSettings(Strict):
    """When the bot may merge its own PRs (on `merge when green`): off unless enabled."""

    enabled: bool = False
    kinds: list[Kind] = Field(
        default_factory=lambda: [Kind.DEPENDENCY_UPDATE, Kind.SECURITY],
        description="Kinds of PR the bot may merge when green.",
    )
    update_types: list[UpdateType] = Field(
        default_factory=lambda: [UpdateType.PATCH, UpdateType.MINOR],
        description="For version changes: the update types the bot may merge.",
    )
    method: Literal["merge", "squash", "rebase"] = "squash"


Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


class HealthThresholds(Strict):
    """Lines the forecasts watch: a metric crossing one is what a forecast dates."""

    complexity_mean: float = Field(default=10.0, ge=0, description="Above: mean too complex.")
    libyears: float = Field(default=10.0, ge=0, description="Above: dependencies too old.")
    coverage_percent: float = Field(
        default=60.0, ge=0, le=100, description="Below: too little of the code tested."
    )
    architecture_violations: float = Field(default=1.0, ge=0, description="At or above: drift.")
    flake_rate: float = Field(
        default=0.05, ge=0, le=1, description="Above: too many runs fail on a flaky test."
    )


class HealthWeights(Strict):
    """Weight of each component of the health score (renormalised over known components)."""

    complexity: float = Field(default=0.30, ge=0)
    coverage: float = Field(default=0.20, ge=0)
    dependencies: float = Field(default=0.25, ge=0)
    security: float = Field(default=0.15, ge=0)
    architecture: float = Field(default=0.10, ge=0)
    flaky: float = Field(default=0.10, ge=0, description="Known with JUnit results (--junit).")
    maintenance: float = Field(
        default=0.10, ge=0, description="Deprecated API uses and dead code (the scan cache)."
    )


class HealthSettings(Strict):
    """The health memory: score weights, forecast thresholds, history depth."""

    weights: HealthWeights = Field(default_factory=HealthWeights)
    thresholds: HealthThresholds = Field(default_factory=HealthThresholds)
    function_complexity: int = Field(
        default=10, ge=1, le=100, description="A function above this complexity is a debt item."
    )
    history_weeks: int = Field(default=26, ge=0, le=260, description="Weeks backfilled from git.")


_NAME = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
MAX_MONITORS = 50
MAX_QUERY_CHARS = 2_000


class Capacity(Strict):
    """The limit a monitored usage lives under (memory limit, disk size, pool size, CPU quota),
    in the monitor's unit: the threshold is then the share of it that must not be crossed."""

    limit: float = Field(gt=0, allow_inf_nan=False, description="The capacity, in `unit`.")
    replicas: int | None = Field(
        default=None,
        ge=1,
        le=10_000,
        description="Replicas sharing the load now; when set, recommendations also say how "
        "many to add (the usage is taken as spread evenly over them).",
    )


MAX_SERVICES = 50


class Service(Strict):
    """A service of the catalog: its code in this repository, what it depends on, who owns it.

    An alert whose ``service`` label (or ``job``) names it becomes an incident issue in this
    repository; the services that depend on it are its blast radius."""

    name: str = Field(pattern=_NAME, description="As the alerts' `service` label says it.")
    paths: list[str] = Field(
        default_factory=list,
        max_length=50,
        description="Globs of the service's code ('**' spans folders); empty: the whole "
        "repository. Changes to them are the suspects of an incident.",
    )
    depends_on: list[str] = Field(default_factory=list, max_length=50)
    owners: list[str] = Field(
        default_factory=list,
        max_length=20,
        description="GitHub users or teams (@org/team) mentioned in incident issues.",
    )

    @field_validator("paths")
    @classmethod
    def _relative_globs(cls, values: list[str]) -> list[str]:
        for glob in values:
            if not glob or glob.startswith("/") or ".." in glob.split("/") or len(glob) > 200:
                raise ValueError(f"{glob!r} is not a glob inside the repository")
        return values

    @field_validator("depends_on")
    @classmethod
    def _service_names(cls, values: list[str]) -> list[str]:
        for name in values:
            if not re.fullmatch(_NAME, name):
                raise ValueError(f"{name!r} is not a service name")
        return values

    @field_validator("owners")
    @classmethod
    def _handles(cls, values: list[str]) -> list[str]:
        for owner in values:
            if not re.fullmatch(
                r"@?[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:/[A-Za-z0-9._-]{1,100})?", owner
            ):
                raise ValueError(f"{owner!r} is not a GitHub user or @org/team")
        return values


class Monitor(Strict):
    """A production metric read from the operator's Prometheus and forecast every day."""

    name: str = Field(pattern=_NAME, description="Unique within the file.")
    query: str = Field(
        min_length=1,
        max_length=MAX_QUERY_CHARS,
        description="PromQL returning exactly one series (aggregate with max/sum/histogram_"
        "quantile); the Prometheus address is a service setting, never part of the file.",
    )
    threshold: float = Field(allow_inf_nan=False, description="The line the forecast dates.")
    direction: Literal["above", "below"] = Field(
        default="above", description="Whether crossing means rising above or falling below."
    )
    unit: str = Field(default="", max_length=16, pattern=r"^[A-Za-z%/ ._-]*$")
    service: str = Field(pattern=_NAME, description="The service the metric belongs to.")
    lead_time_days: int = Field(
        default=14, ge=0, le=365, description="How long a fix takes to ship: warn earlier."
    )
    margin_days: int = Field(
        default=7, ge=0, le=365, description="Extra warning time on top of the lead time."
    )
    aggregate: Literal["p50", "p90", "p95", "p99", "max", "mean"] = Field(
        default="p95",
        description="How the samples of one day become its point (robust to daily cycles).",
    )
    window_days: int = Field(
        default=28, ge=7, le=90, description="Days of history read from Prometheus."
    )
    capacity: Capacity | None = Field(
        default=None, description="Set when the threshold is a share of a capacity."
    )

    @field_validator("query")
    @classmethod
    def _printable(cls, value: str) -> str:
        if any(ord(char) < 32 and char not in "\n\t" for char in value) or "\x7f" in value:
            raise ValueError("control characters are not allowed in a query")
        return value

    @model_validator(mode="after")
    def _threshold_under_capacity(self) -> Monitor:
        if self.capacity is not None:
            if self.direction != "above":
                raise ValueError("a capacity monitor watches usage rising: direction 'above'")
            if not 0 < self.threshold <= self.capacity.limit:
                raise ValueError("a capacity monitor's threshold must be in (0, capacity.limit]")
        return self


class ReportSettings(Strict):
    """When the weekly "Maintenance report" issue is refreshed."""

    day: Weekday = "friday"
    time: str = Field(default="09:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    timezone: str = "UTC"


class RepoConfig(Strict):
    """The whole of `.maintainer.yml`."""

    version: Literal[1] = 1
    enabled: list[Kind] = Field(
        default_factory=lambda: [Kind.DEPENDENCY_UPDATE, Kind.SECURITY, Kind.DEPRECATION],
        description="Maintenance kinds the bot may propose.",
    )
    schedule: Schedule = Field(default_factory=Schedule)
    ignore: list[IgnoreRule] = Field(default_factory=list)
    groups: list[Group] = Field(default_factory=list)
    range_strategy: RangeStrategy = RangeStrategy.AUTO
    min_release_age_days: int = Field(default=3, ge=0, le=365)
    open_pr_limit: int = Field(default=5, ge=0, le=100)
    hourly_pr_limit: int = Field(default=2, ge=0, le=100)
    labels: list[str] = Field(default_factory=lambda: ["maintenance"])
    target_python: str | None = Field(
        default=None, description="Oldest Python the code must run on; default: requires-python."
    )
    paths: Paths = Field(default_factory=Paths)
    security: SecuritySettings = Field(default_factory=SecuritySettings)
    deprecation: DeprecationSettings = Field(default_factory=DeprecationSettings)
    dead_code: DeadCodeSettings = Field(default_factory=DeadCodeSettings)
    merge: MergeSettings = Field(default_factory=MergeSettings)
    flaky: FlakySettings = Field(default_factory=FlakySettings)
    queries: QueriesSettings = Field(default_factory=QueriesSettings)
    lock_file_maintenance: LockFileMaintenance | None = Field(
        default=None, description="Set to enable lock file maintenance PRs."
    )
    health: HealthSettings = Field(default_factory=HealthSettings)
    report: ReportSettings | Literal[False] = Field(
        default_factory=ReportSettings, description="The weekly report; false turns it off."
    )
    monitors: list[Monitor] = Field(
        default_factory=list,
        max_length=MAX_MONITORS,
        description="Production metrics whose trends are forecast (`maintainer trends`).",
    )
    services: list[Service] = Field(
        default_factory=list,
        max_length=MAX_SERVICES,
        description="The services this repository holds: alerts naming one become incident "
        "issues here.",
    )
    rebase: Literal["conflicted", "behind", "never"] = Field(
        default="conflicted",
        description="When open bot PRs are brought up to date with the base branch.",
    )

    def enabled_kinds(self) -> list[Kind]:
        """``enabled``, plus lock file maintenance when its setting is present."""
        extra = [Kind.LOCK_FILE_MAINTENANCE] if self.lock_file_maintenance is not None else []
        return [*self.enabled, *(k for k in extra if k not in self.enabled)]

    @field_validator("monitors")
    @classmethod
    def _unique_monitors(cls, values: list[Monitor]) -> list[Monitor]:
        seen: set[str] = set()
        for monitor in values:
            if monitor.name in seen:
                raise ValueError(f"two monitors are named {monitor.name!r}")
            seen.add(monitor.name)
        return values

    @field_validator("services")
    @classmethod
    def _unique_services(cls, values: list[Service]) -> list[Service]:
        names = [service.name for service in values]
        twice = sorted({name for name in names if names.count(name) > 1})
        if twice:
            raise ValueError(f"two services are named {twice[0]!r}")
        return values

    @field_validator("target_python")
    @classmethod
    def _python_version(cls, value: str | None) -> str | None:
        if value is None:
            return value
        try:
            parsed = Version(value)
        except InvalidVersion as exc:
            raise ValueError(f"{value!r} is not a Python version such as '3.11'") from exc
        if parsed.major != 3:
            raise ValueError(f"{value!r}: only Python 3 is supported")
        return value


@dataclass(frozen=True)
class ConfigProblem:
    key: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else "top level"
        return f"{where}: {self.key}: {self.message}"


class ConfigError(Exception):
    """An invalid `.maintainer.yml`; ``problems`` carry the key and line of each error."""

    def __init__(self, path: str, problems: Sequence[ConfigProblem]) -> None:
        self.path = path
        self.problems = tuple(problems)
        listed = "; ".join(str(p) for p in self.problems)
        super().__init__(f"{path}: invalid configuration: {listed}")


@dataclass(frozen=True)
class LoadedConfig:
    config: RepoConfig
    path: str | None


def find_config(root: Path) -> Path | None:
    for relative in CONFIG_PATHS:
        candidate = root / relative
        if candidate.is_file() or candidate.is_symlink():
            return candidate
    return None


def load_config(root: Path, kept: Path | None = None) -> LoadedConfig:
    """Read the repository's config file, or the defaults when there is none.

    With ``kept`` (a cache folder, never inside the repository) a configuration validated
    before from the same text is read back instead of validated again (`KeptConfigs`)."""
    found = find_config(root)
    configs = KeptConfigs(kept) if kept is not None else None
    if found is None:
        return LoadedConfig(configs.parse(None, "") if configs else RepoConfig(), None)
    relative = found.relative_to(root).as_posix()
    text = read_config_file(found, root, relative)
    config = configs.parse(text, relative) if configs else parse_config(text, relative)
    return LoadedConfig(config, relative)


def read_config_file(path: Path, root: Path | None = None, shown: str | None = None) -> str:
    """The text of a config file, refused (`ConfigError`) when it is not a regular UTF-8 file
    of at most `bounded_yaml.MAX_BYTES`, or when it resolves (through symlinks) outside ``root``.
    """
    shown = shown or str(path)

    def refuse(message: str) -> ConfigError:
        return ConfigError(shown, [ConfigProblem("(file)", None, message)])

    resolved = path.resolve()
    if root is not None and not resolved.is_relative_to(root.resolve()):
        raise refuse("a symbolic link to a file outside the repository: not read")
    if not resolved.is_file():
        raise refuse("not a regular file")
    try:
        with resolved.open("rb") as stream:
            data = stream.read(bounded_yaml.MAX_BYTES + 1)
    except OSError as exc:
        raise refuse(f"cannot read: {exc.strerror or exc}") from exc
    if len(data) > bounded_yaml.MAX_BYTES:
        size = resolved.stat().st_size
        raise refuse(f"{size} bytes, over the limit of {bounded_yaml.MAX_BYTES} bytes")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise refuse(f"not UTF-8: {exc}") from exc


def parse_config(text: str, path: str = ".maintainer.yml") -> RepoConfig:
    try:
        data, node = bounded_yaml.load(text)
    except bounded_yaml.YamlRefused as exc:
        raise ConfigError(path, [ConfigProblem("(yaml)", exc.line, exc.message)]) from exc
    if data is None:
        return RepoConfig()
    if not isinstance(data, dict):
        raise ConfigError(path, [ConfigProblem("(root)", 1, "expected a mapping of settings")])
    try:
        return RepoConfig.model_validate(data)
    except ValidationError as exc:
        lines = _key_lines(node)
        errors = exc.errors()
        problems = [_problem(error, lines) for error in errors[:MAX_PROBLEMS]]
        if len(errors) > MAX_PROBLEMS:
            more = f"{len(errors) - MAX_PROBLEMS} more problems not listed"
            problems.append(ConfigProblem("(file)", None, more))
        raise ConfigError(path, problems) from exc


def _problem(error: Any, lines: dict[tuple[str | int, ...], int]) -> ConfigProblem:
    location = tuple(error["loc"])
    key = ".".join(str(part) for part in location) or "(root)"
    line = None
    for length in range(len(location), -1, -1):
        line = lines.get(location[:length])
        if line is not None:
            break
    message = error["msg"]
    if error["type"] == "extra_forbidden":
        message = "unknown setting"
    return ConfigProblem(key, line, message)


def _key_lines(node: yaml.Node | None) -> dict[tuple[str | int, ...], int]:
    """Map each key path (as pydantic reports it) to its 1-based line in the file."""
    import yaml  # only when a file is invalid: a valid config's scan does not load PyYAML

    lines: dict[tuple[str | int, ...], int] = {}

    def walk(current: yaml.Node, path: tuple[str | int, ...]) -> None:
        if isinstance(current, yaml.MappingNode):
            for key_node, value_node in current.value:
                child = (*path, str(key_node.value))
                lines[child] = key_node.start_mark.line + 1
                walk(value_node, child)
        elif isinstance(current, yaml.SequenceNode):
            for index, item in enumerate(current.value):
                child = (*path, index)
                lines[child] = item.start_mark.line + 1
                walk(item, child)

    if node is not None:
        lines[()] = node.start_mark.line + 1
        walk(node, ())
    return lines


def json_schema() -> str:
    schema = RepoConfig.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = ".maintainer.yml"
    return json.dumps(schema, indent=2, sort_keys=True)


class KeptConfigs:
    """Validated configurations kept by the text they came from, in a cache folder.

    A scan validates one small file, but the first validation builds pydantic's validators for
    every model of `RepoConfig`: 30 to 40 ms of a 0.5 s rescan. A kept configuration is read
    back in 0.1 ms. Entries are named by the text, its path and `_schema_version` (this module,
    `app.model`, pydantic and Python), so an edited file or another version of the models is
    validated afresh; an invalid file is never kept (its errors are reported on every run).

    Entries are pickles: the folder is the caller's cache root, written only by this program
    for the same user (as Python's own bytecode caches are), never a repository's checkout.
    Anything unreadable or not a `RepoConfig` is a miss."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def parse(self, text: str | None, path: str) -> RepoConfig:
        """`parse_config` of ``text`` (``None``: no file, the defaults), or the kept result."""
        entry = self._entry(text, path)
        if entry is None:
            return RepoConfig() if text is None else parse_config(text, path)
        try:
            kept = pickle.loads(entry.read_bytes())
        except Exception:  # a missing or damaged entry fails in many ways: each is a miss
            kept = None
        if isinstance(kept, RepoConfig):
            return kept
        config = RepoConfig() if text is None else parse_config(text, path)
        write_entry(entry, pickle.dumps(config, protocol=pickle.HIGHEST_PROTOCOL))
        return config

    def _entry(self, text: str | None, path: str) -> Path | None:
        version = _schema_version()
        if version is None:
            return None
        digest = hashlib.blake2b(digest_size=16)
        digest.update(version.encode())
        digest.update(b"\0defaults" if text is None else f"\0{path}\0{text}".encode())
        return self.folder / f"{digest.hexdigest()}.pickle"


def _schema_version() -> str | None:
    """What a kept configuration depends on besides its text: the source of the models (this
    module and `app.model`), pydantic's version and the interpreter's; ``None`` when a source
    cannot be read (then nothing is kept)."""
    import pydantic

    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{pydantic.VERSION}\0{sys.version}".encode())
    for source in (__file__, model.__file__):
        try:
            digest.update(Path(source).read_bytes())
        except (OSError, TypeError):
            return None
    return digest.hexdigest()
