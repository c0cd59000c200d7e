"""The mechanical fixes of a flaky test's cause (libcst): what they change, and where they
refuse."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from app.flaky.fixes import FixError, WaitHelper, seed_random, sort_sets, wait_instead_of_sleep
from app.flaky.proof import node_id
from app.flaky.waits import find_wait_helper, module_name

PICK = '''import random


def helper():
    return random.random()


def test_pick():
    """Docstring stays first."""
    answer = random.choice(["ok", "retry"])
    random.shuffle([1, 2])
    assert answer == "ok"
'''


def test_the_tests_random_draws_go_through_its_own_seeded_generator() -> None:
    fixed = seed_random(PICK, "tests.test_pick::test_pick", "tests/test_pick.py", 7)
    assert fixed.text == PICK.replace(
        '    """Docstring stays first."""\n',
        '    """Docstring stays first."""\n    rng = random.Random(7)\n',
    ).replace('random.choice(["ok"', 'rng.choice(["ok"').replace("random.shuffle(", "rng.shuffle(")
    assert "return random.random()" in fixed.text  # other functions untouched
    assert "2 draw(s)" in fixed.change and "random.Random(7)" in fixed.change


def test_a_generator_name_already_used_is_not_reused() -> None:
    source = "import random\n\ndef test_x():\n    rng = 1\n    assert random.random() < rng\n"
    fixed = seed_random(source, "t::test_x", "t.py", 0)
    assert "rng_ = random.Random(0)" in fixed.text
    assert "rng_.random() < rng" in fixed.text


@pytest.mark.parametrize(
    ("source", "why"),
    [
        ("from random import choice\n\ndef test_x():\n    assert choice([1])\n", "import random"),
        ("import random as r\n\ndef test_x():\n    assert r.random()\n", "import random"),
        ("import random\n\ndef test_x(random):\n    assert random.random()\n", "binds the name"),
        ("import random\n\ndef test_x():\n    assert True\n", "draws nothing"),
        ("import random\n\ndef test_y():\n    assert True\n", "no function"),
        ("def test_x(:\n", "does not parse"),
    ],
)
def test_no_seed_fix_when_unsure(source: str, why: str) -> None:
    with pytest.raises(FixError, match=why):
        seed_random(source, "t::test_x", "t.py", 0)


def test_sets_in_assertions_are_sorted() -> None:
    source = (
        "def test_tags():\n"
        "    tags = {'b', 'a'}\n"
        "    listed = list(tags)\n"  # outside an assertion: left alone
        "    assert ', '.join(tags) == 'a, b'\n"
        "    assert list(tags) == ['a', 'b']\n"
        "    assert tuple(set('ba')) == ('a', 'b')\n"
    )
    fixed = sort_sets(source, "t::test_tags", "t.py")
    assert fixed.text.splitlines()[2:] == [
        "    listed = list(tags)",
        "    assert ', '.join(sorted(tags)) == 'a, b'",
        "    assert sorted(tags) == ['a', 'b']",
        "    assert tuple(sorted(set('ba'))) == ('a', 'b')",
    ]
    assert fixed.change.startswith("3 set(s) sorted")
    with pytest.raises(FixError, match="no list"):
        sort_sets("def test_tags():\n    assert [1] == [1]\n", "t::test_tags", "t.py")


HELPER = WaitHelper("wait_until", "inventory.waiting", "timeout", "src/inventory/waiting.py", 5)


def test_a_fixed_sleep_before_an_assertion_becomes_the_repositorys_wait_loop() -> None:
    source = (
        '"""Doc."""\n'
        "import time\n"
        "\n"
        "\n"
        "def test_done():\n"
        "    flags = start()\n"
        "    # give the thread time\n"
        "    time.sleep(0.2)\n"
        "    assert flags.get('done')\n"
        "    time.sleep(1)\n"
        "    print('no assertion follows this sleep')\n"
    )
    fixed = wait_instead_of_sleep(source, "t::test_done", "t.py", HELPER)
    assert fixed.text == (
        '"""Doc."""\n'
        "import time\n"
        "from inventory.waiting import wait_until\n"
        "\n"
        "\n"
        "def test_done():\n"
        "    flags = start()\n"
        "    # give the thread time\n"
        "    wait_until(lambda: flags.get('done'), timeout=5)\n"
        "    assert flags.get('done')\n"
        "    time.sleep(1)\n"
        "    print('no assertion follows this sleep')\n"
    )
    local = WaitHelper("wait_for", None, "within", "t.py", 1)
    source = "import time\n\ndef test_done():\n    time.sleep(2)\n    assert ready()\n"
    fixed = wait_instead_of_sleep(source, "t::test_done", "t.py", local)
    assert "    wait_for(lambda: ready(), within=20)\n    assert ready()\n" in fixed.text
    assert "import wait_for" not in fixed.text
    assert "import time" not in fixed.text  # no longer used
    with pytest.raises(FixError, match=r"no time\.sleep"):
        wait_instead_of_sleep(
            "import time\n\ndef test_done():\n    time.sleep(t)\n    assert ready()\n",
            "t::test_done",
            "t.py",
            local,
        )


def test_the_wait_helper_is_found_in_the_repository_only_when_it_is_bounded(
    tmp_path: Path,
) -> None:
    (tmp_path / "src" / "pkg").mkdir(parents=True)
    (tmp_path / "tests").mkdir()
    (tmp_path / "src" / "pkg" / "unbounded.py").write_text(
        "import time\n\ndef wait_forever(condition, timeout=1):\n"
        "    while not condition():\n        time.sleep(0.1)\n"
    )
    (tmp_path / "tests" / "test_a.py").write_text("def test_a():\n    assert True\n")
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    subprocess.run(["git", "-C", str(tmp_path), "add", "-A"], check=True)
    assert find_wait_helper(tmp_path, "tests/test_a.py") is None  # no clock: not bounded
    (tmp_path / "src" / "pkg" / "polling.py").write_text(
        "import time\n\n\ndef poll_until(predicate, *, timeout_seconds=5.0):\n"
        "    end = time.monotonic() + timeout_seconds\n"
        "    while time.monotonic() < end:\n"
        "        if predicate():\n            return\n"
        "        time.sleep(0.01)\n"
        "    raise TimeoutError\n"
    )
    (tmp_path / "untracked_wait.py").write_text("")
    subprocess.run(["git", "-C", str(tmp_path), "add", "src"], check=True)
    assert find_wait_helper(tmp_path, "tests/test_a.py") == WaitHelper(
        "poll_until", "pkg.polling", "timeout_seconds", "src/pkg/polling.py", 4
    )


def test_module_names_and_node_ids() -> None:
    assert module_name("src/pkg/mod.py") == "pkg.mod"
    assert module_name("tests/support/waits.py") == "tests.support.waits"
    assert module_name("tests/conftest.py") is None
    assert module_name("my-tests/waits.py") is None
    assert node_id("tests/test_a.py", "tests.test_a::test_b[1-2]") == "tests/test_a.py::test_b"
    assert node_id("-k.py", "-k::test_b") == "./-k.py::test_b"
    assert node_id("tests/test_a.py", "tests.test_a.TestA::test_b") == (
        "tests/test_a.py::TestA::test_b"
    )
