from __future__ import annotations

import textwrap

import pytest

from app.health.complexity import Unmeasurable, measure, rank

SOURCE = textwrap.dedent(
    """
    import os

    def simple():
        return 1

    def branches(x, y):
        if x and y or x:          # if +1, two boolean operators +2
            return [a for a in x if a]   # comprehension +1, its if +1
        elif y:                   # +1
            assert x, "x"         # +1 (its contents are not looked into)
        for item in y:            # +1, else +1
            pass
        else:
            pass
        try:
            pass
        except ValueError:        # +1
            pass
        except KeyError:          # +1
            pass
        else:                     # +1
            pass
        return 1 if x else 2      # +1

    class Shop:
        def total(self, items):
            def inner(v):         # nested: its own block, not counted in total
                if v:
                    return v
                return 0
            while items:          # +1
                items.pop()
            return sum(map(inner, items))

    def matcher(x):
        match x:                  # two cases and the catch-all: +2
            case 1:
                return 1
            case 2:
                return 2
            case _:
                return 3
    """
)


def test_counts_as_radon_defines_it() -> None:
    functions = {f.name: f for f in measure(SOURCE).functions}
    assert functions["simple"].complexity == 1
    assert functions["branches"].complexity == 14
    assert functions["Shop.total"].complexity == 2
    assert functions["Shop.total.inner"].complexity == 2
    assert functions["matcher"].complexity == 3
    assert functions["branches"].max_nesting == 2
    assert functions["branches"].branches == 13


def test_module_figures_are_line_weighted_and_nested_lines_count_once() -> None:
    measured = measure(SOURCE)
    total = measured.functions
    inner = next(f for f in total if f.name == "Shop.total.inner")
    outer = next(f for f in total if f.name == "Shop.total")
    assert outer.own_lines == outer.length - inner.length
    expected = sum(f.complexity * f.own_lines for f in total) / sum(f.own_lines for f in total)
    assert measured.mean == pytest.approx(expected)
    assert measured.worst is not None and measured.worst.name == "branches"
    assert measured.poor_lines == 0


def test_ranks_are_radons() -> None:
    assert [rank(n) for n in (1, 5, 6, 10, 11, 20, 21, 30, 31, 40, 41)] == list("AABBCCDDEEF")


def test_share_of_poor_code_counts_rank_d_functions() -> None:
    body = "\n".join(f"    if x == {n}:\n        return {n}" for n in range(25))
    measured = measure(f"def big(x):\n{body}\n    return -1\n")
    big = measured.functions[0]
    assert big.complexity == 26 and big.rank == "D"
    assert measured.poor_lines == big.own_lines


@pytest.mark.parametrize(
    "source",
    ["def broken(:\n    pass\n", "x = " + "(" * 300 + ")" * 300 + "\n", "a" * 2_000_001],
)
def test_unparsable_or_oversized_source_is_an_error_not_a_crash(source: str) -> None:
    with pytest.raises(Unmeasurable):
        measure(source)
