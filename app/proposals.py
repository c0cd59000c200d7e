"""Turn the planner's batches into proposals: name, branch, risk, rollback and rendered body."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from app.analyzers import analyzer_for
from app.config import RepoConfig
from app.model import Change, Edit, Proposal
from app.planner import Batch, Versioned
from app.risk import ci_factor, combine
from app.templates import render_body

BRANCH_PREFIX = "maintainer/"
"""Every branch the bot pushes starts with it; nothing else does (the one owner of the name)."""
MAX_RESTORE_LINES = 3

ReadText = Callable[[str], str]


@dataclass(frozen=True)
class Restore:
    """What a rollback puts back: the previous text of a line (or a note for whole files)."""

    file: str
    line: int | None
    before: str


def slugify(text: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.").lower()
    return re.sub(r"-{2,}", "-", slug)[:80] or "change"


def branch_name(kind: str, slug: str) -> str:
    return f"{BRANCH_PREFIX}{kind}/{slugify(slug)}"


def is_bot_branch(branch: str | None) -> bool:
    return branch is not None and branch.startswith(BRANCH_PREFIX)


def branch_for(batch: Batch) -> str:
    """The branch a batch's proposal goes on (what `plan` matches against open PRs)."""
    description = analyzer_for(batch.kind).describe(batch.findings, batch.group)
    return branch_name(batch.kind.value, description.slug)


def build(
    batch: Batch,
    config: RepoConfig,
    read_text: ReadText,
    ci_results: Mapping[str, str] | None = None,
) -> Proposal:
    """``ci_results`` maps bot branches to their last CI conclusion (it joins the risk)."""
    analyzer = analyzer_for(batch.kind)
    description = analyzer.describe(batch.findings, batch.group)
    branch = branch_name(batch.kind.value, description.slug)
    proposal_id = hashlib.sha1(branch.encode()).hexdigest()[:12]
    factors = [f for finding in batch.findings for f in finding.risk_factors]
    ci = ci_factor((ci_results or {}).get(branch))
    risk = combine([*factors, ci] if ci else factors)
    labels = tuple(
        dict.fromkeys([*config.labels, *(lb for f in batch.findings for lb in f.labels)])
    )
    details = [finding.detail for finding in batch.findings]
    edits = [edit for finding in batch.findings for edit in finding.edits]
    libyears = [getattr(d, "libyears", None) for d in details]
    body = render_body(
        batch.kind.value,
        details=details,
        findings=batch.findings,
        group=batch.group,
        risk=risk,
        restore=restore_list(edits, read_text),
        proposal_id=proposal_id,
        config=config,
        total_libyears=sum(y for y in libyears if isinstance(y, float)),
    )
    return Proposal(
        id=proposal_id,
        kind=batch.kind,
        title=description.title,
        branch=branch,
        findings=batch.findings,
        risk=risk,
        labels=labels,
        body=body,
        commit_message=description.commit_message,
    )


def restore_list(edits: Sequence[Edit], read_text: ReadText) -> list[Restore]:
    restores: list[Restore] = []
    texts: dict[str, str] = {}
    for edit in sorted(edits, key=lambda e: (e.path, e.offset)):
        if edit.deletes_file:
            restores.append(Restore(edit.path, None, f"git checkout <base-sha> -- {edit.path}"))
            continue
        text = texts.setdefault(edit.path, _safe_read(read_text, edit.path))
        start = text.rfind("\n", 0, edit.offset) + 1
        end = text.find("\n", edit.end)
        before = text[start : len(text) if end == -1 else end]
        if before.count("\n") >= MAX_RESTORE_LINES or not text:
            restores.append(Restore(edit.path, None, f"git checkout <base-sha> -- {edit.path}"))
            continue
        line = text.count("\n", 0, start) + 1
        restores.append(Restore(edit.path, line, before.strip()))
    return list(dict.fromkeys(restores))


def _safe_read(read_text: ReadText, path: str) -> str:
    try:
        return read_text(path)
    except (OSError, UnicodeDecodeError):
        return ""


def changes_of(proposal: Proposal) -> list[Change]:
    """The packages and versions a proposal moves (none for code changes)."""
    found: dict[str, Change] = {}
    for finding in proposal.findings:
        detail = finding.detail
        if isinstance(detail, Versioned):
            from_version = getattr(detail, "from_version", None)
            found[detail.package] = Change(
                detail.package,
                from_version if isinstance(from_version, str) else None,
                detail.to_version,
                str(detail.update_type.value) if detail.update_type else None,
            )
    return [found[name] for name in sorted(found)]
