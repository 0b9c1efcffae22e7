"""Throughput and memory of `svadvisor batch`, against a bare `csv.DictReader` pass.

Builds pipelines of 10k, 100k and 1M rows from the built-in pack's questions, in two
shapes, and prints for each: rows per second for `svadvisor batch` (run as a real
subprocess, end to end, and again without its start-up time), rows per second for a bare
`csv.DictReader` pass over the same file, their ratio, and the batch's peak RSS.

- repeating: rows drawn from 500 answer profiles (as forward plans repeat them), each
  with its own reference and title, and its own value (within 10% of its profile's) and
  planned start date (within a fortnight);
- distinct: every row's answers drawn afresh, the worst case: each row costs one full
  `engine.assess`, so this shape runs only up to 100k rows unless --distinct-max says.

Targets (issue 6): batch throughput at least 25% of the bare pass; peak RSS at 1M rows
within 1.2x of that at 10k.

    .venv/bin/python benchmarks/batch.py                      # 10k, 100k, 1M
    .venv/bin/python benchmarks/batch.py --sizes 10000,100000 # quicker
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from svadvisor.rulepack.load import load_pack
from svadvisor.rulepack.schema import Question, RulePack

PROFILES = 500
SEED = 6
FIXED = ["reference", "title", "department"]
_RSS_OF_CHILD = (
    "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=False, "
    "stdout=subprocess.DEVNULL); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)
DEPARTMENTS = ["Adult Social Care", "Children's Services", "Housing", "Environment", "Finance"]


def _answer(question: Question, rnd: random.Random, codes: list[str]) -> str:
    if rnd.random() < 0.3:
        return ""
    if question.type == "cpv":
        return rnd.choice(codes)
    if question.type == "multi":
        return ";".join(rnd.sample(question.choice_ids, rnd.randint(1, 2)))
    if question.type == "number":
        low = int(question.min) if question.min is not None else 5_000
        high = int(question.max) if question.max is not None else 50_000_000
        return str(rnd.randint(max(low, 1), high))
    if question.type == "date":
        return (date(2026, 1, 1) + timedelta(days=rnd.randint(0, 364))).isoformat()
    return rnd.choice(question.choice_ids)


def _near(question: Question, cell: str, rnd: random.Random) -> str:
    """A row's own value near its profile's: within 10% (a quarter written as `£1,234`),
    or a start date within a month."""
    if question.type == "number":
        value = round(int(cell) * rnd.uniform(0.9, 1.1))
        if question.max is not None:
            value = min(value, int(question.max))
        return f"£{value:,}" if rnd.random() < 0.25 else str(value)
    start = date.fromisoformat(cell) + timedelta(days=rnd.randint(-15, 15))
    return start.isoformat()


def write_pipeline(path: Path, pack: RulePack, rows: int, *, distinct: bool) -> None:
    rnd = random.Random(SEED)
    questions = pack.questions
    varying = {j for j, q in enumerate(questions) if q.type in ("number", "date")}
    codes = sorted(set().union(*pack.cpv_lists.values())) or ["85000000"]
    pool = [[_answer(q, rnd, codes) for q in questions] for _ in range(PROFILES)]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([*FIXED, *(q.id for q in questions)])
        for i in range(rows):
            if distinct:
                answers = [_answer(q, rnd, codes) for q in questions]
            else:
                answers = list(rnd.choice(pool))
                for j in varying:
                    if answers[j]:
                        answers[j] = _near(questions[j], answers[j], rnd)
            writer.writerow(
                [f"PL-{i:07d}", f"Service contract {i}", rnd.choice(DEPARTMENTS), *answers]
            )


def bare_pass(path: Path) -> float:
    start = time.perf_counter()
    with path.open(encoding="utf-8", newline="") as handle:
        count = sum(1 for _ in csv.DictReader(handle))
    return count / (time.perf_counter() - start)


def run_batch(path: Path, folder: Path) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of one `svadvisor batch` subprocess."""
    command = [
        sys.executable,
        "-m",
        "svadvisor",
        "batch",
        str(path),
        "--output",
        str(folder / f"{path.stem}.scored.csv"),
        "--rejects",
        str(folder / f"{path.stem}.rejects.csv"),
        "--force",
        "--json",
    ]
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _RSS_OF_CHILD, *command],
        check=True,
        capture_output=True,
        text=True,
    )
    return time.perf_counter() - start, int(done.stdout.split()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--distinct-max", type=int, default=100_000)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    pack = load_pack()
    print(f"python {sys.version.split()[0]}; pack {pack.meta.name} {pack.meta.version}")
    with tempfile.TemporaryDirectory() as tmp:
        # as an installed copy runs (bytecode written), with a cache of its own
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
        os.environ["SVADVISOR_CACHE_DIR"] = str(Path(tmp) / "cache")
        folder = Path(tmp)
        startup_file = folder / "startup.csv"
        write_pipeline(startup_file, pack, 1, distinct=False)
        startup = min(run_batch(startup_file, folder)[0] for _ in range(3))
        print(f"start-up (a one-row sheet): {startup:.2f} s\n")
        header = (
            f"{'shape':<10} {'rows':>9} {'batch rows/s':>13} {'w/o start-up':>13} "
            f"{'DictReader rows/s':>18} {'ratio':>7} {'peak RSS':>10}"
        )
        print(header)
        print("-" * len(header))
        for shape in ("repeating", "distinct"):
            peaks: dict[int, int] = {}
            ratios: list[float] = []
            for size in sizes:
                if shape == "distinct" and size > args.distinct_max:
                    print(f"{shape:<10} {size:>9,}  skipped (over --distinct-max)")
                    continue
                path = folder / f"{shape}-{size}.csv"
                write_pipeline(path, pack, size, distinct=shape == "distinct")
                bare = bare_pass(path)
                seconds, peak = run_batch(path, folder)
                rate = size / seconds
                steady = size / max(seconds - startup, 1e-9)
                peaks[size] = peak
                ratios.append(steady / bare)
                print(
                    f"{shape:<10} {size:>9,} {rate:>13,.0f} {steady:>13,.0f} {bare:>18,.0f} "
                    f"{steady / bare:>6.1%} {peak / 1024:>8.0f} MB"
                )
                path.unlink()
            if not peaks:  # every size of this shape was skipped
                continue
            smallest, largest = min(peaks), max(peaks)
            print(
                f"{shape}: peak RSS at {largest:,} rows is {peaks[largest] / peaks[smallest]:.2f}x "
                f"that at {smallest:,}; throughput {min(ratios):.1%}-{max(ratios):.1%} of the bare "
                "pass (without start-up)\n"
            )


if __name__ == "__main__":
    main()
