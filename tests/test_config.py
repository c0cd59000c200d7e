import json
import pickle
import time
import tracemalloc
from pathlib import Path

import pytest

from app.config import (
    ConfigError,
    RangeStrategy,
    RepoConfig,
    json_schema,
    load_config,
    parse_config,
)


def test_defaults_when_empty() -> None:
    assert parse_config("") == RepoConfig()
    assert RepoConfig().range_strategy is RangeStrategy.AUTO


def test_a_full_config_parses() -> None:
    config = parse_config(
        """
enabled: [dependency-update, security]
schedule: {interval: daily, time: "04:30"}
ignore:
  - dependency: "django*"
    versions: [">=5"]
    update_types: [major]
groups:
  - name: dev
    patterns: ["pytest*"]
range_strategy: widen
min_release_age_days: 7
open_pr_limit: 3
labels: [deps]
target_python: "3.11"
paths: {exclude: [vendor]}
"""
    )
    assert config.ignore[0].versions == [">=5"]
    assert config.groups[0].name == "dev"
    assert config.paths.exclude == ["vendor"]


@pytest.mark.parametrize(
    ("text", "key", "line", "message"),
    [
        ("labels: [a]\nopen_pr_limt: 3\n", "open_pr_limt", 2, "unknown setting"),
        ("range_strategy: sideways\n", "range_strategy", 1, "Input should be"),
        ("ignore:\n  - dependency: x\n    versions: ['>>5']\n", "ignore.0.versions", 3, "PEP 440"),
        ("schedule:\n  interval: daily\n  time: '25:00'\n", "schedule.time", 3, "pattern"),
        ("target_python: '2.7'\n", "target_python", 1, "only Python 3"),
    ],
)
def test_errors_name_the_key_and_line(text: str, key: str, line: int, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(text)
    problem = caught.value.problems[0]
    assert problem.key == key
    assert problem.line == line
    assert message in problem.message


def test_yaml_syntax_error_has_a_line() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config("labels: [a\nother: 1\n")
    assert caught.value.problems[0].line is not None


def test_schema_comes_from_the_models() -> None:
    schema = json.loads(json_schema())
    assert schema["additionalProperties"] is False
    assert "min_release_age_days" in schema["properties"]
    assert schema["$defs"]["IgnoreRule"]["required"] == ["dependency"]


def _alias_bomb(levels: int, width: int) -> str:
    lines = ["a0: &a0 [x, y]"]
    for level in range(1, levels + 1):
        refs = ", ".join(f"*a{level - 1}" for _ in range(width))
        lines.append(f"a{level}: &a{level} [{refs}]")
    return "\n".join(lines) + "\nunknown_key: 1\n"


HOSTILE = {
    "alias bomb, 7 levels of 10": _alias_bomb(7, 10),
    "alias bomb, 9 levels of 10": _alias_bomb(9, 10),
    "1 MB of keys": "".join(f"key{i}: {i}\n" for i in range(80_000))[:1_000_000],
    "flow nesting 100k deep": "a: " + "[" * 100_000 + "]" * 100_000,
    "block nesting": "".join("  " * depth + f"k{depth}:\n" for depth in range(2_000)),
    "5000-digit integer": "open_pr_limit: " + "9" * 5_000 + "\n",
    "impossible date": "labels: [a]\nopen_pr_limit: 2024-13-45\n",
}


@pytest.mark.parametrize("text", HOSTILE.values(), ids=list(HOSTILE))
def test_hostile_yaml_is_answered_fast_and_small(text: str) -> None:
    tracemalloc.start()
    started = time.process_time()
    try:
        with pytest.raises(ConfigError) as caught:
            parse_config(text)
        spent = time.process_time() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert spent < 1.0
    assert peak < 100 * 1024 * 1024
    assert caught.value.problems[0].message


def test_alias_bomb_is_refused_with_a_clear_error() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(_alias_bomb(7, 10))
    problem = caught.value.problems[0]
    assert problem.key == "(yaml)"
    assert "alias" in problem.message
    assert problem.line is not None


def test_modest_aliases_still_work() -> None:
    config = parse_config("labels: &l [deps, bot]\ngroups:\n  - {name: a, patterns: *l}\n")
    assert config.groups[0].patterns == ["deps", "bot"]


def test_unreadable_values_name_their_line() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config("labels: [a]\nopen_pr_limit: 2024-13-45\n")
    assert caught.value.problems[0].line == 2


def test_oversized_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    big = tmp_path / ".maintainer.yml"
    big.write_text("labels: [a]\n" + "# padding\n" * 200_000)
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    assert "over the limit" in caught.value.problems[0].message


def test_config_symlink_out_of_the_repository_is_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "host-secrets.yml"
    outside.write_text("db_password: hunter2\n")
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / ".maintainer.yml").symlink_to(outside)
    with pytest.raises(ConfigError) as caught:
        load_config(repo)
    assert "outside the repository" in str(caught.value)
    assert "db_password" not in str(caught.value)


def test_a_large_valid_file_is_accepted_fast() -> None:
    text = "labels:\n" + "".join(f"  - label-{i}\n" for i in range(7_000))
    assert len(text.encode()) < 128 * 1024
    started = time.process_time()
    assert len(parse_config(text).labels) == 7_000
    assert time.process_time() - started < 1.0


def test_thousands_of_problems_are_cut_to_a_readable_list() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config("".join(f"typo{i}: 1\n" for i in range(5_000)))
    problems = caught.value.problems
    assert len(problems) == 41
    assert problems[0].key == "typo0" and problems[0].line == 1
    assert problems[-1].message == "4960 more problems not listed"


def test_a_kept_configuration_is_read_back_and_an_edit_is_validated_afresh(
    tmp_path: Path,
) -> None:
    repo, kept = tmp_path / "repo", tmp_path / "cache"
    repo.mkdir()
    config_file = repo / ".maintainer.yml"
    config_file.write_text("open_pr_limit: 3\n")
    first = load_config(repo, kept).config
    assert first == parse_config("open_pr_limit: 3\n")
    (entry,) = kept.iterdir()
    # The entry is what the next run reads: a different kept value proves it was read back.
    entry.write_bytes(pickle.dumps(parse_config("open_pr_limit: 9\n")))
    assert load_config(repo, kept).config.open_pr_limit == 9
    config_file.write_text("open_pr_limit: 4\n")
    assert load_config(repo, kept).config.open_pr_limit == 4
    assert len(list(kept.iterdir())) == 2
    config_file.unlink()
    assert load_config(repo, kept) == load_config(repo)
    assert load_config(repo, kept).config == RepoConfig()


def test_an_unreadable_kept_entry_is_a_miss_and_an_invalid_file_is_never_kept(
    tmp_path: Path,
) -> None:
    repo, kept = tmp_path / "repo", tmp_path / "cache"
    repo.mkdir()
    (repo / ".maintainer.yml").write_text("labels: [deps]\n")
    load_config(repo, kept)
    (entry,) = kept.iterdir()
    for stored in (b"not a pickle", pickle.dumps({"labels": ["x"]})):
        entry.write_bytes(stored)
        assert load_config(repo, kept).config.labels == ["deps"]
    (repo / ".maintainer.yml").write_text("open_pr_limit: many\n")
    for _ in range(2):  # reported on every run, from the file, not from a cache
        with pytest.raises(ConfigError, match="open_pr_limit"):
            load_config(repo, kept)
    assert len(list(kept.iterdir())) == 1
