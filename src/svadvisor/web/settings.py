"""The web app's settings: a council's own name and logo, the upload limit and the extra
host names it answers to, read from a YAML file (`svadvisor serve --settings FILE`)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from svadvisor.errors import ProblemsError
from svadvisor.yamlfile import load_user_file

LOGO_TYPES = {".png": "image/png", ".svg": "image/svg+xml", ".jpg": "image/jpeg"}
"""Logo files the app serves (from the settings file's path, never a browser's)."""


class WebSettings(BaseModel):
    """What a council may set. Every field has a default: no file is needed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    council_name: str = Field(default="", max_length=120)
    """Shown in the header beside the service name, e.g. "Anytown Borough Council"."""
    service_name: str = Field(default="Social value route advisor", min_length=1, max_length=80)
    logo: Path | None = None
    """A PNG, SVG or JPEG file shown in the header (relative to the settings file)."""
    max_upload_mb: float = Field(default=10.0, gt=0, le=200)
    """The largest upload (a pipeline sheet or an answers file) accepted: larger is a 413."""
    allowed_hosts: list[str] = []
    """Host names the app answers to besides localhost and the address it listens on
    (the name a reverse proxy passes on)."""

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)


class SettingsError(ProblemsError):
    """A settings file that does not fit: each problem located."""


def read_settings(path: Path | None) -> WebSettings:
    """The settings in `path` (defaults when None), with a relative logo path resolved
    against the file's folder; located problems when a field does not fit."""
    if path is None:
        return WebSettings()
    document = load_user_file(path, "settings file")
    data = document.data if document.data is not None else {}
    try:
        settings = WebSettings.model_validate(data)
    except ValidationError as exc:
        problems = [
            document.problem(tuple(error["loc"]), error["msg"])
            for error in exc.errors(include_url=False)
        ]
        raise SettingsError(
            problems, f"settings file {path} has {len(problems)} problem(s)"
        ) from None
    if settings.logo is not None:
        logo = settings.logo if settings.logo.is_absolute() else path.parent / settings.logo
        if logo.suffix.lower() not in LOGO_TYPES or not logo.is_file():
            problem = document.problem(
                ("logo",), f"{logo}: not a PNG, SVG or JPEG file that exists"
            )
            raise SettingsError([problem], f"settings file {path} has 1 problem(s)")
        settings = settings.model_copy(update={"logo": logo})
    return settings
