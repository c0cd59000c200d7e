"""MB129: every other use of the ``imp`` module, removed in Python 3.12 (report only).

``imp.reload`` is rewritten by MB114 when it runs.
"""

from __future__ import annotations

import libcst as cst

from codemods.imp_reload import ImpReload
from codemods.info import Applies, RuleInfo, Safety
from codemods.module_uses import ModuleUses

LOADER = "importlib.util.spec_from_file_location() + module_from_spec() + loader.exec_module()"
ADVICE = {
    "imp.reload": "importlib.reload(module)",
    "imp.load_source": LOADER,
    "imp.load_module": LOADER,
    "imp.load_compiled": LOADER,
    "imp.load_dynamic": LOADER,
    "imp.find_module": "importlib.util.find_spec(name)",
    "imp.new_module": "types.ModuleType(name)",
    "imp.get_suffixes": "importlib.machinery.all_suffixes()",
    "imp.cache_from_source": "importlib.util.cache_from_source(path)",
    "imp.source_from_cache": "importlib.util.source_from_cache(path)",
    "imp.get_magic": "importlib.util.MAGIC_NUMBER",
    "imp.is_builtin": "name in sys.builtin_module_names",
    "imp.lock_held": "nothing: importlib takes its locks itself",
    "imp.acquire_lock": "nothing: importlib takes its locks itself",
    "imp.release_lock": "nothing: importlib takes its locks itself",
    "imp": "importlib (the Python 3.11 imp documentation names the replacement of each function)",
}


class ImpUses(ModuleUses):
    module = "imp"
    advice = ADVICE
    info = RuleInfo(
        id="MB129",
        name="imp-module",
        family="importlib",
        summary="The imp module was removed in Python 3.12: port this use to importlib",
        replaces="imp.load_source, imp.find_module, imp.new_module, …",
        replacement=ADVICE["imp"],
        applies=Applies(),
        deprecated_since="Python 3.4",
        removed_in="Python 3.12",
        safety=Safety.REPORT_ONLY,
        link="https://docs.python.org/3/whatsnew/3.12.html#imp",
        needles=("imp",),
        text_filter="imports-imp",
        uses=("imp",),
        ast_filter="module-uses",
    )

    def fixed_elsewhere(self, name: str, use: cst.BaseExpression) -> bool:
        return name == "imp.reload" and ImpReload.info.id in self.run.active
