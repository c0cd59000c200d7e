"""MB128: every other use of ``pkg_resources``, which setuptools 82 no longer ships (report only).

``pkg_resources.get_distribution(x).version`` is rewritten by MB115 when it runs; everything else
has no provably equivalent replacement (``resource_filename`` returns a real file, extracted from
a zip if need be; ``importlib.resources.files`` wants a package, not a module, as its anchor).
"""

from __future__ import annotations

import libcst as cst

from codemods.info import Applies, RuleInfo, Safety
from codemods.module_uses import ModuleUses
from codemods.pkg_resources_version import PkgResourcesVersion, rewritable

RESOURCES = (
    "importlib.resources.files(package) / name (with importlib.resources.as_file() where a "
    "real path is needed)"
)
ADVICE = {
    "pkg_resources.get_distribution": "importlib.metadata.distribution(name) "
    "(its version: importlib.metadata.version(name))",
    "pkg_resources.require": "importlib.metadata.requires(name) and packaging, or drop the "
    "runtime check",
    "pkg_resources.iter_entry_points": "importlib.metadata.entry_points(group=...)",
    "pkg_resources.working_set": "importlib.metadata.distributions()",
    "pkg_resources.parse_version": "packaging.version.Version(text)",
    "pkg_resources.parse_requirements": "packaging.requirements.Requirement(line) per line",
    "pkg_resources.Requirement": "packaging.requirements.Requirement",
    "pkg_resources.DistributionNotFound": "importlib.metadata.PackageNotFoundError",
    "pkg_resources.declare_namespace": "a native namespace package (PEP 420): delete the "
    "call and the package's __init__.py",
    **{
        f"pkg_resources.{name}": RESOURCES
        for name in (
            "resource_filename",
            "resource_string",
            "resource_stream",
            "resource_listdir",
            "resource_exists",
            "resource_isdir",
        )
    },
    "pkg_resources": "importlib.metadata (installed distributions), importlib.resources "
    "(package data) or packaging (versions, requirements)",
}
MODULE_ANCHOR = (
    "; here the anchor is __name__ of a module, not a package: anchor on the package "
    "(__package__) instead"
)


class PkgResourcesUses(ModuleUses):
    module = "pkg_resources"
    advice = ADVICE
    info = RuleInfo(
        id="MB128",
        name="pkg-resources",
        family="importlib",
        summary="pkg_resources is gone from setuptools 82: port this use by hand",
        replaces="pkg_resources.* (resource_filename, require, iter_entry_points, …)",
        replacement=ADVICE["pkg_resources"],
        applies=Applies(),
        deprecated_since="setuptools 67.5",
        removed_in="setuptools 82",
        safety=Safety.REPORT_ONLY,
        link="https://setuptools.pypa.io/en/latest/pkg_resources.html",
        needles=("pkg_resources",),
        uses=("pkg_resources",),
        ast_filter="module-uses",
    )

    def fixed_elsewhere(self, name: str, use: cst.BaseExpression) -> bool:
        if PkgResourcesVersion.info.id not in self.run.active:
            return False
        call = self.parent(use)
        if not isinstance(call, cst.Call) or call.func is not use:
            return False
        attribute = self.parent(call)
        return isinstance(attribute, cst.Attribute) and rewritable(name, call, attribute)

    def advise(self, name: str, use: cst.CSTNode) -> str:
        advice = super().advise(name, use)
        call = self.parent(use)
        if advice == RESOURCES and isinstance(call, cst.Call) and call.args:
            anchor = call.args[0].value
            here = isinstance(anchor, cst.Name) and anchor.value == "__name__"
            if here and not self.run.is_package:
                advice += MODULE_ANCHOR
        return advice
