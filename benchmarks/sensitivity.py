"""How long "what would change the advice" takes on the built-in pack.

Prints, for each of the pack's own test cases, the time of an assessment with the
sensitivity analysis and without it (the baseline, measured in the same run), and
whether the search needed pairs of changes. Run: .venv/bin/python benchmarks/sensitivity.py
"""

from __future__ import annotations

import statistics
import time
from datetime import date

from svadvisor.packcheck.selftest import load_cases
from svadvisor.rulepack.load import builtin_pack_dir, load_pack
from svadvisor.scoring import engine

REPEATS = 20


def best_of(repeats: int, run) -> float:
    """The fastest of several runs, in milliseconds (the least disturbed by other work)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times) * 1000


def main() -> None:
    pack = load_pack()
    today = date.today()
    cases = load_cases(pack, builtin_pack_dir())
    engine.assess(pack, cases[0].answers, on=today)  # compile the Scorer once, as a run would
    ratios = []
    print(f"{'case':<60} {'plain ms':>9} {'with ms':>9} {'ratio':>6}  search")
    for case in cases:
        plain = best_of(
            REPEATS, lambda c=case: engine.assess(pack, c.answers, on=today, sensitivity=False)
        )
        full = best_of(REPEATS, lambda c=case: engine.assess(pack, c.answers, on=today))
        flips = engine.assess(pack, case.answers, on=today).what_would_change
        search = "pairs" if flips and len(flips[0].changes) == 2 else "single changes"
        ratios.append(full / plain)
        print(f"{case.case.name[:60]:<60} {plain:9.2f} {full:9.2f} {full / plain:6.1f}  {search}")
    print(f"\nmedian ratio {statistics.median(ratios):.1f}x, worst {max(ratios):.1f}x")


if __name__ == "__main__":
    main()
