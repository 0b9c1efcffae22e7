"""How fast `svadvisor serve` answers, against a bare Starlette app serving one page,
both served by uvicorn in child processes in the same run on this machine.

Prints: the time from starting each server's process to its first page (median of
--starts runs), and the median and p95 latency of --requests sequential requests over
one keep-alive connection for the bare page, a question page and a result page (the
Plymouth Alliance example's answers, in state tokens signed with a fixed key): each
request for new answers (a first view: scored, explained and drawn), and the same
answers again (a revisit, served from the app's cache of result pages), with each
figure's ratio to the bare page's. Target: a result page's p95 within 3x the bare
page's p95.

    .venv/bin/python benchmarks/web.py [--requests 400] [--starts 5]
"""

from __future__ import annotations

import argparse
import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "plymouth-alliance.yaml"
SECRET = "benchmark-secret-" + "b" * 40
SVADVISOR = Path(sys.executable).with_name("svadvisor")

BARE_APP = """
import sys
import uvicorn
from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Route

PAGE = (
    "<!DOCTYPE html><html lang='en'><head><title>Bare</title></head>"
    "<body><h1>Bare</h1></body></html>"
)


async def page(request):
    return HTMLResponse(PAGE)


uvicorn.run(Starlette(routes=[Route("/", page)]), host="127.0.0.1", port=int(sys.argv[1]),
            log_level="warning")
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start(
    command: list[str], port: int, env: dict[str, str]
) -> tuple[subprocess.Popen[bytes], float]:
    """Start a server; the process and the seconds until it served its first page."""
    began = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    while True:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/")
            if connection.getresponse().status == 200:
                return process, time.perf_counter() - began
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(
                    process.stderr.read().decode() if process.stderr else ""
                ) from None
            time.sleep(0.005)


def latencies(port: int, path: str | list[str], count: int) -> list[float]:
    """Seconds per request, sequential, on one keep-alive connection (after 20 warm-ups);
    a list of paths is requested in turn (one request each)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    times = []
    for index in range(count + 20):
        began = time.perf_counter()
        connection.request("GET", path[index] if isinstance(path, list) else path)
        response = connection.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"{path}: {response.status} {body[:200]!r}")
        if index >= 20:
            times.append(time.perf_counter() - began)
    connection.close()
    return times


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def result_states(count: int) -> list[str]:
    sys.path.insert(0, str(ROOT / "src"))
    from svadvisor.answers.files import read_answers_file_settled
    from svadvisor.rulepack.load import load_pack
    from svadvisor.web.state import AnswerState, StateCodec

    pack = load_pack()
    answers, dont_know = read_answers_file_settled(EXAMPLE, pack)
    codec = StateCodec(SECRET, pack)
    return [
        codec.dumps(AnswerState(answers, list(dont_know), f"Benchmark {number}"))
        for number in range(count)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--starts", type=int, default=5)
    options = parser.parse_args()
    env = {**os.environ, "SVADVISOR_WEB_SECRET": SECRET}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    states = [quote(token) for token in result_states(options.requests + 21)]
    with tempfile.TemporaryDirectory() as scratch:
        bare_script = Path(scratch) / "bare.py"
        bare_script.write_text(BARE_APP, encoding="utf-8")
        servers = {
            "bare": lambda port: [sys.executable, str(bare_script), str(port)],
            "svadvisor": lambda port: [str(SVADVISOR), "serve", "--port", str(port)],
        }
        first_page: dict[str, list[float]] = {name: [] for name in servers}
        for _ in range(options.starts):
            for name, command in servers.items():
                port = free_port()
                process, took = start(command(port), port, env)
                first_page[name].append(took)
                process.terminate()
                process.wait()
        bare_port, svadvisor_port = free_port(), free_port()
        bare, _ = start(servers["bare"](bare_port), bare_port, env)
        svadvisor, _ = start(servers["svadvisor"](svadvisor_port), svadvisor_port, env)
        try:
            timed = {
                "bare page": latencies(bare_port, "/", options.requests),
                "svadvisor home page": latencies(svadvisor_port, "/", options.requests),
                "question page": latencies(
                    svadvisor_port, "/assess/question/complexity", options.requests
                ),
                "result page, new answers": latencies(
                    svadvisor_port,
                    [f"/assess/result?state={state}" for state in states[1:]],
                    options.requests,
                ),
                "result page, seen before": latencies(
                    svadvisor_port, f"/assess/result?state={states[0]}", options.requests
                ),
            }
        finally:
            for process in (bare, svadvisor):
                process.terminate()
                process.wait()
    bare_start = statistics.median(first_page["bare"])
    counts = f"{options.requests} requests each, {options.starts} starts"
    print(f"python {sys.version.split()[0]}; {counts}")
    print(f"{'time to first page':<28}{'median s':>10}{'x bare':>9}")
    for name, values in first_page.items():
        median = statistics.median(values)
        print(f"{name:<28}{median:>10.3f}{median / bare_start:>8.2f}x")
    print()
    bare_median, bare_p95 = statistics.median(timed["bare page"]), p95(timed["bare page"])
    print(f"{'latency':<28}{'median ms':>10}{'x bare':>9}{'p95 ms':>10}{'x bare':>9}")
    for name, values in timed.items():
        median, high = statistics.median(values), p95(values)
        print(
            f"{name:<28}{median * 1000:>10.2f}{median / bare_median:>8.2f}x"
            f"{high * 1000:>10.2f}{high / bare_p95:>8.2f}x"
        )
    for name in ("result page, new answers", "result page, seen before"):
        verdict = "met" if p95(timed[name]) <= 3 * bare_p95 else "NOT met"
        print(f"target: {name}: p95 within 3x the bare page's p95: {verdict}")


if __name__ == "__main__":
    main()
