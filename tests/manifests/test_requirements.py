from app.manifests import rewrite_hashes, rewrite_specifier
from app.manifests.requirements import includes, parse_requirements
from app.model import apply_edits

TEXT = """# Runtime
-r base.txt
-c constraints.txt
--index-url https://example.org/simple
requests[security] >= 2.0, <3 ; python_version < "3.12"  # pinned for TLS
flask==2.0.1 \\
    --hash=sha256:aaaa \\
    --hash=sha256:bbbb
-e git+https://example.org/x.git#egg=x
direct @ https://example.org/direct-1.0.tar.gz
unpinned
"""


def test_reads_names_specifiers_markers_extras_and_lines() -> None:
    parsed = parse_requirements("requirements.txt", TEXT)
    by_name = {d.name: d for d in parsed.dependencies}
    assert set(by_name) == {"requests", "flask", "unpinned"}
    requests = by_name["requests"]
    assert requests.spec_text == ">= 2.0, <3"
    assert requests.extras == ("security",)
    assert requests.marker == 'python_version < "3.12"'
    assert requests.line == 5
    assert TEXT[requests.spec_offset : requests.spec_offset + 10] == ">= 2.0, <3"
    assert by_name["unpinned"].spec_text == ""
    assert parsed.errors == []


def test_hash_block_is_located_with_its_layout() -> None:
    flask = next(d for d in parse_requirements("r.txt", TEXT).dependencies if d.name == "flask")
    assert flask.pinned_version is not None and str(flask.pinned_version) == "2.0.1"
    assert flask.hashes is not None
    assert flask.hashes.algorithm == "sha256"
    assert flask.hashes.separator == " \\\n    "
    assert flask.hashes.text == "--hash=sha256:aaaa \\\n    --hash=sha256:bbbb"


def test_rewrite_changes_only_the_specifier_and_hash_bytes() -> None:
    flask = next(d for d in parse_requirements("r.txt", TEXT).dependencies if d.name == "flask")
    spec_edit = rewrite_specifier(flask, "==3.1.3")
    hash_edit = rewrite_hashes(flask, ["ffff", "cccc"])
    assert hash_edit is not None
    result = apply_edits(TEXT, [spec_edit, hash_edit])
    assert result is not None
    expected = TEXT.replace("flask==2.0.1", "flask==3.1.3").replace(
        "--hash=sha256:aaaa \\\n    --hash=sha256:bbbb",
        "--hash=sha256:cccc \\\n    --hash=sha256:ffff",
    )
    assert result == expected


def test_a_bad_line_is_reported_with_its_line_and_the_rest_is_read() -> None:
    parsed = parse_requirements("requirements.txt", "good==1.0\nbad line ===\nother>=2\n")
    assert [d.name for d in parsed.dependencies] == ["good", "other"]
    assert len(parsed.errors) == 1
    error = parsed.errors[0]
    assert (error.file, error.line) == ("requirements.txt", 2)
    assert error.message.startswith("invalid requirement:")
    assert "\n" not in error.message


def test_includes_are_listed() -> None:
    assert includes(TEXT) == ["base.txt", "constraints.txt"]


def test_crlf_files_keep_their_line_endings() -> None:
    text = "a==1.0\r\nb==2.0\r\n"
    b = parse_requirements("r.txt", text).dependencies[1]
    result = apply_edits(text, [rewrite_specifier(b, "==2.1")])
    assert result == "a==1.0\r\nb==2.1\r\n"
