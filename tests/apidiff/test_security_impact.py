"""Security fixes carry the same impact section; a release that cannot be fetched is reported
as not compared, never as free of breaking changes."""

from __future__ import annotations

from app.config import RepoConfig
from app.model import Kind
from app.output import proposal_json
from app.security.directory import AdvisoryDirectory
from tests.apidiff.support import scan_with_distributions
from tests.support import make_repo
from tests.support.osv_server import ADVISORY_DB


def test_security_fix_without_distributions_says_not_compared(tmp_path, index) -> None:
    root = make_repo(
        tmp_path / "repo",
        files={"requirements.txt": "jinja2==2.10\n", "views.py": "import jinja2\n"},
    )
    config = RepoConfig(enabled=[Kind.SECURITY])
    result = scan_with_distributions(
        index, root, tmp_path / "cache", config, advisories=AdvisoryDirectory(ADVISORY_DB)
    )
    [proposal] = result.proposals
    assert proposal.kind is Kind.SECURITY
    body = proposal.body
    assert "## What this update changes in our code" in body
    assert "could not be compared" in body and "HTTP 404" in body
    assert "No code in this repository uses an API that changed" not in body
    document = proposal_json(proposal)
    assert document["api_compared"] is False and document["breaking"] == []
    assert any("API not fully compared" in f for f in document["risk"]["factors"])
