"""`svadvisor memo ...`: recommendation memos, and replaying one against today's rule pack.

Also the memo writer that `assess --memo` uses.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from svadvisor.cli.common import MemoFormatChoice, RulesOption, load, user_errors

if TYPE_CHECKING:
    from svadvisor.answers.record import DecisionRecord
    from svadvisor.memo import Replay
    from svadvisor.rulepack.schema import RulePack
    from svadvisor.scoring.assessment import Assessment


EXIT_CHANGED = 1
"""`memo replay` exit status when the result differs from the memo's (like `diff`)."""

app = typer.Typer(
    help="Recommendation memos: the decision record.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)


def write_assessment_memo(
    pack: RulePack,
    result: Assessment,
    path: Path,
    *,
    on: date,
    title: str,
    fmt: MemoFormatChoice | None,
    force: bool,
    record: DecisionRecord | None = None,
) -> None:
    """Render and write one memo; say where on stderr, so stdout stays the assessment."""
    from svadvisor import memo

    fmt_name = memo.memo_format(path, fmt)
    text = memo.render_memo(pack, result, on=on, title=title, record=record)
    memo.write_memo(path, text, fmt=fmt_name, force=force)
    typer.echo(f"Wrote memo {path}", err=True)


@app.command("replay")
@user_errors
def replay(
    ctx: typer.Context,
    memo_file: Annotated[
        Path,
        typer.Argument(
            metavar="MEMO", help="A memo written by svadvisor: Markdown (.md) or Word (.docx)."
        ),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the comparison as JSON.")] = False,
    rules: RulesOption = None,
) -> None:
    """Re-run a memo's assessment with the current rule pack: is the recommendation the same?

    Exit status 0 when the result is the same, 1 when it changed, 2 on an error.
    """
    from svadvisor import memo

    record = memo.read_memo_record(memo_file)
    outcome = memo.replay(record, load(ctx, rules))
    if as_json:
        typer.echo(json.dumps(outcome.to_json(), indent=2))
    else:
        _print_replay(outcome)
    if not outcome.same:
        raise typer.Exit(EXIT_CHANGED)


def _print_replay(outcome: Replay) -> None:
    from svadvisor.memo import points

    record, current = outcome.record, outcome.current
    was, now = record.result, current.winner
    info = current.rule_pack
    typer.echo(
        f"Replayed {record.file} (assessed on {record.assessed_on}) with rule pack "
        f"{info.name} {info.version} (sha256 {info.sha256[:12]})."
    )
    if outcome.same:
        typer.echo(
            f"Same: {now.label} is still recommended ({points(now.score)}), runner-up "
            f"{current.runner_up.label} ({points(current.runner_up.score)}), margin "
            f"{current.margin}."
        )
    elif outcome.recommendation_same:
        typer.echo(f"Same recommendation ({now.label}), but the result changed:")
    else:
        labels = {r.route: r.label for r in current.ranking}
        typer.echo(
            f"Changed: the recommendation is now {now.label} ({points(now.score)}), "
            f"not {labels.get(was.recommended, was.recommended)}."
        )
    for change in outcome.result_changes:
        typer.echo(f"  - {change}")
    if outcome.pack_changes:
        typer.echo("The rule pack differs from the one the memo used:")
        for change in outcome.pack_changes:
            typer.echo(f"  - {change}")
    else:
        typer.echo("The rule pack is the one the memo used (sha256 matches).")
