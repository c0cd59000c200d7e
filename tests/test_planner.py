from dataclasses import replace

import pytest

from app.config import Group, IgnoreRule, RepoConfig, UpdateType
from app.model import Edit, Finding, Kind
from app.planner import Batch, Budget, plan, supersede_key
from app.updates import Update
from tests.support import NOW
from tests.support.updates import update


def finding(detail: Update, kind: Kind = Kind.DEPENDENCY_UPDATE) -> Finding:
    edit = Edit("requirements.txt", 0, "x", "y")
    return Finding(
        kind,
        f"requirements.txt:{detail.package}",
        detail.package,
        detail,
        (edit,),
        batch=detail.package,
    )


def version_of(finding: Finding) -> str:
    assert isinstance(finding.detail, Update)
    return finding.detail.to_version


def package_of(finding: Finding) -> str:
    assert isinstance(finding.detail, Update)
    return finding.detail.package


def test_first_allowed_alternative_wins_min_release_age() -> None:
    findings = [finding(update("a", "3.0.0", age=1)), finding(update("a", "2.9.0", age=20))]
    result = plan(findings, RepoConfig(min_release_age_days=3), NOW)
    assert [version_of(b.findings[0]) for b in result.batches] == ["2.9.0"]


def test_everything_too_young_is_held_with_the_reason() -> None:
    result = plan([finding(update("a", "3.0.0", age=1))], RepoConfig(), NOW)
    assert result.batches == []
    assert "min_release_age_days is 3" in result.held[0].reason


def test_ignore_rules_by_glob_version_and_update_type() -> None:
    config = RepoConfig(
        ignore=[
            IgnoreRule(dependency="django*", update_types=[UpdateType.MAJOR]),
            IgnoreRule(dependency="flask", versions=[">=3"]),
        ]
    )
    findings = [
        finding(update("django", "5.0.0", UpdateType.MAJOR)),
        finding(update("django", "4.2.9", UpdateType.MINOR)),
        finding(update("flask", "3.0.0")),
        finding(update("flask", "2.9.0")),
    ]
    result = plan(findings, config, NOW)
    assert sorted(version_of(b.findings[0]) for b in result.batches) == ["2.9.0", "4.2.9"]


def test_stored_ignores_count_like_config_ones() -> None:
    result = plan(
        [finding(update("a", "2.0.0"))],
        RepoConfig(),
        NOW,
        stored_ignores=[IgnoreRule(dependency="a")],
    )
    assert result.batches == [] and "ignored" in result.held[0].reason


def test_groups_collect_matching_updates() -> None:
    config = RepoConfig(
        groups=[Group(name="dev", patterns=["pytest*", "ruff"], dependency_type="development")]
    )
    findings = [
        finding(update("pytest", "8.0.0", development=True)),
        finding(update("ruff", "0.5.0", development=True)),
        finding(update("ruff-lsp", "0.5.0", development=True)),
        finding(update("requests", "2.32.0")),
    ]
    result = plan(findings, config, NOW)
    grouped = {b.key: sorted(package_of(f) for f in b.findings) for b in result.batches}
    assert grouped == {
        "group:dev": ["pytest", "ruff"],
        "requests": ["requests"],
        "ruff-lsp": ["ruff-lsp"],
    }
    assert next(b for b in result.batches if b.key == "group:dev").group == "dev"


def branch(batch: Batch) -> str:
    """Like `app.proposals.branch_for` for single updates: kind, package and version."""
    [item] = batch.findings
    return f"maintainer/{batch.kind.value}/{package_of(item)}-{version_of(item)}"


def open_prs(*branches: str, last_hour: int | None = None) -> Budget:
    return Budget(frozenset(f"maintainer/dependency-update/{b}" for b in branches), last_hour)


def test_open_pr_limit_holds_the_rest_but_security_goes_first_and_bypasses() -> None:
    findings = [finding(update(name, "2.0.0")) for name in "abc"]
    security = replace(finding(update("z", "2.0.0", age=0)), kind=Kind.SECURITY)
    config = RepoConfig(open_pr_limit=3, enabled=list(Kind))
    result = plan([*findings, security], config, NOW, open_prs("x-1.0"), branch_of=branch)
    assert [b.kind for b in result.batches] == [Kind.SECURITY, Kind.DEPENDENCY_UPDATE]
    assert len(result.held) == 2
    assert all("open_pr_limit" in h.reason for h in result.held)
    # a security PR opened at the limit still counts among the open ones
    full = plan([*findings, security], config, NOW, open_prs("x", "y", "w"), branch_of=branch)
    assert [b.kind for b in full.batches] == [Kind.SECURITY]


def test_at_the_limit_batches_whose_pr_is_open_are_still_admitted() -> None:
    findings = [finding(update(name, "2.0.0")) for name in "abc"]
    budget = open_prs("a-2.0.0", "b-2.0.0")
    result = plan(findings, RepoConfig(open_pr_limit=2), NOW, budget, branch_of=branch)
    assert [b.key for b in result.batches] == ["a", "b"]  # refreshed, rebased if needed
    [held] = result.held
    assert held.subject == "c"
    assert held.reason == (
        "open_pr_limit of 2 reached: 0 new PRs already planned in this run, 2 open before it "
        "(raise `open_pr_limit` in .maintainer.yml to allow more)"
    )


def test_the_limit_message_says_what_this_run_planned() -> None:
    findings = [finding(update(name, "2.0.0")) for name in "abcdef"]
    result = plan(findings, RepoConfig(), NOW, open_prs(), branch_of=branch)
    assert len(result.batches) == 5
    assert result.held[0].reason.startswith(
        "open_pr_limit of 5 reached: 5 new PRs already planned in this run, 0 open before it"
    )


def test_a_newer_version_supersedes_its_open_pr_at_the_limit() -> None:
    findings = [finding(update("a", "3.0.0")), finding(update("c", "2.0.0"))]
    budget = open_prs("a-2.0.0", "b-2.0.0")
    result = plan(findings, RepoConfig(open_pr_limit=2), NOW, budget, branch_of=branch)
    assert [b.key for b in result.batches] == ["a"]  # replaces a-2.0.0: no more PRs open
    assert [h.subject for h in result.held] == ["c"]


def test_the_hourly_limit_counts_only_new_prs() -> None:
    findings = [finding(update(name, "2.0.0")) for name in "abcd"]
    config = RepoConfig(open_pr_limit=10, hourly_pr_limit=2)
    budget = open_prs("a-2.0.0", last_hour=1)
    result = plan(findings, config, NOW, budget, branch_of=branch)
    assert [b.key for b in result.batches] == ["a", "b"]
    assert [h.subject for h in result.held] == ["c", "d"]
    assert result.held[0].reason.startswith(
        "hourly_pr_limit of 2 reached: 1 new PR already planned in this run, 1 opened in the "
        "hour before it"
    )
    assert "raise `hourly_pr_limit` in .maintainer.yml" in result.held[0].reason


def test_local_scans_have_no_hourly_limit() -> None:
    findings = [finding(update(name, "2.0.0")) for name in "abcd"]
    result = plan(findings, RepoConfig(hourly_pr_limit=1), NOW)
    assert len(result.batches) == 4


def test_open_branches_need_a_way_to_name_batches() -> None:
    with pytest.raises(ValueError, match="branch_of"):
        plan([], RepoConfig(), NOW, open_prs("a-1.0"))


@pytest.mark.parametrize(
    ("slug", "key"),
    [
        ("requests-2.32.3", "requests"),
        ("django-5.0rc1", "django"),
        ("boto3-1.35.0", "boto3"),
        ("py-1password-1.0", "py-1password"),
        ("group-dev-tools", "group-dev-tools"),
    ],
)
def test_supersede_key_strips_only_the_version(slug: str, key: str) -> None:
    prefix = "maintainer/dependency-update/"
    assert supersede_key(prefix + slug) == prefix + key


def test_findings_without_edits_are_reported_not_proposed() -> None:
    report_only = replace(finding(update("a", "2.0.0")), edits=())
    result = plan([report_only], RepoConfig(), NOW)
    assert result.batches == [] and result.reported == [report_only]


def test_disabled_kinds_are_held() -> None:
    result = plan([finding(update("a", "2.0.0"))], RepoConfig(enabled=[Kind.SECURITY]), NOW)
    assert result.batches == [] and "not enabled" in result.held[0].reason
