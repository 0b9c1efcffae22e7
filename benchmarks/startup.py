"""How long svadvisor takes to start, against the floor a bare typer app sets.

Writes a typer app with the same command names, the same typer settings and no logic
to a temporary file, then
times, on this machine in this run, the median of several runs of:
the bare app's --help, `svadvisor --help`, `svadvisor --version`, the bare app's no-op
`assess`, and `svadvisor assess --answers examples/... --json`; and prints each median
and the ratios svadvisor/bare. Targets: --help at most 1.15x the bare --help; assess
--json at most 1.5x the bare no-op command.

    .venv/bin/python benchmarks/startup.py [--runs 15]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "plymouth-alliance.yaml"

BARE_APP = '''
import typer

app = typer.Typer(add_completion=False, rich_markup_mode=None, pretty_exceptions_show_locals=False)
rules = typer.Typer()
memo = typer.Typer()
cases = typer.Typer()
app.add_typer(rules, name="rules")
app.add_typer(memo, name="memo")
app.add_typer(cases, name="cases")


@app.callback()
def root(version: bool = typer.Option(False, "--version")) -> None:
    """Bare app."""


@app.command()
def assess(answers: str = typer.Option("", "--answers"), json: bool = False) -> None:
    """No-op."""


@app.command()
def questions() -> None:
    """No-op."""


@app.command()
def routes() -> None:
    """No-op."""


@app.command()
def notes() -> None:
    """No-op."""


@app.command()
def batch() -> None:
    """No-op."""


@rules.command()
def validate() -> None:
    """No-op."""


@memo.command()
def replay() -> None:
    """No-op."""


@cases.command()
def show() -> None:
    """No-op."""


app()
'''


def median_seconds(command: list[str], runs: int) -> float:
    subprocess.run(command, capture_output=True, check=True)  # warm the file cache
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    python = sys.executable
    script = Path(python).parent / "svadvisor"  # the console script officers run
    svadvisor = [str(script)] if script.exists() else [python, "-m", "svadvisor"]
    with tempfile.TemporaryDirectory() as tmp:
        bare = Path(tmp) / "bare.py"
        bare.write_text(BARE_APP, encoding="utf-8")
        figures = {
            "bare --help": median_seconds([python, str(bare), "--help"], runs),
            "svadvisor --help": median_seconds([*svadvisor, "--help"], runs),
            "svadvisor --version": median_seconds([*svadvisor, "--version"], runs),
            "bare assess (no-op)": median_seconds(
                [python, str(bare), "assess", "--answers", str(EXAMPLE)], runs
            ),
            "svadvisor assess --json": median_seconds(
                [*svadvisor, "assess", "--answers", str(EXAMPLE), "--json"], runs
            ),
        }
    for name, seconds in figures.items():
        print(f"{name:<26} {seconds * 1000:8.1f} ms (median of {runs})")
    help_ratio = figures["svadvisor --help"] / figures["bare --help"]
    assess_ratio = figures["svadvisor assess --json"] / figures["bare assess (no-op)"]
    version_ratio = figures["svadvisor --version"] / figures["bare --help"]
    print(f"svadvisor --help / bare --help:           {help_ratio:.2f}x (target <= 1.15x)")
    print(f"svadvisor --version / bare --help:        {version_ratio:.2f}x")
    print(f"svadvisor assess --json / bare assess:    {assess_ratio:.2f}x (target <= 1.5x)")


if __name__ == "__main__":
    main()
