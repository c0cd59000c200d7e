"""MB207: ``werkzeug.security.safe_str_cmp`` → ``hmac.compare_digest`` (removed in 2.1)."""

from __future__ import annotations

from typing import ClassVar

from codemods.info import Applies, RuleInfo, Safety
from codemods.rename import RenameRule


class WerkzeugSafeStrCmp(RenameRule):
    info = RuleInfo(
        id="MB207",
        name="werkzeug-safe-str-cmp",
        family="werkzeug",
        summary="Compare secrets with hmac.compare_digest; Werkzeug 2.1 removed safe_str_cmp",
        replaces="werkzeug.security.safe_str_cmp(a, b)",
        replacement="hmac.compare_digest(a, b)",
        applies=Applies(library="werkzeug"),
        deprecated_since="Werkzeug 2.0",
        removed_in="Werkzeug 2.1",
        safety=Safety.CONDITIONAL,
        link="https://werkzeug.palletsprojects.com/en/stable/changes/#version-2-1-0",
        needles=("safe_str_cmp",),
        risk_note="compare_digest raises TypeError when one side is str and the other bytes, "
        "or when a str holds non-ASCII characters; safe_str_cmp encoded str as UTF-8 first.",
    )
    renames: ClassVar[dict[str, str]] = {
        "werkzeug.security.safe_str_cmp": "hmac.compare_digest",
        "werkzeug.safe_str_cmp": "hmac.compare_digest",
    }
