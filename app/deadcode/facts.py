"""What one Python file defines and references, as extracted from its ``ast``.

These values are cached by content hash, so they hold only plain strings, ints and tuples.
The per-symbol records are ``NamedTuple``s rather than frozen dataclasses: about 50,000 of them
are rebuilt from the cache on every scan of a Django-sized repository, and building a tuple is
several times faster than a frozen dataclass's ``__init__``. They are just as immutable.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntFlag
from typing import NamedTuple


class Flag(IntFlag):
    NONE = 0
    REMOVABLE = 1
    """A single plain definition the removal codemod can take out on its own."""
    CALL_VALUE = 2
    """A variable whose value comes from a call: removing it also removes that call."""
    ABSTRACT = 4
    TYPE_CHECKING = 8
    OVERLOAD = 16
    NEW_SYNTAX = 32
    """Read through the libcst fallback (syntax newer than this Python): reported, not edited."""


class Refs(NamedTuple):
    """Names read, attribute names used, and ``a.b.c`` chains rooted at a name (no repeats)."""

    names: tuple[str, ...] = ()
    attrs: tuple[str, ...] = ()
    chains: tuple[str, ...] = ()


NO_REFS = Refs()


class Definition(NamedTuple):
    """A function, class, method, class attribute or module variable.

    ``parent`` is the enclosing class for members and ``""`` at module level. ``first_line`` is
    where the statement starts (its first decorator); ``line`` is the ``def``/``class`` line.
    ``scope`` is the index of the enclosing function for a function or class defined inside
    one (-1 otherwise). ``metaclass`` is a class's ``metaclass=`` expression.
    """

    name: str
    kind: str
    line: int
    first_line: int
    end_line: int
    parent: str
    decorators: tuple[str, ...]
    bases: tuple[str, ...]
    flags: int
    """`Flag` bits."""
    refs: Refs
    scope: int = -1
    metaclass: str = ""


class Import(NamedTuple):
    """One imported name. ``name == ""`` means ``import module`` (binding its top package).

    ``owner`` is the index of the enclosing definition, or -1 for module-level code.
    """

    binding: str
    module: str
    name: str
    line: int
    owner: int
    flags: int = Flag.NONE

    @property
    def binds_module(self) -> bool:
        return not self.name


@dataclass(frozen=True, slots=True)
class FileFacts:
    path: str
    module: str
    is_package: bool
    lines: int
    definitions: tuple[Definition, ...]
    imports: tuple[Import, ...]
    body: Refs
    """References made by module-level code that runs on import."""
    strings: tuple[str, ...]
    """String constants that look like identifiers or dotted paths."""
    prefixes: tuple[str, ...]
    """Constant prefixes of computed strings, e.g. ``"visit_"`` in ``"visit_" + name``."""
    dunder_all: tuple[str, ...] | None
    main_guard: bool
    side_effects: bool
    """Module-level statements other than definitions, imports and constant assignments."""
    import_prefixes: tuple[str, ...] = ()
    """Constant prefixes of module names built at run time and given to ``import_module``,
    ``__import__`` or ``find_spec``; ``""`` when the prefix is a variable (then the file's
    strings naming packages are taken as the prefixes)."""
    dynamic_getattr: bool = False
    """``getattr(obj, name)`` with a name that is not a literal: any method may be called."""
    new_syntax: bool = False
    """Parsed through the libcst fallback: syntax newer than the running Python."""
