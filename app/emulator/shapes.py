"""GitHub-shaped JSON for the emulator's objects (the fields the bot and its tests read, plus
the usual neighbours so GitHub-typed clients accept them)."""

from __future__ import annotations

import base64
import zlib
from typing import Any

from app.emulator.gitrepo import GitCommit
from app.emulator.state import (
    Artifact,
    CheckRun,
    Comment,
    Installation,
    Issue,
    Pull,
    Reaction,
    RegisteredApp,
    Repo,
    Review,
    State,
    User,
    WorkflowRun,
    iso,
)

Json = dict[str, Any]
REACTIONS = ("+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes")


def user_json(base: str, user: User) -> Json:
    api = f"{base}/users/{user.login}"
    return {
        "login": user.login,
        "id": user.id,
        "node_id": f"U_{user.id}",
        "avatar_url": f"{base}/avatars/u/{user.id}",
        "gravatar_id": "",
        "type": user.type,
        "site_admin": False,
        "url": api,
        "html_url": f"{base}/{user.login}",
        "followers_url": f"{api}/followers",
        "following_url": f"{api}/following{{/other_user}}",
        "gists_url": f"{api}/gists{{/gist_id}}",
        "starred_url": f"{api}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{api}/subscriptions",
        "organizations_url": f"{api}/orgs",
        "repos_url": f"{api}/repos",
        "events_url": f"{api}/events{{/privacy}}",
        "received_events_url": f"{api}/received_events",
    }


# The URL templates GitHub lists on every repository, relative to its API URL.
_REPO_URLS = {
    "archive_url": "/{archive_format}{/ref}",
    "assignees_url": "/assignees{/user}",
    "blobs_url": "/git/blobs{/sha}",
    "branches_url": "/branches{/branch}",
    "collaborators_url": "/collaborators{/collaborator}",
    "comments_url": "/comments{/number}",
    "commits_url": "/commits{/sha}",
    "compare_url": "/compare/{base}...{head}",
    "contents_url": "/contents/{+path}",
    "contributors_url": "/contributors",
    "deployments_url": "/deployments",
    "downloads_url": "/downloads",
    "events_url": "/events",
    "forks_url": "/forks",
    "git_commits_url": "/git/commits{/sha}",
    "git_refs_url": "/git/refs{/sha}",
    "git_tags_url": "/git/tags{/sha}",
    "hooks_url": "/hooks",
    "issue_comment_url": "/issues/comments{/number}",
    "issue_events_url": "/issues/events{/number}",
    "issues_url": "/issues{/number}",
    "keys_url": "/keys{/key_id}",
    "labels_url": "/labels{/name}",
    "languages_url": "/languages",
    "merges_url": "/merges",
    "milestones_url": "/milestones{/number}",
    "notifications_url": "/notifications{?since,all,participating}",
    "pulls_url": "/pulls{/number}",
    "releases_url": "/releases{/id}",
    "stargazers_url": "/stargazers",
    "statuses_url": "/statuses/{sha}",
    "subscribers_url": "/subscribers",
    "subscription_url": "/subscription",
    "tags_url": "/tags",
    "teams_url": "/teams",
    "trees_url": "/git/trees{/sha}",
}


def repo_json(base: str, repo: Repo) -> Json:
    api = f"{base}/repos/{repo.full_name}"
    html = f"{base}/{repo.full_name}"
    host = base.split("://", 1)[-1].split("/", 1)[0]
    open_pulls = sum(1 for p in repo.pulls.values() if p.state == "open")
    open_pulls += sum(1 for i in repo.issues.values() if i.state == "open")  # GitHub counts both
    return {
        "id": repo.id,
        "node_id": f"R_{repo.id}",
        "name": repo.name,
        "full_name": repo.full_name,
        "private": repo.private,
        "owner": user_json(base, repo.owner),
        "html_url": html,
        "description": None,
        "homepage": None,
        "url": api,
        **{key: api + suffix for key, suffix in _REPO_URLS.items()},
        "clone_url": f"{base}/{repo.full_name}.git",
        "git_url": f"{base}/{repo.full_name}.git",
        "ssh_url": f"git@{host}:{repo.full_name}.git",
        "svn_url": html,
        "mirror_url": None,
        "default_branch": repo.default_branch,
        "master_branch": repo.default_branch,
        "archived": repo.archived,
        "disabled": False,
        "fork": False,
        "is_template": False,
        "visibility": "private" if repo.private else "public",
        "language": "Python",
        "license": None,
        "size": 0,
        "forks": 0,
        "forks_count": 0,
        "watchers": 0,
        "watchers_count": 0,
        "stargazers_count": 0,
        "subscribers_count": 0,
        "network_count": 0,
        "open_issues": open_pulls,
        "open_issues_count": open_pulls,
        "has_issues": True,
        "has_projects": False,
        "has_wiki": False,
        "has_pages": False,
        "has_downloads": False,
        "has_discussions": False,
        "topics": [],
        "created_at": iso(repo.created_at),
        "updated_at": iso(repo.created_at),
        "pushed_at": iso(repo.created_at),
    }


def installation_json(base: str, state: State, installation: Installation) -> Json:
    return {
        "id": installation.id,
        "account": user_json(base, installation.account),
        "app_id": state.app_id,
        "app_slug": state.app_slug,
        "target_id": installation.account.id,
        "target_type": installation.account.type,
        "repository_selection": "selected",
        "access_tokens_url": f"{base}/app/installations/{installation.id}/access_tokens",
        "repositories_url": f"{base}/installation/repositories",
        "permissions": {
            "contents": "write",
            "pull_requests": "write",
            "issues": "write",
            "checks": "write",
            "metadata": "read",
        },
        "events": ["push", "pull_request", "check_suite", "check_run", "issue_comment"],
        "suspended_at": None,
        "suspended_by": None,
        "single_file_name": None,
        "html_url": f"{base}/settings/installations/{installation.id}",
        "created_at": iso(state.started_at),
        "updated_at": iso(state.started_at),
    }


def label_json(base: str, repo: Repo, name: str) -> Json:
    return {
        "id": zlib.crc32(f"{repo.full_name}/{name}".encode()),
        "node_id": f"LA_{repo.id}_{name}",
        "url": f"{base}/repos/{repo.full_name}/labels/{name}",
        "name": name,
        "description": None,
        "color": "ededed",
        "default": False,
        "archived_at": None,
        "archived_by": None,
    }


def pull_json(base: str, repo: Repo, pull: Pull, labels: list[str]) -> Json:
    head_sha = repo.git.branch_sha(pull.head_ref) or pull.head_sha
    base_sha = repo.git.branch_sha(pull.base_ref) or pull.base_sha
    return {
        "id": pull.id,
        "node_id": f"PR_{pull.id}",
        "number": pull.number,
        "state": pull.state,
        "locked": False,
        "draft": pull.draft,
        "title": pull.title,
        "body": pull.body,
        "user": user_json(base, pull.user),
        "labels": [label_json(base, repo, name) for name in labels],
        "created_at": iso(pull.created_at),
        "updated_at": iso(pull.updated_at),
        "closed_at": iso(pull.closed_at) if pull.closed_at else None,
        "merged_at": iso(pull.closed_at) if pull.merged and pull.closed_at else None,
        "merged": pull.merged,
        "mergeable": None,
        "head": _end(base, repo, pull.head_ref, head_sha),
        "base": _end(base, repo, pull.base_ref, base_sha),
        "merged_by": None,
        "milestone": None,
        "auto_merge": None,
        "author_association": "NONE" if pull.user.type == "Bot" else "CONTRIBUTOR",
        "maintainer_can_modify": False,
        "mergeable_state": "unknown",
        "comments": sum(1 for c in repo.comments.values() if c.number == pull.number),
        "review_comments": 0,
        "commits": len(repo.git.commits_between(base_sha, head_sha)) if pull.state == "open" else 0,
        "additions": 0,
        "deletions": 0,
        "changed_files": 0,
        **_pull_urls(base, repo, pull.number, head_sha),
    }


def issue_json(base: str, repo: Repo, issue: Issue | Pull, labels: list[str]) -> Json:
    """An issue as `/issues` shows it; a pull request seen as an issue has `pull_request`."""
    api = f"{base}/repos/{repo.full_name}/issues/{issue.number}"
    is_pull = isinstance(issue, Pull)
    kind = "pull" if is_pull else "issues"
    data: Json = {
        "id": issue.id,
        "node_id": f"I_{issue.id}",
        "number": issue.number,
        "title": issue.title,
        "body": issue.body,
        "user": user_json(base, issue.user),
        "labels": [label_json(base, repo, name) for name in labels],
        "state": issue.state,
        "state_reason": issue.state_reason if isinstance(issue, Issue) else None,
        "locked": False,
        "assignee": None,
        "assignees": [],
        "milestone": None,
        "comments": sum(1 for c in repo.comments.values() if c.number == issue.number),
        "created_at": iso(issue.created_at),
        "updated_at": iso(issue.updated_at),
        "closed_at": iso(issue.closed_at) if issue.closed_at else None,
        "author_association": "NONE" if issue.user.type == "Bot" else "OWNER",
        "active_lock_reason": None,
        "url": api,
        "repository_url": f"{base}/repos/{repo.full_name}",
        "labels_url": f"{api}/labels{{/name}}",
        "comments_url": f"{api}/comments",
        "events_url": f"{api}/events",
        "html_url": f"{base}/{repo.full_name}/{kind}/{issue.number}",
    }
    if isinstance(issue, Pull):
        pull_api = f"{base}/repos/{repo.full_name}/pulls/{issue.number}"
        html = f"{base}/{repo.full_name}/pull/{issue.number}"
        data["draft"] = issue.draft
        data["pull_request"] = {
            "url": pull_api,
            "html_url": html,
            "diff_url": f"{html}.diff",
            "patch_url": f"{html}.patch",
            "merged_at": iso(issue.closed_at) if issue.merged and issue.closed_at else None,
        }
    return data


def _pull_urls(base: str, repo: Repo, number: int, head_sha: str) -> Json:
    api = f"{base}/repos/{repo.full_name}"
    html = f"{base}/{repo.full_name}/pull/{number}"
    urls = {
        "url": f"{api}/pulls/{number}",
        "html_url": html,
        "diff_url": f"{html}.diff",
        "patch_url": f"{html}.patch",
        "issue_url": f"{api}/issues/{number}",
        "comments_url": f"{api}/issues/{number}/comments",
        "commits_url": f"{api}/pulls/{number}/commits",
        "review_comments_url": f"{api}/pulls/{number}/comments",
        "review_comment_url": f"{api}/pulls/comments{{/number}}",
        "statuses_url": f"{api}/statuses/{head_sha}",
    }
    links = {
        "self": "url",
        "html": "html_url",
        "issue": "issue_url",
        "comments": "comments_url",
        "review_comments": "review_comments_url",
        "review_comment": "review_comment_url",
        "commits": "commits_url",
        "statuses": "statuses_url",
    }
    return {**urls, "_links": {name: {"href": urls[key]} for name, key in links.items()}}


def _end(base: str, repo: Repo, ref: str, sha: str) -> Json:
    return {
        "label": f"{repo.owner.login}:{ref}",
        "ref": ref,
        "sha": sha,
        "user": user_json(base, repo.owner),
        "repo": repo_json(base, repo),
    }


def commit_json(base: str, state: State, repo: Repo, commit: GitCommit) -> Json:
    author = state.user_by_email(commit.author_email)
    committer = state.user_by_email(commit.committer_email)
    return {
        "sha": commit.sha,
        "node_id": f"C_{commit.sha}",
        "url": f"{base}/repos/{repo.full_name}/commits/{commit.sha}",
        "html_url": f"{base}/{repo.full_name}/commit/{commit.sha}",
        "comments_url": f"{base}/repos/{repo.full_name}/commits/{commit.sha}/comments",
        "commit": {
            "url": f"{base}/repos/{repo.full_name}/git/commits/{commit.sha}",
            "message": commit.message,
            "comment_count": 0,
            "tree": {
                "sha": commit.tree,
                "url": f"{base}/repos/{repo.full_name}/git/trees/{commit.tree}",
            },
            "author": {
                "name": commit.author_name,
                "email": commit.author_email,
                "date": commit.author_date,
            },
            "committer": {
                "name": commit.committer_name,
                "email": commit.committer_email,
                "date": commit.committer_date,
            },
        },
        "author": user_json(base, author) if author else None,
        "committer": user_json(base, committer) if committer else None,
        "parents": [
            {"sha": sha, "url": f"{base}/repos/{repo.full_name}/commits/{sha}"}
            for sha in commit.parents
        ],
    }


def comment_json(base: str, repo: Repo, comment: Comment) -> Json:
    counts = dict.fromkeys(REACTIONS, 0)
    kind = "pull" if comment.number in repo.pulls else "issues"
    for reaction in comment.reactions:
        counts[reaction.content] = counts.get(reaction.content, 0) + 1
    return {
        "id": comment.id,
        "node_id": f"IC_{comment.id}",
        "body": comment.body,
        "user": user_json(base, comment.user),
        "created_at": iso(comment.created_at),
        "updated_at": iso(comment.created_at),
        "author_association": "NONE" if comment.user.type == "Bot" else "OWNER",
        "url": f"{base}/repos/{repo.full_name}/issues/comments/{comment.id}",
        "html_url": f"{base}/{repo.full_name}/{kind}/{comment.number}#issuecomment-{comment.id}",
        "issue_url": f"{base}/repos/{repo.full_name}/issues/{comment.number}",
        "reactions": {
            "url": f"{base}/repos/{repo.full_name}/issues/comments/{comment.id}/reactions",
            "total_count": len(comment.reactions),
            **counts,
        },
    }


def reaction_json(base: str, reaction: Reaction) -> Json:
    return {
        "id": reaction.id,
        "node_id": f"REA_{reaction.id}",
        "content": reaction.content,
        "user": user_json(base, reaction.user),
        "created_at": iso(reaction.created_at),
    }


def check_run_json(base: str, state: State, repo: Repo, run: CheckRun) -> Json:
    return {
        "id": run.id,
        "node_id": f"CR_{run.id}",
        "name": run.name,
        "head_sha": run.head_sha,
        "status": run.status,
        "conclusion": run.conclusion,
        "started_at": iso(run.started_at),
        "completed_at": iso(run.completed_at) if run.completed_at else None,
        "output": {
            "title": run.output.get("title"),
            "summary": run.output.get("summary"),
            "text": run.output.get("text"),
            "annotations_count": len(run.output.get("annotations") or []),
            "annotations_url": f"{base}/repos/{repo.full_name}/check-runs/{run.id}/annotations",
            "annotations": run.output.get("annotations") or [],
        },
        "app": app_json(base, state),
        "url": f"{base}/repos/{repo.full_name}/check-runs/{run.id}",
        "html_url": f"{base}/{repo.full_name}/runs/{run.id}",
        "details_url": None,
        "external_id": None,
        "check_suite": {"id": run.id},
        "pull_requests": [],
    }


def app_json(base: str, state: State) -> Json:
    return {
        "id": state.app_id,
        "slug": state.app_slug,
        "node_id": f"A_{state.app_id}",
        "name": state.app_slug,
        "description": "maintenance pull requests",
        "owner": user_json(base, state.bot),
        "external_url": base,
        "html_url": f"{base}/apps/{state.app_slug}",
        "created_at": iso(state.started_at),
        "updated_at": iso(state.started_at),
        "permissions": {"contents": "write", "pull_requests": "write", "checks": "write"},
        "events": ["push", "pull_request", "check_run", "check_suite", "issue_comment"],
    }


def registered_app_json(base: str, app: RegisteredApp) -> Json:
    """An App created from a manifest, as `GET /app` and the conversion answer show it."""
    return {
        "id": app.id,
        "slug": app.slug,
        "node_id": f"A_{app.id}",
        "name": app.name,
        "description": None,
        "owner": user_json(base, app.owner),
        "external_url": app.webhook_url.rsplit("/webhooks/", 1)[0],
        "html_url": f"{base}/apps/{app.slug}",
        "created_at": iso(app.created_at),
        "updated_at": iso(app.created_at),
        "permissions": dict(app.permissions),
        "events": list(app.events),
    }


def content_json(base: str, repo: Repo, path: str, sha: str, data: bytes) -> Json:
    url = f"{base}/repos/{repo.full_name}/contents/{path}"
    git_url = f"{base}/repos/{repo.full_name}/git/blobs/{sha}"
    html_url = f"{base}/{repo.full_name}/blob/{repo.default_branch}/{path}"
    return {
        "type": "file",
        "encoding": "base64",
        "size": len(data),
        "name": path.rsplit("/", 1)[-1],
        "path": path,
        "sha": sha,
        "content": base64.encodebytes(data).decode("ascii"),
        "url": url,
        "git_url": git_url,
        "html_url": html_url,
        "download_url": None,
        "_links": {"self": url, "git": git_url, "html": html_url},
    }


def ref_json(base: str, repo: Repo, ref: str, sha: str) -> Json:
    return {
        "ref": ref,
        "node_id": f"REF_{repo.id}_{ref}",
        "url": f"{base}/repos/{repo.full_name}/git/{ref}",
        "object": {
            "sha": sha,
            "type": "commit",
            "url": f"{base}/repos/{repo.full_name}/git/commits/{sha}",
        },
    }


def push_commit_json(base: str, repo: Repo, commit: GitCommit) -> Json:
    """A commit as a push payload lists it (`commits[]`)."""
    return {
        "id": commit.sha,
        "tree_id": commit.tree,
        "distinct": True,
        "message": commit.message,
        "timestamp": commit.committer_date,
        "url": f"{base}/{repo.full_name}/commit/{commit.sha}",
        "author": {"name": commit.author_name, "email": commit.author_email},
        "committer": {"name": commit.committer_name, "email": commit.committer_email},
        **repo.git.changes(commit.sha),
    }


def review_json(base: str, review: Review) -> Json:
    return {
        "id": review.id,
        "user": user_json(base, review.user),
        "state": review.state,
        "commit_id": review.commit_id,
        "submitted_at": iso(review.submitted_at),
        "body": "",
    }


def workflow_run_json(base: str, repo: Repo, run: WorkflowRun, attempt: int | None = None) -> Json:
    """A workflow run as `GET /repos/{o}/{r}/actions/runs/{id}` shows it (at `attempt`, else
    its latest attempt)."""
    api = f"{base}/repos/{repo.full_name}/actions/runs/{run.id}"
    chosen = run.attempts[(attempt or len(run.attempts)) - 1]
    previous = f"{api}/attempts/{chosen.number - 1}" if chosen.number > 1 else None
    commit = repo.git.commit(run.head_sha)
    head_commit = (
        None
        if commit is None
        else {
            "id": commit.sha,
            "tree_id": commit.tree,
            "message": commit.message,
            "timestamp": commit.committer_date,
            "author": {"name": commit.author_name, "email": commit.author_email},
            "committer": {"name": commit.committer_name, "email": commit.committer_email},
        }
    )
    return {
        "id": run.id,
        "node_id": f"WFR_{run.id}",
        "name": run.name,
        "display_title": run.name,
        "path": run.path,
        "head_branch": run.head_branch,
        "head_sha": run.head_sha,
        "run_number": run.run_number,
        "run_attempt": chosen.number,
        "event": run.event,
        "status": chosen.status,
        "conclusion": chosen.conclusion,
        "workflow_id": run.workflow_id,
        "check_suite_id": run.id,
        "check_suite_url": f"{base}/repos/{repo.full_name}/check-suites/{run.id}",
        "url": api,
        "html_url": f"{base}/{repo.full_name}/actions/runs/{run.id}",
        "jobs_url": f"{api}/jobs",
        "logs_url": f"{api}/logs",
        "artifacts_url": f"{api}/artifacts",
        "cancel_url": f"{api}/cancel",
        "rerun_url": f"{api}/rerun",
        "previous_attempt_url": previous,
        "workflow_url": f"{base}/repos/{repo.full_name}/actions/workflows/{run.workflow_id}",
        "pull_requests": [],
        "created_at": iso(run.created_at),
        "updated_at": iso(chosen.updated_at),
        "run_started_at": iso(chosen.started_at),
        "actor": user_json(base, repo.owner),
        "triggering_actor": user_json(base, repo.owner),
        "head_commit": head_commit,
        "repository": repo_json(base, repo),
        "head_repository": repo_json(base, repo),
    }


def artifact_json(base: str, repo: Repo, artifact: Artifact, run: WorkflowRun) -> Json:
    api = f"{base}/repos/{repo.full_name}/actions/artifacts/{artifact.id}"
    return {
        "id": artifact.id,
        "node_id": f"MDg6QXJ0aWZhY3Q{artifact.id}",
        "name": artifact.name,
        "size_in_bytes": len(artifact.data),
        "url": api,
        "archive_download_url": f"{api}/zip",
        "expired": artifact.expired,
        "created_at": iso(artifact.created_at),
        "updated_at": iso(artifact.created_at),
        "expires_at": iso(artifact.created_at + 90 * 86400),
        "workflow_run": {
            "id": run.id,
            "repository_id": repo.id,
            "head_repository_id": repo.id,
            "head_branch": run.head_branch,
            "head_sha": run.head_sha,
        },
    }
