"""Each file's `ast`, parsed once per scan and shared by every analyzer that reads it.

Keyed by path and a digest of the bytes parsed, so a file edited during the scan (or the same
text at two paths, which parse alike but are different modules) is never served another's
tree. A parse error is remembered like a tree: asking twice costs one parse either way.
Bounded by the total size of the sources it holds; past that, files are parsed and not kept.
"""

from __future__ import annotations

import ast
import hashlib

MAX_HELD_BYTES = 8 * 1024 * 1024
"""Source bytes whose trees are kept: a tree takes 20 to 30 times its source in memory
(Django's 125 deprecation candidates: about 70 MB)."""

ParseError = (SyntaxError, ValueError, RecursionError, MemoryError)
"""What `ast.parse` raises for a file it cannot read: bad syntax, NUL bytes, deep nesting."""


class ParsedModules:
    """The scan's parsed files; hand the same instance to every analyzer of one scan."""

    def __init__(self, max_held_bytes: int = MAX_HELD_BYTES) -> None:
        self.max_held_bytes = max_held_bytes
        self.held_bytes = 0
        self.parses = 0
        """How many times `ast.parse` ran (for tests and notes)."""
        self._trees: dict[tuple[str, bytes], ast.Module | BaseException] = {}
        self._paths: set[str] = set()

    def tree(self, path: str, source: bytes | str) -> ast.Module:
        """The module's tree; raises what `ast.parse` raised (see `ParseError`)."""
        data = source.encode("utf-8") if isinstance(source, str) else source
        key = (path, hashlib.blake2b(data, digest_size=16).digest())
        found = self._trees.get(key)
        if found is None:
            found = self._parse(path, data)
            if self.held_bytes + len(data) <= self.max_held_bytes:
                self._trees[key] = found
                self._paths.add(path)
                self.held_bytes += len(data)
        if isinstance(found, BaseException):
            raise found
        return found

    def holds(self, path: str) -> bool:
        """Whether a tree of ``path`` is held (of its current text or not: `tree` checks)."""
        return path in self._paths

    def _parse(self, path: str, data: bytes) -> ast.Module | BaseException:
        self.parses += 1
        try:
            return ast.parse(data, filename=path)
        except ParseError as exc:
            return exc
