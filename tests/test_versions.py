import pytest
from packaging.version import Version

from app.config import RangeStrategy, UpdateType
from app.manifests.pyproject import parse_pyproject
from app.manifests.requirements import parse_requirements
from app.versions import new_specifier, update_type


def requirement(spec: str):
    return parse_requirements("r.txt", f"x{spec}\n").dependencies[0]


def poetry(spec: str):
    return parse_pyproject("p.toml", f'[tool.poetry.dependencies]\nx = "{spec}"\n').dependencies[0]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("1.2.3", "2.0.0", UpdateType.MAJOR),
        ("1.2.3", "1.3.0", UpdateType.MINOR),
        ("1.2.3", "1.2.4", UpdateType.PATCH),
        ("1", "1.0.1", UpdateType.PATCH),
    ],
)
def test_update_type(old: str, new: str, expected: UpdateType) -> None:
    assert update_type(Version(old), Version(new)) is expected


@pytest.mark.parametrize(
    ("spec", "new", "strategy", "library", "expected"),
    [
        ("==1.2.3", "2.0.0", RangeStrategy.AUTO, False, "==2.0.0"),
        ("===1.2.3", "2.0.0", RangeStrategy.AUTO, False, "===2.0.0"),
        (">=1.0,<2", "2.3.1", RangeStrategy.AUTO, False, ">=2.3.1,<3"),
        (">=1.0,<2", "2.3.1", RangeStrategy.AUTO, True, ">=1.0,<3"),
        (">=1.0,<2.0", "2.3.1", RangeStrategy.WIDEN, False, ">=1.0,<3.0"),
        ("<1.5", "1.7.2", RangeStrategy.WIDEN, True, "<1.8"),
        (">=1.0", "2.3.1", RangeStrategy.AUTO, False, None),
        (">=1.0", "2.3.1", RangeStrategy.BUMP, False, ">=2.3.1"),
        ("", "2.3.1", RangeStrategy.BUMP, False, ">=2.3.1"),
        ("~=1.2", "2.3.1", RangeStrategy.WIDEN, True, ">=1.2,<3"),
        ("~=1.2", "2.3.1", RangeStrategy.BUMP, True, "~=2.3"),
        ("==1.2.*", "1.4.0", RangeStrategy.AUTO, False, "==1.4.*"),
        (">=1.0, <2, !=1.5", "2.3.1", RangeStrategy.AUTO, True, ">=1.0, <3, !=1.5"),
        (">=1.0,<2", "1.5", RangeStrategy.PIN, False, None),
        (">=1.0,<2", "2.5", RangeStrategy.PIN, False, "==2.5"),
    ],
)
def test_new_specifier(spec, new, strategy, library, expected) -> None:
    assert new_specifier(requirement(spec), Version(new), strategy, library) == expected


@pytest.mark.parametrize(
    ("spec", "new", "strategy", "expected"),
    [
        ("^1.2", "2.3.1", RangeStrategy.AUTO, ">=1.2,<3"),
        ("^0.24.1", "0.25.0", RangeStrategy.BUMP, "^0.25.0"),
        ("~13.3", "13.4.1", RangeStrategy.BUMP, "~13.4.1"),
        ("23.1.0", "24.1.0", RangeStrategy.AUTO, "24.1.0"),
        (">=1,<2", "2.3", RangeStrategy.BUMP, ">=2.3,<3"),
    ],
)
def test_new_poetry_specifier(spec, new, strategy, expected) -> None:
    assert new_specifier(poetry(spec), Version(new), strategy, True) == expected
