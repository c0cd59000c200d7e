import json

import pytest

from app.config import ConfigError, RangeStrategy, RepoConfig, json_schema, parse_config


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
