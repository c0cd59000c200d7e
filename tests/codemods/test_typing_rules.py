from codemods.typing_abc import TypingAbc
from codemods.typing_builtins import TypingBuiltins
from tests.codemods.support import check, run, unchanged


def test_typing_aliases_become_builtins():
    check(
        TypingBuiltins,
        """\
        from typing import Dict, List, Optional
        import typing

        def f(a: List[int], b: typing.Dict[str, int]) -> Optional[Dict[str, List[int]]]:
            return None
        """,
        """\
        from typing import Optional

        def f(a: list[int], b: dict[str, int]) -> Optional[dict[str, list[int]]]:
            return None
        """,
    )


def test_typing_collections_aliases():
    check(
        TypingBuiltins,
        "import typing\nq: typing.Deque[int]\n",
        "import collections\nq: collections.deque[int]\n",
    )


def test_shadowed_builtin_keeps_typing_alias():
    unchanged(
        TypingBuiltins,
        """\
        from typing import List

        def f(list):
            x: List[int] = [list]
            return x
        """,
    )


def test_typing_names_in_strings_and_comments_untouched():
    unchanged(TypingBuiltins, "x = 'List[int]'  # typing.List\nList = 3\n")


def test_typing_abc_moves_to_collections_abc():
    check(
        TypingAbc,
        "from typing import Callable, Iterable, Optional\nf: Callable[[int], Iterable[str]]\n",
        "from collections.abc import Callable, Iterable\nfrom typing import Optional\n"
        "f: Callable[[int], Iterable[str]]\n",
    )
    unchanged(TypingAbc, "from collections.abc import Callable\nf: Callable[[], None]\n")


def test_two_rules_moving_names_out_of_one_statement():
    # MB112 renames Deque to deque and MB113 renames AbstractSet to Set: both must move their
    # import, or the renamed uses would point at nothing.
    new, hits = run(
        [TypingBuiltins, TypingAbc],
        "from typing import AbstractSet, Deque, Optional\n"
        "def f(a: AbstractSet[int], b: Deque[int]) -> Optional[int]: ...\n",
    )
    assert new == (
        "from collections import deque\n"
        "from collections.abc import Set\n"
        "from typing import Optional\n"
        "def f(a: Set[int], b: deque[int]) -> Optional[int]: ...\n"
    )
    assert {h.rule_id for h in hits} == {"MB112", "MB113"}
