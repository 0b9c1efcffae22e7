"""Memory and speed of `svadvisor batch` on published notices (OCDS JSON Lines).

Builds JSON Lines files of N releases from the real Sell2Wales fixture (each release
copied with its own ocid, and every fifth process given a second, later release so
merging by ocid is exercised), runs `svadvisor batch` on each in a subprocess, and prints
releases per second and peak RSS, with the ratio of peak RSS at the largest size to the
smallest. Target (issue 9): constant memory as the file grows.

    .venv/bin/python benchmarks/notices.py                        # 10k and 100k releases
    .venv/bin/python benchmarks/notices.py --sizes 10000,1000000  # the 1M-release run
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FIXTURE = (
    Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "ocds" / "s2w_releases_a.jsonl"
)
_RSS_OF_CHILD = (
    "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=False, "
    "stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def build(path: Path, size: int) -> int:
    """Write `size` releases; return how many processes (ocids) they make."""
    templates = [json.loads(line) for line in FIXTURE.read_text(encoding="utf-8").splitlines()]
    ocids = 0
    with path.open("w", encoding="utf-8") as out:
        written = 0
        while written < size:
            base = templates[ocids % len(templates)]
            release = dict(base, ocid=f"ocds-bench-{ocids:09d}", id=f"r-{ocids}-1")
            out.write(json.dumps(release) + "\n")
            written += 1
            if ocids % 5 == 0 and written < size:
                later = dict(release, id=f"r-{ocids}-2", date="2025-03-01T00:00:00Z")
                later["tag"] = ["tenderAmendment"]
                out.write(json.dumps(later) + "\n")
                written += 1
            ocids += 1
    return ocids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    sizes = [int(s) for s in parser.parse_args().sizes.split(",")]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        # as an installed copy runs (bytecode written), with a cache of its own
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
        os.environ["SVADVISOR_CACHE_DIR"] = str(Path(tmp) / "cache")
        for size in sizes:
            source = Path(tmp) / f"notices-{size}.jsonl"
            processes = build(source, size)
            command = [
                sys.executable, "-m", "svadvisor", "batch", str(source),
                "--output", str(Path(tmp) / f"out-{size}.csv"),
                "--rejects", str(Path(tmp) / f"rej-{size}.csv"), "--force",
            ]  # fmt: skip
            start = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-c", _RSS_OF_CHILD, *command],
                capture_output=True, text=True, check=True,
            )  # fmt: skip
            seconds = time.perf_counter() - start
            rss_mb = int(done.stdout.strip()) / 1024
            rows.append((size, processes, size / seconds, rss_mb))
    print(f"{'releases':>10} {'processes':>10} {'releases/s':>11} {'peak RSS':>9}")
    for size, processes, rate, rss in rows:
        print(f"{size:>10,} {processes:>10,} {rate:>11,.0f} {rss:>6.0f} MB")
    if len(rows) > 1:
        print(f"peak RSS at {rows[-1][0]:,} / at {rows[0][0]:,}: {rows[-1][3] / rows[0][3]:.2f}x")


if __name__ == "__main__":
    main()
