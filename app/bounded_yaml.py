"""YAML from untrusted files, bounded: size, nesting depth and alias expansion.

A safe loader is not enough for a file a repository controls. Aliases make a small file stand
for an exponentially large tree (seven levels of ten aliases: ten million nodes), which every
walk of the loaded value pays for; deep nesting makes libyaml's composer quadratic and Python's
recursive walks overflow. So the event stream is checked first, in one pass that never expands
an alias: the tree the document stands for is measured (an alias counts the size of the node it
names) and the nesting depth is tracked. Only a document within the bounds is composed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import yaml

MAX_BYTES = 128 * 1024
MAX_DEPTH = 64
MAX_NODES = 50_000

# PyYAML is imported by the functions that use it (10 ms): importing this module, as every
# config read does for `MAX_BYTES`, loads nothing, and a scan whose configuration was validated
# before (`app.config.KeptConfigs`) never loads PyYAML.


def _loader() -> type[yaml.SafeLoader]:
    import yaml

    loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return loader


@dataclass(frozen=True)
class Limits:
    max_bytes: int = MAX_BYTES
    max_depth: int = MAX_DEPTH
    max_nodes: int = MAX_NODES


class YamlRefused(Exception):
    """The document is not loaded: too large, too deep, expanding too far, or invalid.

    ``line`` is 1-based when the problem has a place in the file.
    """

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def compose(text: str, limits: Limits = Limits()) -> yaml.Node | None:
    """The document's node graph (aliases shared, not copied), once it is within the bounds."""
    import yaml

    size = len(text.encode("utf-8", "surrogatepass"))
    if size > limits.max_bytes:
        raise YamlRefused(f"{size} bytes, over the limit of {limits.max_bytes} bytes")
    try:
        check(text, limits)
        return yaml.compose(text, Loader=_loader())
    except yaml.YAMLError as exc:
        raise _refused(exc) from exc


def load(text: str, limits: Limits = Limits()) -> tuple[Any, yaml.Node | None]:
    """Safe-load one document within the bounds: its value and its node graph (for lines)."""
    import yaml

    node = compose(text, limits)
    if node is None:
        return None, None
    constructor = yaml.SafeLoader("")
    try:
        return constructor.construct_document(node), node
    except yaml.YAMLError as exc:
        raise _refused(exc) from exc
    except (ValueError, TypeError, OverflowError) as exc:
        # e.g. an integer of more digits than Python converts, or a date like 2024-13-45
        raise YamlRefused(f"unreadable value: {exc}", _failing_scalar_line(node)) from exc
    finally:
        constructor.dispose()


def check(text: str, limits: Limits = Limits()) -> None:
    """Raise `YamlRefused` when the document nests or expands beyond ``limits``.

    One pass over the parser's events; an alias adds the size of the node it names, so the
    expanded size is known without expanding anything.
    """
    import yaml

    opening = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
    closing = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
    sizes: dict[str, int] = {}
    # One frame per open collection: its anchor and the size of what it holds so far.
    stack: list[tuple[str | None, int]] = [(None, 0)]
    for event in yaml.parse(text, Loader=_loader()):
        if isinstance(event, opening):
            if len(stack) > limits.max_depth:
                raise YamlRefused(f"nested more than {limits.max_depth} levels deep", _line(event))
            stack.append((event.anchor, 1))
            continue
        if isinstance(event, closing):
            anchor, size = stack.pop()
            if anchor is not None:
                sizes[anchor] = size
        elif isinstance(event, yaml.ScalarEvent):
            size = 1
            if event.anchor is not None:
                sizes[event.anchor] = size
        elif isinstance(event, yaml.AliasEvent):
            size = sizes.get(event.anchor or "", 1)
        else:
            continue
        parent_anchor, parent_size = stack[-1]
        total = parent_size + size
        if total > limits.max_nodes:
            raise YamlRefused(
                f"aliases expand the document beyond {limits.max_nodes} values "
                "(an alias bomb?); write the values out or use fewer aliases",
                _line(event),
            )
        stack[-1] = (parent_anchor, total)


def _line(event: yaml.Event) -> int | None:
    mark = event.start_mark
    return mark.line + 1 if mark is not None else None


def _failing_scalar_line(node: yaml.Node) -> int | None:
    """The line of the first scalar that cannot be constructed on its own, if any."""
    import yaml

    pending = [node]
    seen: set[int] = set()
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, yaml.ScalarNode):
            constructor = yaml.SafeLoader("")
            try:
                constructor.construct_object(current)
            except (yaml.YAMLError, ValueError, TypeError, OverflowError):
                return current.start_mark.line + 1
            finally:
                constructor.dispose()
        elif isinstance(current, yaml.SequenceNode):
            pending.extend(reversed(current.value))
        elif isinstance(current, yaml.MappingNode):
            for key, value in reversed(current.value):
                pending.extend((value, key))
    return None


def _refused(exc: yaml.YAMLError) -> YamlRefused:
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + 1 if mark is not None else None
    problem = getattr(exc, "problem", None) or str(exc)
    return YamlRefused(str(problem), line)
