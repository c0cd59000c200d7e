"""MB210: Django's ``force_text``/``smart_text`` → ``force_str``/``smart_str`` (gone in 4.0)."""

from __future__ import annotations

from typing import ClassVar

from codemods.info import Applies, RuleInfo, Safety
from codemods.rename import RenameRule


class DjangoForceText(RenameRule):
    info = RuleInfo(
        id="MB210",
        name="django-force-text",
        family="django",
        summary="Use force_str/smart_str instead of the removed force_text/smart_text",
        replaces="django.utils.encoding.force_text, smart_text",
        replacement="django.utils.encoding.force_str, smart_str",
        applies=Applies(library="django", versions=">=2.0"),
        deprecated_since="Django 3.0",
        removed_in="Django 4.0",
        safety=Safety.SAFE,
        link="https://docs.djangoproject.com/en/stable/releases/4.0/#features-removed-in-4-0",
        needles=("force_text", "smart_text"),
    )
    renames: ClassVar[dict[str, str]] = {
        "django.utils.encoding.force_text": "django.utils.encoding.force_str",
        "django.utils.encoding.smart_text": "django.utils.encoding.smart_str",
    }
