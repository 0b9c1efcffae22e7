"""Speed and memory of `svadvisor report`, against a bare `csv.DictReader` pass.

Builds scored sheets of 10k and 100k rows by running the real `svadvisor batch` on
generated pipelines, then times, each in a fresh subprocess and on the same sheet:

- the baseline: a bare `csv.DictReader` pass over the scored sheet;
- `read_figures` alone (the streaming count the report is built on);
- `svadvisor report SHEET --output X.html --force`, end to end, as the venv's console
  script (start-up, rule pack, figures, charts and page);

and prints wall seconds and their ratio to the baseline's, the time of the pass itself
inside the child (without start-up and imports) and its ratio, and each child's peak RSS,
with the ratio of peak RSS at the largest size to the smallest. A workbook (.xlsx) sheet
is timed the same way against openpyxl's read-only iteration, that format's baseline.

The pipelines draw their rows from 500 answer profiles, as benchmarks/batch.py does, so
batch scores 100k rows in seconds; each row has its own reference, title, value (within
10% of its profile's, written as batch reads it: plain, with a £ and commas, or a range)
and start date (profiles spread over six financial years). The report's cost does not
depend on how many rows are distinct: it counts what batch wrote. Values stay within
each question's limits, and questions asked only when another answer holds are answered
only then.

Targets (issue 18): a 100,000-row scored sheet reports in under 10 seconds; peak RSS
flat from 10k to 100k rows.

    .venv/bin/python benchmarks/report.py                      # 10k and 100k rows
    .venv/bin/python benchmarks/report.py --sizes 10000,200000 --runs 5
    .venv/bin/python benchmarks/report.py --xlsx-limit 600    # also the 100k workbook
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from svadvisor.rulepack.conditions import Answer
from svadvisor.rulepack.load import load_pack
from svadvisor.rulepack.schema import Question, RulePack

PROFILES = 500
SEED = 18
BLANK = 0.15
"""The share of a profile's answers left blank ("don't know")."""
FIRST_START = date(2024, 4, 1)
LAST_START = date(2030, 3, 31)
"""Planned start dates span six financial years, 2024-25 to 2029-30."""
HEADING_EVERY = 5_000
"""Every so many rows, a department's sub-heading (one cell filled), as plans have them."""
XLSX_LIMIT = 60.0
"""A workbook is measured at a size only if its report is expected to take under this
many seconds (scaled from the size before): openpyxl reads cells far slower than csv."""
DEPARTMENTS = ["Adult Social Care", "Children's Services", "Housing", "Environment", "Finance"]
CONSOLE_SCRIPT = Path(sys.executable).with_name("svadvisor")

_MEASURE = (
    "import json, resource, subprocess, sys, time; start = time.perf_counter(); "
    "done = subprocess.run(sys.argv[1:], check=True, capture_output=True, text=True); "
    "wall = time.perf_counter() - start; print(json.dumps({'wall': wall, 'out': done.stdout, "
    "'rss': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))"
)
"""Runs a command as its only child: the child's wall seconds, its output and peak RSS."""

_DICTREADER = """
import csv, sys, time
start = time.perf_counter()
with open(sys.argv[1], encoding="utf-8-sig", newline="") as handle:
    rows = sum(1 for _ in csv.DictReader(handle))
print(rows, time.perf_counter() - start)
"""

_OPENPYXL = """
import sys, time
from openpyxl import load_workbook
start = time.perf_counter()
workbook = load_workbook(sys.argv[1], read_only=True, data_only=True)
rows = sum(1 for _ in workbook.worksheets[0].iter_rows(min_row=2, values_only=True))
workbook.close()
print(rows, time.perf_counter() - start)
"""

_READ_FIGURES = """
import sys, time
from pathlib import Path
from svadvisor.report.figures import read_figures
from svadvisor.rulepack.load import load_pack
pack = load_pack()
start = time.perf_counter()
figures = read_figures(Path(sys.argv[1]), pack)
print(figures.rows_read, time.perf_counter() - start)
"""


def _answer(question: Question, rnd: random.Random, codes: list[str]) -> str:
    """A profile's answer to one question, within its limits."""
    if question.type == "cpv":
        return rnd.choice(codes)
    if question.type == "multi":
        return ";".join(rnd.sample(question.choice_ids, rnd.randint(1, len(question.choice_ids))))
    if question.type == "date":
        return (
            FIRST_START + timedelta(days=rnd.randint(0, (LAST_START - FIRST_START).days))
        ).isoformat()
    if question.type == "number" and question.unit == "GBP":
        value = round(10 ** rnd.uniform(4, 7.7))  # £10,000 to about £50m, most under £1m
        return str(min(value, int(question.max)) if question.max is not None else value)
    if question.type == "number":
        low = max(int(question.min or 0), 1)
        return str(min(rnd.randint(low, low + 14), int(question.max or low + 14)))
    if question.id == "buyer_nation":  # the pack is written for English councils
        return "england" if rnd.random() < 0.8 else rnd.choice(question.choice_ids)
    return rnd.choice(question.choice_ids)


def _read_back(question: Question, cell: str) -> Answer:
    """The answer as a condition reads it (a multiple choice is a tuple of ids)."""
    return tuple(cell.split(";")) if question.type == "multi" else cell


def profile(questions: list[Question], rnd: random.Random, codes: list[str]) -> list[str]:
    """One answer per question, a share left blank; a question asked only when another
    answer holds is answered only then."""
    given: dict[str, Answer] = {}
    cells = []
    for question in questions:
        asked = question.ask_when is None or question.ask_when.evaluate(given) is True
        cell = _answer(question, rnd, codes) if asked and rnd.random() >= BLANK else ""
        if cell:
            given[question.id] = _read_back(question, cell)
        cells.append(cell)
    return cells


def _near(question: Question, cell: str, rnd: random.Random) -> str:
    """A row's own value near its profile's, within 10% (as written: plain, `£1,234`, or
    a range counted at its top), or its own start date within a month."""
    if question.type == "date":
        return (date.fromisoformat(cell) + timedelta(days=rnd.randint(-15, 15))).isoformat()
    value = round(int(cell) * rnd.uniform(0.9, 1.1))
    if question.max is not None:
        value = min(value, int(question.max))
    shape = rnd.random()
    if shape < 0.2:
        return f"£{value:,}"
    if shape < 0.25:
        return f"£{round(value * 0.8):,} - £{value:,}"
    return str(value)


def write_pipeline(path: Path, pack: RulePack, rows: int) -> None:
    """A pipeline of `rows` rows drawn from PROFILES answer profiles, as officers' forward
    plans repeat them; each row with its own reference, title, value and start date, and
    a sub-heading now and then (batch keeps it in the sheet, marked as not a service)."""
    rnd = random.Random(SEED)
    questions = pack.questions
    blank = [""] * (2 + len(questions))
    varying = [j for j, q in enumerate(questions) if q.type == "date" or q.unit == "GBP"]
    codes = sorted(set().union(*pack.cpv_lists.values())) or ["85000000"]
    pool = [profile(questions, rnd, codes) for _ in range(PROFILES)]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["reference", "title", "department", *(q.id for q in questions)])
        for i in range(rows):
            if i % HEADING_EVERY == HEADING_EVERY - 1:  # kept in the sheet, not scored
                writer.writerow([DEPARTMENTS[i // HEADING_EVERY % len(DEPARTMENTS)], *blank])
                continue
            answers = list(rnd.choice(pool))
            for j in varying:
                if answers[j]:
                    answers[j] = _near(questions[j], answers[j], rnd)
            writer.writerow(
                [f"PL-{i:07d}", f"Service contract {i}", rnd.choice(DEPARTMENTS), *answers]
            )


def score(pipeline: Path, sheet: Path) -> dict[str, object]:
    """Run the real `svadvisor batch`; its --json summary."""
    done = subprocess.run(
        [
            str(CONSOLE_SCRIPT), "batch", str(pipeline), "--output", str(sheet),
            "--rejects", str(sheet.with_suffix(".rejects.csv")), "--force", "--json",
        ],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode not in (0, 1):  # 1: some rows rejected, which the summary says
        sys.exit(f"svadvisor batch failed on {pipeline}:\n{done.stderr}")
    summary: dict[str, object] = json.loads(done.stdout)
    return summary


@dataclass
class Measured:
    wall: float
    """The child's wall seconds, start-up included (median of the runs)."""
    inside: float | None
    """The pass itself, timed inside the child, if it says (median of the runs)."""
    rss_kib: int
    """The child's peak RSS (the highest of the runs)."""


def measure(command: list[str], runs: int) -> Measured:
    """Run the command `runs` times, each in a fresh subprocess."""
    walls, insides, peaks = [], [], []
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-c", _MEASURE, *command], capture_output=True, text=True, check=True
        )
        result = json.loads(done.stdout)
        walls.append(result["wall"])
        peaks.append(result["rss"])
        said = result["out"].split()
        if len(said) == 2 and said[0].isdigit():
            insides.append(float(said[1]))
    inside = statistics.median(insides) if insides else None
    return Measured(statistics.median(walls), inside, max(peaks))


def report_command(sheet: Path, folder: Path) -> list[str]:
    output = folder / f"{sheet.stem}.html"
    return [str(CONSOLE_SCRIPT), "report", str(sheet), "--output", str(output), "--force"]


class Sheets:
    """Scored sheets built on first use and kept for the run: one pipeline per size,
    scored by batch into a .csv or an .xlsx sheet."""

    def __init__(self, folder: Path, pack: RulePack) -> None:
        self.folder, self.pack = folder, pack
        self.built: dict[tuple[str, int], Path] = {}

    def get(self, kind: str, size: int) -> Path:
        if (kind, size) in self.built:
            return self.built[kind, size]
        pipeline = self.folder / f"pipeline-{size}.csv"
        if not pipeline.exists():
            write_pipeline(pipeline, self.pack, size)
        sheet = self.folder / f"scored-{size}.{kind}"
        start = time.perf_counter()
        summary = score(pipeline, sheet)
        print(
            f"built {sheet.name}: batch {time.perf_counter() - start:.1f} s, "
            f"{summary['rows_scored']:,} rows scored, {summary['rows_not_services']:,} "
            f"sub-headings, {summary['rows_rejected']:,} rejected"
        )
        self.built[kind, size] = sheet
        return sheet


def steps(kind: str, sheet: Path, folder: Path) -> list[tuple[str, list[str]]]:
    """(step, command) for one sheet, the format's baseline first."""
    python = sys.executable
    if kind == "csv":
        bare = ("csv.DictReader (baseline)", [python, "-c", _DICTREADER, str(sheet)])
    else:
        bare = ("openpyxl read-only (baseline)", [python, "-c", _OPENPYXL, str(sheet)])
    return [
        bare,
        ("read_figures", [python, "-c", _READ_FIGURES, str(sheet)]),
        ("svadvisor report (end to end)", report_command(sheet, folder)),
    ]


def print_row(kind: str, size: int, step: str, got: Measured, bare: Measured) -> None:
    inside = f"{got.inside:>8.2f}" if got.inside is not None else f"{'-':>8}"
    inside_ratio = (
        f"{got.inside / bare.inside:>7.1f}x"
        if got.inside is not None and bare.inside
        else f"{'-':>8}"
    )
    print(
        f"{kind:<5} {size:>9,}  {step:<29} {got.wall:>7.2f} {got.wall / bare.wall:>7.1f}x "
        f"{inside} {inside_ratio} {got.rss_kib / 1024:>7.0f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--runs", type=int, default=3, help="runs of each step (median)")
    parser.add_argument("--no-xlsx", action="store_true", help="time CSV sheets only")
    parser.add_argument(
        "--xlsx-limit",
        type=float,
        default=XLSX_LIMIT,
        help="skip a workbook size whose report would take longer (seconds, scaled)",
    )
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    pack = load_pack()
    print(f"python {sys.version.split()[0]}; pack {pack.meta.name} {pack.meta.version}")
    with tempfile.TemporaryDirectory() as tmp:
        # as an installed copy runs (bytecode written), with a cache of its own
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
        os.environ["SVADVISOR_CACHE_DIR"] = str(Path(tmp) / "cache")
        folder = Path(tmp)
        sheets = Sheets(folder, pack)
        for size in sizes:
            sheets.get("csv", size)
        # the fixed cost, after warming the rule pack cache and matplotlib's font list
        tiny = sheets.get("csv", 1)
        subprocess.run(report_command(tiny, folder), capture_output=True, check=True)
        fixed = measure(report_command(tiny, folder), args.runs)
        print(f"svadvisor report on a one-row sheet (start-up, charts, page): {fixed.wall:.2f} s\n")
        header = (
            f"{'sheet':<5} {'rows':>9}  {'step':<29} {'wall s':>7} {'x bare':>8} "
            f"{'pass s':>8} {'x bare':>8} {'peak RSS':>10}"
        )
        print(header)
        print("-" * len(header))
        peaks: dict[tuple[str, str], dict[int, int]] = {}
        for kind in ["csv"] if args.no_xlsx else ["csv", "xlsx"]:
            last: tuple[int, float] | None = None  # (rows, report seconds) at the last size
            for size in sizes:
                expected = last[1] * size / last[0] if last else 0.0
                if kind == "xlsx" and last is not None and expected > args.xlsx_limit:
                    print(
                        f"{kind:<5} {size:>9,}  skipped: its report would take about "
                        f"{expected:.0f} s (over --xlsx-limit {args.xlsx_limit:.0f} s), "
                        f"scaled from {last[0]:,} rows"
                    )
                    continue
                sheet = sheets.get(kind, size)
                measured = [
                    (step, measure(command, args.runs))
                    for step, command in steps(kind, sheet, folder)
                ]
                for step, got in measured:
                    print_row(kind, size, step, got, measured[0][1])
                    peaks.setdefault((kind, step), {})[size] = got.rss_kib
                last = (size, measured[-1][1].wall)
        print()
        for (kind, step), by_size in peaks.items():
            if len(by_size) > 1 and not step.endswith("(baseline)"):
                smallest, largest = min(by_size), max(by_size)
                print(
                    f"{kind} {step}: peak RSS at {largest:,} rows is "
                    f"{by_size[largest] / by_size[smallest]:.2f}x that at {smallest:,}"
                )


if __name__ == "__main__":
    main()
