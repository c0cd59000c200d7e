"""Severity as people read it: a CVSS vector becomes its base score and rating."""

from __future__ import annotations

from cvss import CVSS3, CVSS4, CVSSError

from app.security.advisory import Advisory, Severity


def describe(severity: Severity) -> str:
    """``7.5 High (CVSS:3.1/AV:N/…)`` for vectors; the given text for a plain rating."""
    try:
        if severity.kind == "CVSS_V3":
            vector = CVSS3(severity.score)
            return f"{vector.base_score} {vector.severities()[0]} ({severity.score})"
        if severity.kind == "CVSS_V4":
            vector4 = CVSS4(severity.score)
            return f"{vector4.base_score} {vector4.severity} ({severity.score})"
    except CVSSError:
        return severity.score
    return severity.score.capitalize() if severity.kind == "GHSA" else severity.score


def severity_text(advisory: Advisory) -> str | None:
    """The advisory's severities joined, or ``None`` when it carries none."""
    if not advisory.severity:
        return None
    return "; ".join(describe(s) for s in advisory.severity)
