"""GitHub-shaped JSON for the emulator's objects (the fields the bot and its tests read, plus
the usual neighbours so GitHub-typed clients accept them)."""

from __future__ import annotations

from typing import Any

from app.emulator.gitrepo import GitCommit
from app.emulator.state import CheckRun, Comment, Installation, Pull, Repo, State, User, iso

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


def repo_json(base: str, repo: Repo) -> Json:
    api = f"{base}/repos/{repo.full_name}"
    return {
        "id": repo.id,
        "node_id": f"R_{repo.id}",
        "name": repo.name,
        "full_name": repo.full_name,
        "private": repo.private,
        "owner": user_json(base, repo.owner),
        "html_url": f"{base}/{repo.full_name}",
        "url": api,
        "pulls_url": f"{api}/pulls{{/number}}",
        "clone_url": f"{base}/{repo.full_name}.git",
        "git_url": f"{base}/{repo.full_name}.git",
        "default_branch": repo.default_branch,
        "master_branch": repo.default_branch,
        "archived": repo.archived,
        "disabled": False,
        "fork": False,
        "visibility": "private" if repo.private else "public",
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
    }


def pull_json(base: str, repo: Repo, pull: Pull, labels: list[str]) -> Json:
    head_sha = repo.git.branch_sha(pull.head_ref) or pull.head_sha
    base_sha = repo.git.branch_sha(pull.base_ref) or pull.base_sha
    html = f"{base}/{repo.full_name}/pull/{pull.number}"
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
        "labels": [{"name": name, "color": "ededed", "default": False} for name in labels],
        "created_at": iso(pull.created_at),
        "updated_at": iso(pull.updated_at),
        "closed_at": iso(pull.closed_at) if pull.closed_at else None,
        "merged_at": iso(pull.closed_at) if pull.merged and pull.closed_at else None,
        "merged": pull.merged,
        "mergeable": None,
        "head": _end(base, repo, pull.head_ref, head_sha),
        "base": _end(base, repo, pull.base_ref, base_sha),
        "url": f"{base}/repos/{repo.full_name}/pulls/{pull.number}",
        "html_url": html,
        "issue_url": f"{base}/repos/{repo.full_name}/issues/{pull.number}",
        "comments_url": f"{base}/repos/{repo.full_name}/issues/{pull.number}/comments",
        "commits_url": f"{base}/repos/{repo.full_name}/pulls/{pull.number}/commits",
    }


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
        "commit": {
            "message": commit.message,
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
    for _, content, _ in comment.reactions:
        counts[content] = counts.get(content, 0) + 1
    return {
        "id": comment.id,
        "node_id": f"IC_{comment.id}",
        "body": comment.body,
        "user": user_json(base, comment.user),
        "created_at": iso(comment.created_at),
        "updated_at": iso(comment.created_at),
        "author_association": "NONE" if comment.user.type == "Bot" else "OWNER",
        "url": f"{base}/repos/{repo.full_name}/issues/comments/{comment.id}",
        "html_url": f"{base}/{repo.full_name}/pull/{comment.number}#issuecomment-{comment.id}",
        "issue_url": f"{base}/repos/{repo.full_name}/issues/{comment.number}",
        "reactions": {
            "url": f"{base}/repos/{repo.full_name}/issues/comments/{comment.id}/reactions",
            "total_count": len(comment.reactions),
            **counts,
        },
    }


def reaction_json(base: str, reaction_id: int, content: str, user: User) -> Json:
    return {"id": reaction_id, "content": content, "user": user_json(base, user)}


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
            "annotations": run.output.get("annotations") or [],
        },
        "app": {"id": state.app_id, "slug": state.app_slug, "name": state.app_slug},
        "url": f"{base}/repos/{repo.full_name}/check-runs/{run.id}",
        "html_url": f"{base}/{repo.full_name}/runs/{run.id}",
    }
