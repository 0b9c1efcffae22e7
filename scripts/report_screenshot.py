"""Make docs/assets/report.png: the top of the HTML report of the example pipeline, as
headless Chromium shows it in a 1100 x 1400 window.

    .venv/bin/python scripts/report_screenshot.py [--output docs/assets/report.png]

It runs `svadvisor batch examples/pipeline.csv --report report.html` in a temporary
folder (nothing is written beside the example), then opens the report in Debian's
chromium (/usr/bin/chromium: `apt-get install -y chromium`) through Playwright, which the
test extra installs; the browser tests (tests/report/test_report_browser.py) launch it
the same way. Run it again when the report's look changes.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported when a browser is launched: the tests import this module
    from playwright.sync_api import Browser, ViewportSize  # to learn what is missing

ROOT = Path(__file__).resolve().parents[1]
PIPELINE = ROOT / "examples" / "pipeline.csv"
CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",  # as root, as CI runs
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT: ViewportSize = {"width": 1100, "height": 1400}


def write_report(folder: Path) -> Path:
    """The example pipeline's HTML report, written by the real command into `folder`."""
    report = folder / "report.html"
    command = [
        *(sys.executable, "-m", "svadvisor", "batch", str(PIPELINE)),
        *("--output", str(folder / "pipeline.scored.csv")),
        *("--rejects", str(folder / "pipeline.rejects.csv")),
        *("--report", str(report)),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode not in (0, 1):  # 1: some rows rejected, still reported
        sys.exit(f"svadvisor batch failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return report


@contextmanager
def chromium() -> Iterator[Browser]:
    """Debian's Chromium, headless, driven by Playwright with LAUNCH_ARGS; closed after.
    The screenshot scripts and the browser tests all launch it here."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def screenshot(report: Path, output: Path) -> None:
    """Save the top of `report` (the window, not the whole page) as a PNG."""
    with chromium() as browser:
        page = browser.new_page(viewport=VIEWPORT, device_scale_factor=1)
        page.goto(report.as_uri(), wait_until="load")
        output.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=output, full_page=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--output",
        type=Path,
        default=ROOT / "docs" / "assets" / "report.png",
        help="the PNG to write (default: docs/assets/report.png)",
    )
    arguments = parser.parse_args()
    if not CHROMIUM.is_file():
        sys.exit(f"{CHROMIUM}: not found; install Debian's chromium (apt-get install -y chromium)")
    with tempfile.TemporaryDirectory(prefix="svadvisor-report-") as folder:
        screenshot(write_report(Path(folder)), arguments.output)
    print(f"Screenshot: {arguments.output} ({arguments.output.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
