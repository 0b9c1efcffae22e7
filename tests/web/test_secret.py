"""The signing key outlives a restart (links keep working) and is the owner's alone."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from svadvisor.errors import InputFileError
from svadvisor.web.secret import ENVIRONMENT, load_secret


def test_the_key_is_made_once_with_owner_only_permissions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ENVIRONMENT, raising=False)
    path = tmp_path / "data" / "web-secret"
    first = load_secret(path)
    assert len(first) >= 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_secret(path) == first, "a restart signs with the same key"


def test_the_environment_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENVIRONMENT, "from-the-environment-" + "e" * 30)
    path = tmp_path / "web-secret"
    assert load_secret(path) == "from-the-environment-" + "e" * 30
    assert not path.exists()


def test_a_short_or_empty_key_file_is_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ENVIRONMENT, raising=False)
    path = tmp_path / "web-secret"
    path.write_text("short\n", encoding="utf-8")
    made = load_secret(path)
    assert made != "short" and len(made) >= 32
    assert path.read_text(encoding="utf-8").strip() == made


def test_a_short_key_in_the_environment_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENVIRONMENT, "short")
    with pytest.raises(InputFileError, match="needs at least 32"):
        load_secret(tmp_path / "web-secret")
