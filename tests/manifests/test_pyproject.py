from app.manifests import rewrite_specifier
from app.manifests.base import SpecStyle
from app.manifests.pyproject import parse_pyproject
from app.model import apply_edits

PEP621 = """[build-system]
requires = ["hatchling"]

[project]
name = "lib"
requires-python = ">=3.10"
dependencies = [
  "requests>=2.0",  # network
  'click ~= 8.0',
  "direct @ https://example.org/d.zip",
]

[project.optional-dependencies]
test = ["pytest==7.0.0"]
speed = ["orjson>=3"]

[dependency-groups]
lint = ["mypy>=1"]
dev = [{include-group = "lint"}, "ruff==0.1.0"]
"""

POETRY = """[project]
name = "app"
dependencies = ["httpx>=0.24"]

[tool.poetry.dependencies]
python = "^3.10"
requests = "^2.28"
rich = { version = "~13.3", optional = true }
pinned = "1.2.3"

[tool.poetry.group.dev.dependencies]
black = "23.1.0"

[tool.poetry.dev-dependencies]
flake8 = ">=5,<6"
"""


def test_pep621_extras_and_pep735_groups() -> None:
    parsed = parse_pyproject("pyproject.toml", PEP621)
    found = {(d.name, d.group, d.development): d.spec_text for d in parsed.dependencies}
    assert found == {
        ("requests", None, False): ">=2.0",
        ("click", None, False): "~= 8.0",
        ("pytest", "test", True): "==7.0.0",
        ("orjson", "speed", False): ">=3",
        ("mypy", "lint", True): ">=1",
        ("ruff", "dev", True): "==0.1.0",
    }
    assert parsed.requires_python == ">=3.10"
    assert parsed.is_library
    assert parsed.errors == []


def test_unknown_include_group_is_an_error_with_its_line() -> None:
    text = '[dependency-groups]\ndev = [{include-group = "nope"}]\n'
    parsed = parse_pyproject("pyproject.toml", text)
    assert [(e.line, e.message) for e in parsed.errors] == [
        (2, "group 'dev' includes unknown group 'nope'")
    ]


def test_poetry_tables_caret_tilde_and_groups() -> None:
    parsed = parse_pyproject("pyproject.toml", POETRY)
    poetry = {d.name: d for d in parsed.dependencies if d.style is SpecStyle.POETRY}
    assert set(poetry) == {"requests", "rich", "pinned", "black", "flake8"}
    assert str(poetry["requests"].specifier) == "<3,>=2.28"
    assert str(poetry["rich"].specifier) == "<13.4,>=13.3"
    assert poetry["pinned"].pinned_version is not None
    assert poetry["black"].group == "dev" and poetry["black"].development
    assert poetry["flake8"].development
    assert any(d.name == "httpx" and d.style is SpecStyle.PEP440 for d in parsed.dependencies)
    assert parsed.requires_python is not None


def test_every_byte_but_the_specifier_survives_a_rewrite() -> None:
    for text in (PEP621, POETRY):
        for dependency in parse_pyproject("pyproject.toml", text).dependencies:
            edit = rewrite_specifier(dependency, ">=99.0")
            result = apply_edits(text, [edit])
            assert result is not None
            start, end = dependency.spec_offset, dependency.spec_offset + len(dependency.spec_text)
            assert result[:start] == text[:start]
            assert result[start + len(">=99.0") :] == text[end:]


def test_invalid_toml_is_reported_with_a_line() -> None:
    parsed = parse_pyproject("pyproject.toml", '[project]\ndependencies = ["a",\nname = \n')
    assert parsed.dependencies == []
    assert parsed.errors and parsed.errors[0].line is not None
    assert parsed.errors[0].message.startswith("invalid TOML")


def test_invalid_requirement_string_is_reported() -> None:
    text = '[project]\nname = "x"\ndependencies = [\n  "ok>=1",\n  "not valid ===",\n]\n'
    parsed = parse_pyproject("pyproject.toml", text)
    assert [d.name for d in parsed.dependencies] == ["ok"]
    assert [e.line for e in parsed.errors] == [5]
