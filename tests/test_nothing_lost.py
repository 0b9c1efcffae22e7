"""Nothing lost: a killed or interrupted run never leaves half a file where an output goes,
outputs never follow a symlink, and nothing a user gives svadvisor can run code."""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tests.conftest import EXAMPLES
from typer.testing import CliRunner

from svadvisor.cli.app import app

ROOT = Path(__file__).resolve().parents[1]
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
