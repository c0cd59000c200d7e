"""Fixes and releases for a checkout (the I/O edge around `fixes`, `proof` and `release`).

A fix is proposed only when the cause has a mechanical fix, the fix applies, and the fixed test
passes every one of its proof reruns; otherwise the outcome says why not and the flake is only
reported (and quarantined). A randomness fix tries at most ``SEEDS`` seeds in turn: a seed for
which the test fails shows the assertion does not hold for every draw, which the body says.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from app.flaky.causes import Category
from app.flaky.fixes import Fixed, FixError, seed_random, sort_sets, wait_instead_of_sleep
from app.flaky.proof import Proof, node_id, prove
from app.flaky.report import Finding
from app.flaky.runner import SuiteError
from app.flaky.waits import find_wait_helper
from app.model import Edit

SEEDS = (0, 1, 2)
FIXABLE = (Category.RANDOMNESS, Category.UNORDERED_COLLECTION, Category.ASYNC_WAIT)


@dataclass(frozen=True)
class FixOutcome:
    test: str
    fixed: Fixed | None
    proof: Proof | None
    reason: str
    """Why there is no fix, or what was tried before the one proposed."""
    tried: tuple[str, ...] = ()


def candidates(finding: Finding, root: Path, source: str) -> Iterator[Fixed]:
    """The mechanical fixes of the finding's cause, in the order to try them; `FixError` when
    the cause has none that applies."""
    cause, file, test_id = finding.cause, finding.file or "", finding.verdict.id
    if cause is None or cause.category not in FIXABLE:
        what = cause.category.value if cause else "unknown"
        raise FixError(f"no mechanical fix for a {what} cause")
    if cause.category is Category.RANDOMNESS:
        for seed in SEEDS:
            yield seed_random(source, test_id, file, seed)
    elif cause.category is Category.UNORDERED_COLLECTION:
        yield sort_sets(source, test_id, file)
    else:
        helper = find_wait_helper(root, file)
        if helper is None:
            raise FixError("the repository has no bounded wait loop to use instead of the sleep")
        yield wait_instead_of_sleep(source, test_id, file, helper)


def try_fix(
    finding: Finding,
    root: Path,
    top: Path,
    source: str,
    python: Path,
    arguments: Sequence[str],
    runs: int,
    progress: Callable[[str], None] = lambda message: None,
) -> FixOutcome:
    """The first candidate fix whose proof holds (``runs`` reruns, all passed), or why none."""
    test_id = finding.verdict.id
    file = finding.file or ""
    path = (root / file).resolve().relative_to(top).as_posix()
    project = root.resolve().relative_to(top).as_posix()
    node = node_id(file, test_id)
    tried: list[str] = []
    try:
        for fixed in candidates(finding, root, source):
            progress(f"{test_id}: proving the fix ({fixed.change}), {runs} reruns")
            proof = prove(
                top,
                "" if project == "." else project,
                (Edit(path, 0, source, fixed.text),),
                node,
                python,
                arguments,
                runs,
            )
            if proof.holds:
                return FixOutcome(test_id, fixed, proof, "", tuple(tried))
            why = "; ".join(proof.failures) or "not every rerun passed"
            tried.append(f"{fixed.change}: {why} (the reruns stop at the first that fails)")
    except FixError as exc:
        return FixOutcome(test_id, None, None, str(exc), tuple(tried))
    except SuiteError as exc:
        return FixOutcome(test_id, None, None, f"the proof could not run: {exc}", tuple(tried))
    return FixOutcome(test_id, None, None, "no fix passed its proof: " + " / ".join(tried))
