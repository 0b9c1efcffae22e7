"""The key that signs answer links and CSRF cookies. It must outlive a restart (a link an
officer bookmarked still works), so it is read from SVADVISOR_WEB_SECRET, else from a
file in the user's data folder, made once with owner-only permissions."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from svadvisor.errors import InputFileError

ENVIRONMENT = "SVADVISOR_WEB_SECRET"
MINIMUM_LENGTH = 32
"""A shorter key could be guessed, and a guessed key forges CSRF cookies and links."""


def default_secret_file() -> Path:
    from platformdirs import user_data_path

    return user_data_path("svadvisor", appauthor=False) / "web-secret"


def load_secret(path: Path | None = None) -> str:
    """The signing key: the environment's, else the file's, else a new one saved there."""
    given = os.environ.get(ENVIRONMENT, "").strip()
    if given:
        if len(given) < MINIMUM_LENGTH:
            raise InputFileError(
                f"{ENVIRONMENT} is {len(given)} characters long; a signing key needs at least "
                f"{MINIMUM_LENGTH} (unset it to let svadvisor make one)"
            )
        return given
    path = path or default_secret_file()
    try:
        found = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        found = ""
    if len(found) >= MINIMUM_LENGTH:
        return found
    path.parent.mkdir(parents=True, exist_ok=True)
    fresh = secrets.token_urlsafe(48)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(fresh + "\n")
    return fresh
