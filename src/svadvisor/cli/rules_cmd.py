"""`svadvisor rules ...`: check a council's rule pack before relying on it."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from svadvisor.cli.common import CasesOption, load_library, rules_dir, user_errors

app = typer.Typer(
    help="Check and inspect rule packs.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)

DirArgument = Annotated[
    Path | None,
    typer.Argument(
        metavar="[DIR]", help="Rule pack folder (default: --rules, else the built-in pack)."
    ),
]

EXIT_FOUND = 1
"""A test case failed, or lint found a warning (the pack itself is readable)."""


def _library_dir(ctx: typer.Context, cases: Path | None) -> Path | None:
    """The case-study folder used with the pack: --cases, else the built-in library."""
    from svadvisor.cli.common import cases_dir
    from svadvisor.folders import builtin_cases_dir

    chosen = cases_dir(ctx, cases)
    return chosen if chosen is not None else builtin_cases_dir()


def _folder(ctx: typer.Context, directory: Path | None) -> Path:
    from svadvisor.rulepack.load import builtin_pack_dir

    chosen = directory if directory is not None else rules_dir(ctx, None)
    return chosen if chosen is not None else builtin_pack_dir()


@app.command("validate")
@user_errors
def validate(
    ctx: typer.Context,
    directory: DirArgument = None,
    cases: CasesOption = None,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict",
            help="Also fail on a cited source outside the pack's source classes (sources.yaml).",
        ),
    ] = False,
) -> None:
    """Check a rule pack, its memo templates and the case studies used with it; print every
    problem at once.

    Exit status 2 if there is any problem.
    """
    from svadvisor.memo import check_templates
    from svadvisor.rulepack.load import builtin_pack_dir, load_pack

    folder = directory if directory is not None else rules_dir(ctx, None)
    pack = load_pack(folder)
    check_templates(pack)
    if strict:
        from svadvisor.errors import RulePackError
        from svadvisor.rulepack.sources import library_documents, pack_documents, unlisted

        documents = list(pack_documents(Path(folder or builtin_pack_dir())))
        library = _library_dir(ctx, cases)
        if library is not None:
            documents += library_documents(library)
        problems = unlisted(pack.source_classes, documents)
        if problems:
            raise RulePackError(problems, f"{len(problems)} source(s) outside the pack's classes")
    typer.echo(
        f"OK: {pack.meta.name} {pack.meta.version} - {len(pack.routes)} routes, "
        f"{len(pack.questions)} questions, {len(pack.rules)} rules, {len(pack.notes)} notes "
        f"(sha256 {pack.sha256})"
    )
    case_library = load_library(ctx, cases, pack)
    typer.echo(f"OK: {len(case_library.cases)} case studies in {case_library.source}")


@app.command("test")
@user_errors
def run_tests(ctx: typer.Context, directory: DirArgument = None) -> None:
    """Run the pack's own test cases (DIR/tests/*.yaml); exit status 1 if any fails."""
    from svadvisor.packcheck.selftest import TESTS_FOLDER, run_cases
    from svadvisor.rulepack.load import load_pack

    folder = _folder(ctx, directory)
    pack = load_pack(folder)
    results = run_cases(pack, folder, on=date.today())
    if not results:
        typer.echo(f"No test cases: add YAML files to {folder / TESTS_FOLDER}", err=True)
        return
    for outcome in results:
        case = outcome.loaded.case
        if outcome.passed:
            typer.echo(f"PASS  {case.name}")
            continue
        typer.echo(f"FAIL  {case.name}  ({outcome.loaded.where})")
        for m in outcome.mismatches:
            typer.echo(f"      - {m.what}: {m.expected}")
            typer.echo(f"      + {m.what}: {m.got}")
        ranking = ", ".join(
            f"{r.route} {r.score}" + ("" if r.eligible else " [prerequisite not met]")
            for r in outcome.result.ranking
        )
        typer.echo(f"        ranking: {ranking}")
    failed = sum(not o.passed for o in results)
    typer.echo(
        f"\n{len(results) - failed} passed, {failed} failed ({pack.meta.name} {pack.meta.version})"
    )
    if failed:
        raise typer.Exit(EXIT_FOUND)


@app.command("diff")
@user_errors
def diff(
    old: Annotated[Path, typer.Argument(metavar="OLD", help="The rule pack folder before.")],
    new: Annotated[Path, typer.Argument(metavar="NEW", help="The rule pack folder after.")],
    pipeline: Annotated[
        Path | None,
        typer.Option(
            "--pipeline",
            metavar="FILE",
            help="CSV or XLSX of services (columns named by question id) to re-score with both "
            "packs; "
            "default: the packs' own test cases.",
        ),
    ] = None,
) -> None:
    """What changed between two rule packs, and which services it moves to another route."""
    from svadvisor.packcheck.diff import Row, compare_rows, diff_packs, read_rows
    from svadvisor.packcheck.selftest import load_pack_tests
    from svadvisor.rulepack.load import load_pack

    before, after = load_pack(old), load_pack(new)
    typer.echo(
        f"From {before.meta.name} {before.meta.version} ({old}) "
        f"to {after.meta.name} {after.meta.version} ({new}):"
    )
    changes = diff_packs(before, after)
    for line in changes or ["no differences in questions, points, rules, notes or routes"]:
        typer.echo(f"  {line}")

    if pipeline is not None:
        questions = {q.id for q in (*before.questions, *after.questions)}
        rows, what = read_rows(pipeline, questions), f"rows of {pipeline}"
    else:
        cases = {c.case.name: c.case for c in load_pack_tests(before, old)}
        cases.update({c.case.name: c.case for c in load_pack_tests(after, new)})
        rows, what = [Row(name, case.answers) for name, case in cases.items()], "test cases"
    compared = compare_rows(before, after, rows, on=date.today())
    typer.echo()
    typer.echo(
        f"Recommended route changes in {len(compared.changed)} of {compared.compared} {what}"
        + (":" if compared.changed else ".")
    )
    for change in compared.changed:
        was, now = change.old.ranking[0], change.new.ranking[0]
        typer.echo(f"  {change.row.label}: {was.label} -> {now.label}")
        for reason in change.reasons:
            typer.echo(f"      {reason}")
    for skipped in compared.skipped:
        typer.echo(f"  not scored: {skipped}", err=True)


@app.command("lint")
@user_errors
def lint(ctx: typer.Context, directory: DirArgument = None) -> None:
    """Find what can never take effect in a pack, misspelt ids, and sources outside the
    pack's source classes (in the pack and the case studies used with it); exit 1 on a
    warning."""
    from svadvisor.packcheck.lint import lint_pack

    folder = _folder(ctx, directory)
    findings = lint_pack(folder, _library_dir(ctx, None))
    for finding in findings:
        typer.echo(str(finding))
    warnings = sum(f.level == "warning" for f in findings)
    infos = len(findings) - warnings
    typer.echo(f"{warnings} warning(s), {infos} info in {folder}")
    if warnings:
        raise typer.Exit(EXIT_FOUND)


@app.command("evaluate")
@user_errors
def evaluate(
    ctx: typer.Context,
    directory: Annotated[
        Path | None,
        typer.Argument(
            metavar="[DIR]",
            help="Folder of labelled cases (cases/*.yaml and targets.yaml); default: the "
            "rule pack's evaluation/ folder.",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
    split: Annotated[
        str,
        typer.Option(
            "--split",
            metavar="dev|test|all",
            help="Show only one split's figures and misses (tune weights with --split dev; "
            "the targets are still checked on every split).",
        ),
    ] = "all",
) -> None:
    """Measure the pack against real decisions: accuracy per split, precision and recall
    per route, a confusion matrix and every miss; exit status 1 below the folder's targets."""
    import json

    from svadvisor.packcheck.evaluate import EVALUATION_FOLDER, evaluate
    from svadvisor.rulepack.load import load_pack

    pack_folder = _folder(ctx, None)
    pack = load_pack(pack_folder)
    folder = directory if directory is not None else pack_folder / EVALUATION_FOLDER
    if split not in ("dev", "test", "all"):
        raise typer.BadParameter("choose dev, test or all", param_hint="--split")
    report = evaluate(pack, folder, on=date.today(), only=None if split == "all" else split)
    if as_json:
        typer.echo(json.dumps(report.as_json(), indent=2))
    else:
        for line in _evaluation_lines(report, {r.id: r.label for r in pack.routes}):
            typer.echo(line)
    if report.failures:
        raise typer.Exit(EXIT_FOUND)


def _evaluation_lines(report: object, labels: dict[str, str]) -> list[str]:
    """The evaluation report as the terminal shows it."""
    from svadvisor.packcheck.evaluate import TIE, Report

    assert isinstance(report, Report)
    lines = [f"Evaluated {report.pack}", f"on the cases in {report.folder}", ""]
    lines.append("Top-route accuracy (a tie is a miss; a medium case's runner-up is a hit):")
    for name, figures in report.splits.items():
        lines.append(
            f"  {name:<5} {figures.hits:>3}/{figures.cases:<3} {figures.accuracy:6.1%}"
            f"   (exact route {figures.strict_hits}/{figures.cases})"
        )
    lines += ["", "Per route (all cases):", f"  {'route':<14} precision  recall"]
    for route in report.routes:
        p, r = report.precision[route], report.recall[route]
        lines.append(
            f"  {route:<14} {'-' if p is None else f'{p:.1%}':>9}  "
            f"{'-' if r is None else f'{r:.1%}':>6}"
        )
    columns = [*report.routes, TIE]
    width = max(len(c) for c in columns) + 1
    lines += ["", "Confusion matrix (rows: documented route; columns: top route):"]
    lines.append(" " * 16 + "".join(f"{c:>{width}}" for c in columns))
    for route in report.routes:
        row = report.confusion[route]
        lines.append(f"  {route:<14}" + "".join(f"{row[c]:>{width}}" for c in columns))
    misses = report.misses
    lines += ["", f"Misses ({len(misses)}):" if misses else "Misses: none"]
    for o in misses:
        lines.append(
            f"  [{o.case.split}] {o.case.id}: documented {o.case.route}, top {o.top} "
            f"(margin {o.margin}, confidence {o.confidence})"
        )
        for d in o.deciders:
            lines.append(
                f"      {d.points:+d} {labels.get(d.route, d.route)}: {d.question}: {d.reason}"
            )
    if report.notices_above_weak:
        lines += ["", "Plain market purchases sent elsewhere with a confidence above weak:"]
        lines += [f"  {o.case.id}: {o.top} ({o.confidence})" for o in report.notices_above_weak]
    if report.targets is not None:
        lines.append("")
        if report.failures:
            lines.append("Below target:")
            lines += [f"  {failure}" for failure in report.failures]
        else:
            lines.append("All targets met.")
    return lines
