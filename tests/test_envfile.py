"""Env files: updated in place (other lines kept), mode 0600, values read back as written."""

from __future__ import annotations

import stat
import subprocess
from pathlib import Path

import pytest

from app.envfile import MAX_ENV_FILE, EnvFileError, read_env, update_env


def test_update_keeps_other_lines_replaces_keys_and_is_private(tmp_path: Path) -> None:
    path = tmp_path / ".env"
    path.write_text("# comment\nPOSTGRES_PASSWORD=pw\nMAINTAINER_APP_SLUG=old\n\nKEEP='a b'\n")
    path.chmod(0o644)
    update_env(
        path, {"MAINTAINER_APP_SLUG": "new-bot", "MAINTAINER_PRIVATE_KEY_PATH": "/x y/k.pem"}
    )
    assert path.read_text() == (
        "# comment\nPOSTGRES_PASSWORD=pw\nMAINTAINER_APP_SLUG=new-bot\n\nKEEP='a b'\n"
        "MAINTAINER_PRIVATE_KEY_PATH='/x y/k.pem'\n"
    )
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert read_env(path) == {
        "POSTGRES_PASSWORD": "pw",
        "MAINTAINER_APP_SLUG": "new-bot",
        "KEEP": "a b",
        "MAINTAINER_PRIVATE_KEY_PATH": "/x y/k.pem",
    }


def test_sh_reads_back_what_was_written(tmp_path: Path) -> None:
    path = tmp_path / ".env"
    values = {"A": "plain-1.2", "B": "with space & $dollar", "C": "x=y:z@h/p"}
    update_env(path, values)
    shown = subprocess.run(
        ["sh", "-c", 'set -a; . "$0"; printf "%s\\n" "$A" "$B" "$C"', str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert shown.stdout.splitlines() == list(values.values())


@pytest.mark.parametrize("value", ["two\nlines", "it's"])
def test_values_that_cannot_be_written_safely_are_refused_and_nothing_changes(
    tmp_path: Path, value: str
) -> None:
    path = tmp_path / ".env"
    path.write_text("A=1\n")
    with pytest.raises(EnvFileError):
        update_env(path, {"B": value})
    assert path.read_text() == "A=1\n"
    assert [p.name for p in tmp_path.iterdir()] == [".env"]


def test_a_bad_name_or_an_oversized_or_binary_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / ".env"
    with pytest.raises(EnvFileError, match="variable name"):
        update_env(path, {"1BAD": "x"})
    path.write_bytes(b"A=" + b"x" * MAX_ENV_FILE)
    with pytest.raises(EnvFileError, match="larger than"):
        read_env(path)
    path.write_bytes(b"A=\xff\n")
    with pytest.raises(EnvFileError, match="UTF-8"):
        read_env(path)
