"""Nothing lost: a killed or interrupted run never leaves half a file where an output goes,
outputs never follow a symlink, and nothing a user gives svadvisor can run code."""

from __future__ import annotations

import errno
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tests.conftest import EXAMPLES
from typer.testing import CliRunner

from svadvisor.cli.app import app

ROOT = Path(__file__).resolve().parents[2]
ALLIANCE = EXAMPLES / "plymouth-alliance.yaml"
OLD = "an earlier output, which must survive\n"


def big_pipeline(path: Path, rows: int) -> None:
    """A pipeline that takes a few seconds to score: many distinct values."""
    with path.open("w", encoding="utf-8") as out:
        out.write("Reference,complexity,timescale,providers,value\n")
        for i in range(rows):
            out.write(f"R{i},complex,long,several,{10_000 + i * 37}\n")


def svadvisor(*args: str) -> list[str]:
    return [sys.executable, "-m", "svadvisor", *args]


def wait_for(predicate, seconds: float = 60.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def temp_files(folder: Path) -> list[Path]:
    return sorted(folder.glob(".*.tmp"))


def test_sigkill_mid_batch_leaves_the_old_output_intact(tmp_path: Path) -> None:
    source = tmp_path / "plan.csv"
    big_pipeline(source, 300_000)
    output = tmp_path / "scored.csv"
    output.write_text(OLD, encoding="utf-8")
    rejects = tmp_path / "rejects.csv"
    process = subprocess.Popen(
        svadvisor(
            "batch", str(source), "--output", str(output), "--rejects", str(rejects), "--force"
        ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        started = wait_for(lambda: any(p.stat().st_size > 0 for p in temp_files(tmp_path)))
        assert started, "the batch never started writing"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == -signal.SIGKILL
    assert output.read_text(encoding="utf-8") == OLD
    assert not rejects.exists()
    # SIGKILL cannot be caught: the partial data can only be in hidden temporary files
    # beside the outputs, never where an output goes
    assert {p.name for p in tmp_path.iterdir()} - {p.name for p in temp_files(tmp_path)} == {
        "plan.csv",
        "scored.csv",
    }
    assert temp_files(tmp_path), "expected the killed run's hidden temporary files"
    # the next run into that folder removes them: their process has gone
    small = tmp_path / "small.csv"
    small.write_text("Reference,complexity\nA,complex\n", encoding="utf-8")
    rerun = subprocess.run(
        svadvisor("batch", str(small), "--output", str(tmp_path / "small.scored.csv")),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert rerun.returncode == 0, rerun.stderr
    assert temp_files(tmp_path) == []
    assert output.read_text(encoding="utf-8") == OLD


def test_sigint_mid_batch_writes_nothing_and_says_so(tmp_path: Path) -> None:
    source = tmp_path / "plan.csv"
    big_pipeline(source, 300_000)
    output = tmp_path / "scored.csv"
    output.write_text(OLD, encoding="utf-8")
    process = subprocess.Popen(
        svadvisor("batch", str(source), "--output", str(output), "--force"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert wait_for(lambda: any(p.stat().st_size > 0 for p in temp_files(tmp_path)))
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130
    assert f"Interrupted: no output written; {output} and " in stderr
    assert "Traceback" not in stderr
    assert output.read_text(encoding="utf-8") == OLD
    assert temp_files(tmp_path) == []
    assert not (tmp_path / "plan.rejects.csv").exists()


@pytest.mark.parametrize("delay", [0.05, 0.3, 0.6, 1.0])
def test_a_killed_memo_run_leaves_the_old_memo_or_a_whole_new_one(
    tmp_path: Path, delay: float
) -> None:
    memo = tmp_path / "memo.md"
    memo.write_text(OLD, encoding="utf-8")
    process = subprocess.Popen(
        svadvisor("assess", "--answers", str(ALLIANCE), "--memo", str(memo), "--force"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    text = memo.read_text(encoding="utf-8")
    # whenever it was killed: the old memo, or a complete new one (it ends with its
    # reproducibility block), never a part of one
    assert text == OLD or text.rstrip().endswith("```"), text[-200:]
    assert text == OLD or "svadvisor-replay 1" in text


# --- symlinks ---------------------------------------------------------------------------


def symlinked_target(tmp_path: Path, name: str) -> tuple[Path, Path]:
    victim = tmp_path / "elsewhere.txt"
    victim.write_text("not to be touched\n", encoding="utf-8")
    link = tmp_path / name
    link.symlink_to(victim)
    return link, victim


def test_memo_refuses_a_symlink_and_force_replaces_the_link(
    runner: CliRunner, tmp_path: Path
) -> None:
    link, victim = symlinked_target(tmp_path, "memo.md")
    refused = runner.invoke(app, ["assess", "--answers", str(ALLIANCE), "--memo", str(link)])
    assert refused.exit_code == 2
    assert "already exists; pass --force" in refused.stderr
    forced = runner.invoke(
        app, ["assess", "--answers", str(ALLIANCE), "--memo", str(link), "--force"]
    )
    assert forced.exit_code == 0, forced.output
    assert not link.is_symlink() and "svadvisor-replay 1" in link.read_text(encoding="utf-8")
    assert victim.read_text(encoding="utf-8") == "not to be touched\n"


def test_saved_answers_replace_a_symlink_not_its_target(runner: CliRunner, tmp_path: Path) -> None:
    link, victim = symlinked_target(tmp_path, "answers.yaml")
    refused = runner.invoke(
        app, ["assess", "--answers", str(ALLIANCE), "--save-answers", str(link)]
    )
    assert refused.exit_code == 2
    assert f"{link}: already exists; pass --force to replace it" in refused.stderr
    forced = runner.invoke(
        app, ["assess", "--answers", str(ALLIANCE), "--save-answers", str(link), "--force"]
    )
    assert forced.exit_code == 0, forced.output
    assert not link.is_symlink() and "complexity: complex" in link.read_text(encoding="utf-8")
    assert victim.read_text(encoding="utf-8") == "not to be touched\n"


def test_saved_answers_never_follow_a_dangling_symlink(runner: CliRunner, tmp_path: Path) -> None:
    link = tmp_path / "answers.yaml"
    link.symlink_to(tmp_path / "nowhere" / "file.yaml")  # dangling: its target does not exist
    result = runner.invoke(app, ["assess", "--answers", str(ALLIANCE), "--save-answers", str(link)])
    assert result.exit_code == 2
    assert "already exists; pass --force" in result.stderr
    assert link.is_symlink() and not (tmp_path / "nowhere").exists()


def test_batch_output_replaces_a_symlink_not_its_target(runner: CliRunner, tmp_path: Path) -> None:
    source = tmp_path / "plan.csv"
    source.write_text("Reference,complexity\nA,complex\n", encoding="utf-8")
    link, victim = symlinked_target(tmp_path, "scored.csv")
    refused = runner.invoke(app, ["batch", str(source), "--output", str(link)])
    assert refused.exit_code == 2
    forced = runner.invoke(app, ["batch", str(source), "--output", str(link), "--force"])
    assert forced.exit_code == 0, forced.output
    assert not link.is_symlink()
    assert victim.read_text(encoding="utf-8") == "not to be touched\n"


# --- places an output cannot go ----------------------------------------------------------


def test_an_output_is_never_written_into_a_pipe_or_device(
    runner: CliRunner, tmp_path: Path
) -> None:
    fifo = tmp_path / "memo.md"
    os.mkfifo(fifo)
    result = runner.invoke(
        app, ["assess", "--answers", str(ALLIANCE), "--memo", str(fifo), "--force"]
    )
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: {fifo}: is not a regular file (a device or a pipe); name a file\n"
    )
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


def test_a_name_as_long_as_the_file_system_allows_is_written(
    runner: CliRunner, tmp_path: Path
) -> None:
    longest = tmp_path / ("m" * 252 + ".md")  # 255 characters: its temporary name is longer
    result = runner.invoke(app, ["assess", "--answers", str(ALLIANCE), "--memo", str(longest)])
    assert result.exit_code == 0, result.output
    assert "svadvisor-replay 1" in longest.read_text(encoding="utf-8")
    assert temp_files(tmp_path) == []


def test_a_name_too_long_for_the_file_system_is_one_clear_line(
    runner: CliRunner, tmp_path: Path
) -> None:
    too_long = tmp_path / ("m" * 300 + ".md")
    result = runner.invoke(app, ["assess", "--answers", str(ALLIANCE), "--memo", str(too_long)])
    assert result.exit_code == 2
    assert result.stderr == f"Error: {too_long}: File name too long\n"
    assert list(tmp_path.iterdir()) == []
    answers = runner.invoke(app, ["assess", "--answers", str(too_long)])
    assert answers.exit_code == 2
    assert answers.stderr == f"Error: {too_long}: File name too long\n"


def test_output_piped_into_a_reader_that_has_stopped_ends_quietly() -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # as `svadvisor questions | head -1` once head has its line
    try:
        writer = subprocess.run(
            svadvisor("questions"), stdout=write_end, stderr=subprocess.PIPE, text=True, timeout=60
        )
    finally:
        os.close(write_end)
    assert writer.returncode == 1
    assert writer.stderr == ""


def test_a_full_disk_leaves_the_old_file_and_no_temporary_file(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    memo = tmp_path / "memo.md"
    memo.write_text(OLD, encoding="utf-8")

    def disk_full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", disk_full)
    result = runner.invoke(
        app, ["assess", "--answers", str(ALLIANCE), "--memo", str(memo), "--force"]
    )
    assert result.exit_code == 2
    assert result.stderr == f"Error: {memo}: cannot write (No space left on device)\n"
    assert memo.read_text(encoding="utf-8") == OLD
    assert temp_files(tmp_path) == []


def test_only_temporary_files_of_runs_that_have_gone_are_swept(
    runner: CliRunner, tmp_path: Path
) -> None:
    finished = subprocess.Popen([sys.executable, "-c", "pass"])
    finished.wait()
    stale = tmp_path / f".memo.md.svadvisor-{finished.pid}-k1ll3d00.tmp"
    live = tmp_path / f".memo.md.svadvisor-{os.getppid()}-wr1t1ng0.tmp"
    unrelated = tmp_path / ".memo.md.12345.tmp"
    for path in (stale, live, unrelated):
        path.write_text("part of a memo", encoding="utf-8")
    result = runner.invoke(
        app, ["assess", "--answers", str(ALLIANCE), "--memo", str(tmp_path / "memo.md")]
    )
    assert result.exit_code == 0, result.output
    assert not stale.exists()
    assert live.exists() and unrelated.exists()


# --- nothing can run code -----------------------------------------------------------------

FORBIDDEN = [
    r"\beval\(",
    r"\bexec\(",
    r"\bpickle\b",
    r"\bmarshal\b",
    r"yaml\.load\(",
    r"yaml\.unsafe_load",
    r"yaml\.full_load",
    r"Loader=yaml\.(?:Loader|FullLoader|UnsafeLoader)",
    r"\bshell=True",
]


def test_the_source_never_evaluates_or_unpickles() -> None:
    found = []
    for path in sorted((ROOT / "src").rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for pattern in FORBIDDEN:
                if re.search(pattern, line):
                    found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert found == []


def test_a_python_tag_in_answers_is_refused(runner: CliRunner, tmp_path: Path) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text("complexity: !!python/object/apply:os.system ['touch pwned']\n")
    result = runner.invoke(app, ["assess", "--answers", str(answers)], catch_exceptions=False)
    assert result.exit_code == 2
    assert "is not allowed" in result.stderr
    assert not Path("pwned").exists()


def test_a_template_reaching_for_python_internals_is_refused(
    runner: CliRunner, tmp_path: Path
) -> None:
    pack = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", pack)
    template = pack / "templates" / "memo.md.j2"
    template.write_text(
        "{{ ''.__class__.__mro__[1].__subclasses__() }}\n{{ reproducibility }}\n",
        encoding="utf-8",
    )
    result = runner.invoke(
        app,
        [
            "--rules",
            str(pack),
            "assess",
            "--answers",
            str(ALLIANCE),
            "--memo",
            str(tmp_path / "m.md"),
        ],
    )
    assert result.exit_code == 2
    assert str(template) in result.stderr
    assert "__class__" in result.stderr or "unsafe" in result.stderr
    assert not (tmp_path / "m.md").exists()
    assert "Traceback" not in result.output
