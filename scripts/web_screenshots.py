"""Make the web app's screenshots for docs/how-to/web-app.md: a question page, "Check
your answers", the advice, and a scored pipeline, as Debian's Chromium shows them.

    .venv/bin/python scripts/web_screenshots.py [--folder docs/assets]

It serves the app with the built-in rule pack on a loopback port (as the browser tests
do), walks an assessment with the Plymouth Alliance example's answers and uploads the
example pipeline, saving the top of each page (1100 x 1000). Run it again when the
pages' look changes.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Page, ViewportSize

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scripts.report_screenshot import CHROMIUM, chromium  # noqa: E402
from tests.web.live import serving  # noqa: E402

from svadvisor.answers.files import read_answers_file_settled  # noqa: E402
from svadvisor.cases.library import load_cases  # noqa: E402
from svadvisor.rulepack.load import load_pack  # noqa: E402
from svadvisor.web.app import create_app  # noqa: E402
from svadvisor.web.state import AnswerState, StateCodec  # noqa: E402

EXAMPLES = ROOT / "examples"
VIEWPORT: ViewportSize = {"width": 1100, "height": 1000}
SECRET = "screenshots-" + "s" * 40


def shoot(page: Page, path: str, output: Path) -> None:
    page.goto(path)
    page.wait_for_load_state("networkidle")
    page.screenshot(path=output, full_page=False)
    print(f"Screenshot: {output} ({output.stat().st_size:,} bytes)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=ROOT / "docs" / "assets")
    folder = parser.parse_args().folder
    if not CHROMIUM.is_file():
        sys.exit(f"{CHROMIUM}: not found; install Debian's chromium (apt-get install -y chromium)")
    pack = load_pack()
    answers, dont_know = read_answers_file_settled(EXAMPLES / "plymouth-alliance.yaml", pack)
    token = StateCodec(SECRET, pack).dumps(
        AnswerState(answers, list(dont_know), "Complex needs support")
    )
    app = create_app(pack, load_cases(pack), secret=SECRET)
    folder.mkdir(parents=True, exist_ok=True)
    with serving(app) as base, chromium() as browser:
        page = browser.new_page(viewport=VIEWPORT, device_scale_factor=1, base_url=base)
        shoot(page, f"/assess/question/providers?state={token}", folder / "web-question.png")
        shoot(page, f"/assess/check?state={token}", folder / "web-check.png")
        shoot(page, f"/assess/result?state={token}", folder / "web-result.png")
        page.goto("/pipeline")
        page.set_input_files("#pipeline_file", str(EXAMPLES / "pipeline.csv"))
        page.locator('form[action="/pipeline"] button[type="submit"]').click()
        page.wait_for_load_state("networkidle")
        page.screenshot(path=folder / "web-pipeline.png", full_page=False)
        print(f"Screenshot: {folder / 'web-pipeline.png'}")


if __name__ == "__main__":
    main()
