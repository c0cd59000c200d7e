from app.manifests import rewrite_specifier
from app.manifests.setup_cfg import parse_setup_cfg
from app.model import apply_edits

TEXT = """[metadata]
name = lib

[options]
python_requires = >=3.9
install_requires =
    requests>=2.1
    six==1.16.0  # pinned
    ; a comment

[options.extras_require]
test =
    pytest>=7
"""


def test_install_requires_and_extras() -> None:
    parsed = parse_setup_cfg("setup.cfg", TEXT)
    found = [(d.name, d.spec_text, d.line, d.group) for d in parsed.dependencies]
    assert found == [
        ("requests", ">=2.1", 7, None),
        ("six", "==1.16.0", 8, None),
        ("pytest", ">=7", 13, "test"),
    ]
    assert parsed.requires_python == ">=3.9"
    assert parsed.dependencies[2].development


def test_rewrite_is_byte_exact() -> None:
    six = parse_setup_cfg("setup.cfg", TEXT).dependencies[1]
    assert apply_edits(TEXT, [rewrite_specifier(six, "==1.17.0")]) == TEXT.replace(
        "six==1.16.0", "six==1.17.0"
    )


def test_broken_file_is_an_error_not_a_crash() -> None:
    parsed = parse_setup_cfg("setup.cfg", "[options\ninstall_requires = x\n")
    assert parsed.dependencies == []
    assert parsed.errors[0].file == "setup.cfg"
