"""`svadvisor batch ... --memos DIR`: one memo per scored row, safely named."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from svadvisor.cli.app import app

PIPELINE = (
    "Reference,Title,complexity,timescale,providers,relationships\n"
    "AT-1,Day services,complex,long,several,strong\n"
    "AT-2,Day services,simple,short,one,none\n"
    ",Day services,complex,long,few,some\n"
    "AT-4,Bad row,very,long,several,strong\n"
)


def run(runner: CliRunner, tmp_path: Path, *extra: str) -> tuple[int, str, Path]:
    source = tmp_path / "plan.csv"
    source.write_text(PIPELINE, encoding="utf-8")
    memos = tmp_path / "memos"
    result = runner.invoke(app, ["batch", str(source), "--memos", str(memos), *extra])
    return result.exit_code, result.output, memos


def test_one_memo_per_scored_row_named_from_its_reference(
    runner: CliRunner, tmp_path: Path
) -> None:
    code, output, memos = run(runner, tmp_path)
    assert code == 1, output  # the bad row is rejected, the others still get memos
    names = sorted(p.name for p in memos.iterdir())
    assert names == ["AT-1.md", "AT-2.md", "Day-services.md"]
    first = (memos / "AT-1.md").read_text(encoding="utf-8")
    assert first.startswith("# AT-1")
    # several providers over a long, complex need, but nothing says they share governance
    assert "**No recommendation yet.** Alliance contracting leads with" in first
    assert "**Confidence: insufficient.**" in first
    assert "| Title | Day services |" in first
    assert "svadvisor-replay 1" in first
    assert "Memos: 3 in" in output


def test_duplicate_names_get_distinct_files(runner: CliRunner, tmp_path: Path) -> None:
    source = tmp_path / "plan.csv"
    source.write_text(
        "Title,complexity\nDay services,complex\nDay services,simple\nday services,complex\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["batch", str(source), "--memos", str(tmp_path / "m")])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "m").iterdir()) == [
        "Day-services-2.md",
        "Day-services.md",
        "day-services-3.md",
    ]


def test_a_folder_holding_memos_is_refused_before_any_work(
    runner: CliRunner, tmp_path: Path
) -> None:
    memos = tmp_path / "memos"
    memos.mkdir()
    (memos / "old.md").write_text("kept", encoding="utf-8")
    code, output, _ = run(runner, tmp_path)
    assert code == 2
    assert "already holds 1 memo(s) (e.g. old.md); pass --force" in output
    assert not (tmp_path / "plan.scored.csv").exists()
    assert (memos / "old.md").read_text(encoding="utf-8") == "kept"
    code, output, _ = run(runner, tmp_path, "--force")
    assert code == 1, output
    assert (memos / "AT-1.md").exists()


def test_the_memos_folder_must_be_a_folder_in_an_existing_one(
    runner: CliRunner, tmp_path: Path
) -> None:
    (tmp_path / "memos").write_text("a file", encoding="utf-8")
    code, output, _ = run(runner, tmp_path)
    assert code == 2 and "is a file; --memos needs a folder" in output
    source = tmp_path / "plan.csv"
    missing = tmp_path / "no" / "memos"
    result = runner.invoke(app, ["batch", str(source), "--memos", str(missing)])
    assert result.exit_code == 2 and "does not exist" in result.output
    assert not (tmp_path / "plan.scored.csv").exists()
