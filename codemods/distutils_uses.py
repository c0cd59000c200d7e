"""MB130: every other use of ``distutils``, removed in Python 3.12 (report only).

``distutils.spawn.find_executable(name)`` is rewritten by MB117 when it runs.
"""

from __future__ import annotations

import libcst as cst

from codemods.distutils_find_executable import FindExecutable, rewritable_call
from codemods.info import Applies, RuleInfo, Safety
from codemods.module_uses import ModuleUses

ADVICE = {
    "distutils.version.LooseVersion": "packaging.version.Version (stricter: check the "
    "version strings it is given)",
    "distutils.version.StrictVersion": "packaging.version.Version",
    "distutils.util.strtobool": "a small local function (strtobool accepted y/yes/t/true/on/1 "
    "and n/no/f/false/off/0)",
    "distutils.spawn.find_executable": "shutil.which(name)",
    "distutils.core.setup": "setuptools.setup",
    "distutils.core.Extension": "setuptools.Extension",
    "distutils.core.Command": "setuptools.Command",
    "distutils.dir_util.copy_tree": "shutil.copytree(src, dst, dirs_exist_ok=True)",
    "distutils.dir_util.mkpath": "os.makedirs(path, exist_ok=True)",
    "distutils.file_util.copy_file": "shutil.copy2(src, dst)",
    "distutils.sysconfig": "the sysconfig module",
    "distutils.errors": "setuptools.errors",
    "distutils.log": "the logging module",
    "distutils": "setuptools, packaging, shutil or sysconfig (PEP 632 lists each replacement)",
}


class DistutilsUses(ModuleUses):
    module = "distutils"
    advice = ADVICE
    info = RuleInfo(
        id="MB130",
        name="distutils",
        family="distutils",
        summary="distutils was removed in Python 3.12: port this use by hand",
        replaces="distutils.* (LooseVersion, strtobool, core.setup, …)",
        replacement=ADVICE["distutils"],
        applies=Applies(),
        deprecated_since="Python 3.10",
        removed_in="Python 3.12",
        safety=Safety.REPORT_ONLY,
        link="https://peps.python.org/pep-0632/#migration-advice",
        needles=("distutils",),
        uses=("distutils",),
        ast_filter="module-uses",
    )

    def fixed_elsewhere(self, name: str, use: cst.BaseExpression) -> bool:
        if name != "distutils.spawn.find_executable":
            return False
        if FindExecutable.info.id not in self.run.active:
            return False
        call = self.parent(use)
        return isinstance(call, cst.Call) and call.func is use and rewritable_call(call)
