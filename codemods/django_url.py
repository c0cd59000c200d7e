"""MB211: ``django.conf.urls.url()`` → ``django.urls.re_path()`` (removed in Django 4.0)."""

from __future__ import annotations

from typing import ClassVar

from codemods.info import Applies, RuleInfo, Safety
from codemods.rename import RenameRule


class DjangoUrl(RenameRule):
    info = RuleInfo(
        id="MB211",
        name="django-url",
        family="django",
        summary="Route regular expressions with django.urls.re_path",
        replaces="django.conf.urls.url(regex, view)",
        replacement="django.urls.re_path(regex, view)",
        applies=Applies(library="django", versions=">=2.0"),
        deprecated_since="Django 3.1",
        removed_in="Django 4.0",
        safety=Safety.SAFE,
        link="https://docs.djangoproject.com/en/stable/releases/4.0/#features-removed-in-4-0",
        needles=("conf.urls", "conf import urls"),
        requires_any=("url",),
    )
    renames: ClassVar[dict[str, str]] = {"django.conf.urls.url": "django.urls.re_path"}
