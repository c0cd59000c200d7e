"""Where each string value of a TOML document sits, so edits can replace only its characters.

tomllib gives values without positions and tomlkit re-serialises what it touches; this small
scanner walks the raw text and reports, for every string value, its key path and the span of
its contents. Callers validate the document with tomllib first, so the scanner may assume
well-formed input.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass

Path = tuple[str | int, ...]
_BARE = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


@dataclass(frozen=True)
class TomlString:
    path: Path
    value: str
    content_start: int
    content_end: int
    verbatim: bool
    """True when the source characters equal the value (no escapes), so spans map 1:1."""


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0
        self.found: list[TomlString] = []
        self.table: Path = ()
        self.array_tables: dict[Path, int] = {}

    def scan(self) -> list[TomlString]:
        while self._skip_blank(newlines=True) < len(self.text):
            if self.text[self.i] == "[":
                self._header()
            else:
                key = self._key()
                self._expect("=")
                self._value((*self.table, *key))
        return self.found

    def _skip_blank(self, newlines: bool) -> int:
        text = self.text
        while self.i < len(text):
            char = text[self.i]
            if char == "#":
                end = text.find("\n", self.i)
                self.i = len(text) if end == -1 else end
            elif char in " \t\r" or (newlines and char == "\n"):
                self.i += 1
            else:
                break
        return self.i

    def _expect(self, char: str) -> None:
        self._skip_blank(newlines=False)
        if self.text[self.i] != char:
            raise ValueError(f"expected {char!r} at offset {self.i}")
        self.i += 1

    def _header(self) -> None:
        double = self.text.startswith("[[", self.i)
        self.i += 2 if double else 1
        key = self._key()
        self.i += 2 if double else 1
        if double:
            index = self.array_tables.get(key, -1) + 1
            self.array_tables[key] = index
            self.table = (*key, index)
        else:
            self.table = key

    def _key(self) -> Path:
        parts: list[str | int] = []
        while True:
            self._skip_blank(newlines=False)
            char = self.text[self.i]
            if char in "\"'":
                parts.append(self._string_literal()[0])
            else:
                start = self.i
                while self.i < len(self.text) and self.text[self.i] in _BARE:
                    self.i += 1
                parts.append(self.text[start : self.i])
            self._skip_blank(newlines=False)
            if self.text[self.i] != ".":
                return tuple(parts)
            self.i += 1

    def _value(self, path: Path) -> None:
        self._skip_blank(newlines=False)
        char = self.text[self.i]
        if char in "\"'":
            value, content_start, content_end = self._string_literal()
            verbatim = self.text[content_start:content_end] == value
            self.found.append(TomlString(path, value, content_start, content_end, verbatim))
        elif char == "[":
            self._array(path)
        elif char == "{":
            self._inline_table(path)
        else:
            while self.i < len(self.text) and self.text[self.i] not in ",]}\n#":
                self.i += 1

    def _array(self, path: Path) -> None:
        self.i += 1
        index = 0
        while True:
            self._skip_blank(newlines=True)
            if self.text[self.i] == "]":
                self.i += 1
                return
            self._value((*path, index))
            index += 1
            self._skip_blank(newlines=True)
            if self.text[self.i] == ",":
                self.i += 1

    def _inline_table(self, path: Path) -> None:
        self.i += 1
        while True:
            self._skip_blank(newlines=True)
            if self.text[self.i] == "}":
                self.i += 1
                return
            key = self._key()
            self._expect("=")
            self._value((*path, *key))
            self._skip_blank(newlines=True)
            if self.text[self.i] == ",":
                self.i += 1

    def _string_literal(self) -> tuple[str, int, int]:
        text = self.text
        quote = text[self.i]
        triple = text.startswith(quote * 3, self.i)
        delimiter = quote * 3 if triple else quote
        content_start = self.i + len(delimiter)
        position = content_start
        while True:
            if quote == '"' and text[position] == "\\":
                position += 2
                continue
            if text.startswith(delimiter, position):
                break
            position += 1
        if triple:
            while text.startswith(quote, position + 3):
                position += 1
        content_end = position
        self.i = position + len(delimiter)
        raw = text[content_start - len(delimiter) : self.i]
        value = tomllib.loads(f"v = {raw}")["v"]
        assert isinstance(value, str)
        return value, content_start, content_end


def string_spans(text: str) -> list[TomlString]:
    """Every string value in a valid TOML document, with its key path (array items by index)."""
    return _Scanner(text).scan()
