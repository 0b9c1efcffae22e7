"""How long svadvisor takes to start, against the floor a bare typer app sets.

Writes a typer app with the same command names, the same typer settings and no logic
to a temporary file, then times, on this machine in this run, the median of several
runs (interleaved) of: the bare app's --help, `svadvisor --help`, `svadvisor --version`,
the bare app's no-op `assess`, and `svadvisor assess --answers examples/... --json`,
with the rule pack cache warm (every run after an officer's first) and empty (the first
run, or after the pack changed); and prints each median and the ratios svadvisor/bare.
Targets: --help at most 1.15x the bare --help; assess --json at most 1.5x the bare
no-op command. Children run with bytecode written, as an installed copy does, and with
a temporary cache folder.

    .venv/bin/python benchmarks/startup.py [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
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


def run_once(command: list[str], env: dict[str, str], before: Callable[[], None]) -> float:
    before()
    start = time.perf_counter()
    subprocess.run(command, capture_output=True, check=True, env=env)
    return time.perf_counter() - start


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
        cache = Path(tmp) / "cache"
        # As an installed copy runs: with bytecode written (pip compiles on install), and
        # a cache folder of its own so the officer's cache is neither used nor touched.
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["SVADVISOR_CACHE_DIR"] = str(cache)
        env.pop("SVADVISOR_NO_CACHE", None)

        def nothing() -> None:
            pass

        def empty_cache() -> None:
            shutil.rmtree(cache, ignore_errors=True)

        assess = [*svadvisor, "assess", "--answers", str(EXAMPLE), "--json"]
        commands: dict[str, tuple[list[str], Callable[[], None]]] = {
            "bare --help": ([python, str(bare), "--help"], nothing),
            "svadvisor --help": ([*svadvisor, "--help"], nothing),
            "svadvisor --version": ([*svadvisor, "--version"], nothing),
            "bare assess (no-op)": (
                [python, str(bare), "assess", "--answers", str(EXAMPLE)],
                nothing,
            ),
            "svadvisor assess --json": (assess, nothing),
            "  first run (no cache)": (assess, empty_cache),
        }
        for command, before in commands.values():  # write bytecode, warm the file cache
            run_once(command, env, before)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for round_ in range(runs):  # interleaved, so a busy moment hits every command alike
            names = list(commands)
            names = names[round_ % len(names) :] + names[: round_ % len(names)]
            for name in names:
                times[name].append(run_once(commands[name][0], env, commands[name][1]))
    figures = {name: statistics.median(seconds) for name, seconds in times.items()}
    for name, seconds in figures.items():
        print(f"{name:<26} {seconds * 1000:8.1f} ms (median of {runs})")
    help_ratio = figures["svadvisor --help"] / figures["bare --help"]
    assess_ratio = figures["svadvisor assess --json"] / figures["bare assess (no-op)"]
    cold_ratio = figures["  first run (no cache)"] / figures["bare assess (no-op)"]
    version_ratio = figures["svadvisor --version"] / figures["bare --help"]
    print(f"svadvisor --help / bare --help:           {help_ratio:.2f}x (target <= 1.15x)")
    print(f"svadvisor --version / bare --help:        {version_ratio:.2f}x")
    print(f"svadvisor assess --json / bare assess:    {assess_ratio:.2f}x (target <= 1.5x)")
    print(f"  the same, first run with no cache:      {cold_ratio:.2f}x")


if __name__ == "__main__":
    main()
