"""Refresh the vendored GOV.UK Frontend in src/svadvisor/web/static/govuk/ from npm.

svadvisor is not a GOV.UK service, so it ships no GDS Transport font and no crown
images: the CSS is compiled from the package's Sass with a system font stack, as "Using
GOV.UK Frontend without GOV.UK branding" documents
(https://frontend.design-system.service.gov.uk/using-govuk-frontend-without-govuk-branding/).
The JavaScript is copied as published. The npm package carries no licence file, so the
MIT licence text of the alphagov/govuk-frontend repository (LICENSE.txt, as published
there) is written beside them.

Needs Node.js and npm (the npm registry). Usage:

    python scripts/refresh_govuk_frontend.py [VERSION]
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

VERSION = "6.6.0"
SASS_VERSION = "1.108.2"
TARGET = Path(__file__).resolve().parents[1] / "src" / "svadvisor" / "web" / "static" / "govuk"
FONT_STACK = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'
LICENCE = """The MIT License (MIT)

Copyright (C) 2017 Crown Copyright (Government Digital Service)

Permission is hereby granted, free of charge, to any person obtaining a copy of
this software and associated documentation files (the "Software"), to deal in
the Software without restriction, including without limitation the rights to
use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies
of the Software, and to permit persons to whom the Software is furnished to do
so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
"""


def run(*args: str, cwd: Path) -> str:
    return subprocess.run(args, cwd=cwd, check=True, capture_output=True, text=True).stdout


def main(version: str = VERSION) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        (work / "package.json").write_text('{"private": true}\n', encoding="utf-8")
        run(
            "npm",
            "install",
            "--no-audit",
            "--no-fund",
            f"govuk-frontend@{version}",
            f"sass@{SASS_VERSION}",
            cwd=work,
        )
        package = work / "node_modules" / "govuk-frontend"
        installed = json.loads((package / "package.json").read_text(encoding="utf-8"))["version"]
        if installed != version:
            sys.exit(f"npm installed govuk-frontend {installed}, not {version}")
        scss = work / "svadvisor.scss"
        scss.write_text(
            f'@use "pkg:govuk-frontend" as * with (\n  $govuk-font-family: ({FONT_STACK})\n);\n',
            encoding="utf-8",
        )
        css = work / "govuk-frontend.min.css"
        run(
            "npx",
            "sass",
            "--pkg-importer=node",
            "--style=compressed",
            "--no-source-map",
            "--quiet-deps",
            str(scss),
            str(css),
            cwd=work,
        )
        compiled = css.read_text(encoding="utf-8")
        if "GDS Transport" in compiled or "/assets/fonts/" in compiled:
            sys.exit("the compiled CSS still names GDS Transport: check the Sass settings")
        TARGET.mkdir(parents=True, exist_ok=True)
        (TARGET / "govuk-frontend.min.css").write_text(compiled, encoding="utf-8")
        shutil.copyfile(
            package / "dist" / "govuk" / "govuk-frontend.min.js", TARGET / "govuk-frontend.min.js"
        )
        (TARGET / "LICENSE.txt").write_text(LICENCE, encoding="utf-8")
        (TARGET / "VERSION").write_text(f"{version}\n", encoding="utf-8")
    print(f"GOV.UK Frontend {version} vendored into {TARGET}")


if __name__ == "__main__":
    main(*sys.argv[1:2])
