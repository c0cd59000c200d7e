"""The API comparison on packages written here: what griffe and our own passes report."""

from __future__ import annotations

from app.apidiff.api import ChangeKind, compare
from tests.apidiff.support import unpacked, wheel

OLD = {
    "lib/__init__.py": "from lib.core import Client, helper\nfrom lib.core import old_name\n",
    "lib/core.py": (
        "class Client:\n"
        "    def send(self, data, retries=3, verify=True):\n"
        "        return data\n\n"
        "def helper(x):\n    return x\n\n"
        "def old_name():\n    pass\n"
    ),
}
NEW = {
    "lib/__init__.py": "from lib.core import Client, helper\n",
    "lib/core.py": (
        "import warnings\n\n"
        "class Client:\n"
        "    def send(self, data, verify=True):\n"
        "        return data\n\n"
        "def helper(x):\n"
        "    warnings.warn('helper is going away', DeprecationWarning, stacklevel=2)\n"
        "    return x\n"
    ),
}


def test_removed_keyword_removed_reexport_and_new_deprecation(tmp_path) -> None:
    old = unpacked(wheel(tmp_path / "w", "lib", "1.0", OLD), tmp_path / "old")
    new = unpacked(wheel(tmp_path / "w", "lib", "2.0", NEW), tmp_path / "new")
    diff = compare(old, new)
    found = {(c.symbol, c.kind, c.parameter) for c in diff.changes}
    assert ("lib.core.Client.send", ChangeKind.PARAMETER_REMOVED, "retries") in found
    assert ("lib.old_name", ChangeKind.REMOVED, None) in found
    assert ("lib.core.old_name", ChangeKind.REMOVED, None) in found
    assert ("lib.core.helper", ChangeKind.DEPRECATED, None) in found
    assert diff.uncompared is None
    assert ("lib.Client", "lib.core.Client") in diff.aliases
    # Importing the standard library is not part of the API.
    assert not any(c.symbol == "lib.core.warnings" for c in diff.changes)


def test_compiled_modules_without_stubs_are_not_called_compatible(tmp_path) -> None:
    files: dict[str, str | bytes] = {
        "fast/__init__.py": "from fast._speed import go\n",
        "fast/_speed.cpython-311-x86_64-linux-gnu.so": b"\x7fELF",
    }
    old = unpacked(wheel(tmp_path / "w", "fast", "1.0", files), tmp_path / "old")
    new = unpacked(wheel(tmp_path / "w", "fast", "2.0", files), tmp_path / "new")
    diff = compare(old, new)
    assert diff.uncompared is not None
    assert "fast._speed" in diff.uncompared and "stubs" in diff.uncompared


def test_stubs_make_compiled_modules_comparable(tmp_path) -> None:
    files: dict[str, str | bytes] = {
        "fast/__init__.py": "from fast._speed import go\n",
        "fast/_speed.cpython-311-x86_64-linux-gnu.so": b"\x7fELF",
        "fast/_speed.pyi": "def go(x: int, fast: bool = ...) -> int: ...\n",
    }
    newer = {**files, "fast/_speed.pyi": "def go(x: int) -> int: ...\n"}
    old = unpacked(wheel(tmp_path / "w", "fast", "1.0", files), tmp_path / "old")
    new = unpacked(wheel(tmp_path / "w", "fast", "2.0", newer), tmp_path / "new")
    diff = compare(old, new)
    assert diff.uncompared is None
    assert ("fast.go", ChangeKind.PARAMETER_REMOVED, "fast") in {
        (c.symbol, c.kind, c.parameter) for c in diff.changes
    }
