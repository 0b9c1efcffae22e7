"""What the browser tests share: Debian's Chromium through Playwright, one browser per
module (the `browser` fixture in tests/conftest.py), and the skip that says what is
missing. CI installs all of it; elsewhere a module is skipped, never silently passed."""

from __future__ import annotations

import importlib.util

import pytest
from scripts.report_screenshot import CHROMIUM
from tests.web.live import AXE


def skip_without_browser(*, axe: bool = False) -> None:
    """Skip the calling module, saying why, when playwright or Debian's Chromium is
    missing, or (with `axe`) axe-core, which the web app's tests inject."""
    if importlib.util.find_spec("playwright") is None:
        pytest.skip(
            "the playwright package is not installed (pip install -e '.[test]')",
            allow_module_level=True,
        )
    if not CHROMIUM.is_file():
        pytest.skip(
            f"Debian's chromium is not installed at {CHROMIUM} (apt-get install -y chromium)",
            allow_module_level=True,
        )
    if axe and not AXE.is_file():
        pytest.skip(
            f"axe-core is not installed: run npm ci in {AXE.parents[2]}", allow_module_level=True
        )
