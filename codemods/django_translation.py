"""MB209: Django's ``ugettext``-family aliases → ``gettext``-family (removed in Django 4.0)."""

from __future__ import annotations

from typing import ClassVar

from codemods.info import Applies, RuleInfo, Safety
from codemods.rename import RenameRule

ALIASES = {
    "ugettext": "gettext",
    "ugettext_lazy": "gettext_lazy",
    "ugettext_noop": "gettext_noop",
    "ungettext": "ngettext",
    "ungettext_lazy": "ngettext_lazy",
}


class DjangoTranslation(RenameRule):
    info = RuleInfo(
        id="MB209",
        name="django-ugettext",
        family="django",
        summary="Use gettext/gettext_lazy/ngettext instead of the removed u-prefixed aliases",
        replaces="ugettext, ugettext_lazy, ugettext_noop, ungettext, ungettext_lazy",
        replacement="gettext, gettext_lazy, gettext_noop, ngettext, ngettext_lazy",
        applies=Applies(library="django", versions=">=2.0"),
        deprecated_since="Django 3.0",
        removed_in="Django 4.0",
        safety=Safety.SAFE,
        link="https://docs.djangoproject.com/en/stable/releases/4.0/#features-removed-in-4-0",
        needles=("ugettext", "ungettext"),
    )
    renames: ClassVar[dict[str, str]] = {
        f"django.utils.translation.{old}": f"django.utils.translation.{new}"
        for old, new in ALIASES.items()
    }
