"""What a pipeline report says, section by section, built from its figures.

The HTML page and the Markdown file are two renderings of this one model: every
sentence, chart and table is decided here, so both say the same thing. Each chart
carries the data table that sits under it and a text alternative written from the same
numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from svadvisor.answers.values import money
from svadvisor.report.figures import (
    NO_RECOMMENDATION,
    ListedRow,
    PipelineFigures,
)
from svadvisor.rulepack.schema import RulePack

Cell = str | int | float


@dataclass(frozen=True)
class Table:
    """A data table: a caption, column headers, and rows of text or numbers."""

    caption: str
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    numeric: tuple[bool, ...] = ()
    """Per column: right-aligned figures."""


@dataclass(frozen=True)
class Series:
    """One set of bars: its name (a legend entry) and a value per category."""

    name: str
    values: tuple[float, ...]


@dataclass(frozen=True)
class Chart:
    """A bar chart: horizontal bars (one series) or vertical stacked bars (several)."""

    id: str
    title: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    value_label: str
    """The value axis label, with its unit."""
    category_label: str
    alt: str
    """The chart in words, for a screen reader and for anyone who cannot see it."""
    table: Table
    stacked: bool = False
    money: bool = False


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    paragraphs: tuple[str, ...] = ()
    charts: tuple[Chart, ...] = ()
    tables: tuple[Table, ...] = ()
    lists: tuple[tuple[str, tuple[ListedRow, ...]], ...] = ()
    """Named lists of rows (candidates, close calls): a heading and the rows."""


@dataclass(frozen=True)
class Report:
    title: str
    made_on: date
    header: tuple[tuple[str, str], ...]
    """(what, value) pairs: the pack, its version and sha256, the input and its hash."""
    summary: tuple[str, ...]
    sections: tuple[Section, ...] = field(default_factory=tuple)


def build_report(figures: PipelineFigures, pack: RulePack, *, made_on: date) -> Report:
    """The whole report for one scored sheet."""
    header = (
        ("Scored sheet", figures.source),
        ("Sheet sha256", figures.source_sha256),
        ("Rule pack", figures.rule_pack or pack.meta.name),
        ("Rule pack version", figures.rule_pack_version or pack.meta.version),
        ("Rule pack sha256", figures.rule_pack_sha256 or "not written in the sheet"),
        ("Report made", made_on.isoformat()),
    )
    sections: list[Section] = [_routes(figures)]
    if figures.rows_scored:
        sections += [
            _confidence(figures),
            _when(figures),
            _law(figures, pack),
            _candidates(figures),
            _reach(figures),
        ]
    return Report(
        title=f"Pipeline report: {figures.source}",
        made_on=made_on,
        header=header,
        summary=_summary(figures),
        sections=tuple(sections),
    )


def _summary(figures: PipelineFigures) -> tuple[str, ...]:
    lines = [
        f"{_rows(figures.rows_read)} read: {_rows(figures.rows_scored)} scored, "
        f"{_rows(figures.rows_flagged)} not scored (their problem is in the sheet's problem "
        f"column), {_rows(figures.rows_not_services)} not services (sub-headings, totals, "
        "blank rows)."
    ]
    if not figures.rows_scored:
        lines.append(
            "No row of this sheet was scored, so there are no routes, confidence levels or "
            "candidates to show. Fix the problems the sheet's problem column names and run "
            "`svadvisor batch` again."
        )
        return tuple(lines)
    shares = [
        f"{label} {_percent(share)}"
        for label in figures.collaborative_routes
        if (share := figures.share_of_value(label))
    ]
    known = figures.value_known
    if known and shares:
        suited = sum(figures.share_of_value(label) or 0.0 for label in figures.collaborative_routes)
        lines.append(
            f"{_percent(suited)} of the estimated value that could be read ({money(known)}) is "
            f"suited to a collaborative route: {', '.join(shares)}."
        )
    elif known:
        lines.append(
            f"None of the estimated value that could be read ({money(known)}) is suited to a "
            "collaborative route with confidence."
        )
    unsure = next((r for r in figures.routes if r.label == NO_RECOMMENDATION), None)
    if unsure and unsure.rows:
        lines.append(
            f"{_rows(unsure.rows)} ({money(unsure.value)}) have no recommendation yet: "
            "answer the questions under Confidence first."
        )
    if figures.value_unknown_rows:
        lines.append(
            f"{_rows(figures.value_unknown_rows)} have no estimated value that could be read "
            "(blank, TBC, or a yearly figure without a term): they count in rows, not in £."
        )
    return tuple(lines)


def _routes(figures: PipelineFigures) -> Section:
    if not figures.rows_scored:  # the summary says so; no chart of zeros
        return Section("routes", "Routes across the pipeline")
    routes = [r for r in figures.routes if r.rows or r.label != NO_RECOMMENDATION]
    labels = tuple(r.label for r in routes)
    total_rows = sum(r.rows for r in routes)
    known = figures.value_known
    table = Table(
        caption="Rows and estimated value per recommended route",
        headers=("Route", "Rows", "Share of rows", "Estimated value", "Share of value", "No value"),
        rows=tuple(
            (
                r.label,
                r.rows,
                _percent(r.rows / total_rows) if total_rows else "-",
                money(r.value),
                _percent(r.value / known) if known else "-",
                r.rows_without_value,
            )
            for r in routes
        ),
        numeric=(False, True, True, True, True, True),
    )
    rows_chart = Chart(
        id="routes-rows",
        title="Rows per recommended route",
        categories=labels,
        series=(Series("Rows", tuple(float(r.rows) for r in routes)),),
        value_label="Rows (number of services)",
        category_label="Recommended route",
        alt="Rows per recommended route: "
        + "; ".join(f"{r.label} {_rows(r.rows)}" for r in routes)
        + ".",
        table=table,
    )
    scale, unit = _money_scale(max((r.value for r in routes), default=0.0))
    value_chart = Chart(
        id="routes-value",
        title="Estimated value per recommended route",
        categories=labels,
        series=(Series("Estimated value", tuple(r.value / scale for r in routes)),),
        value_label=f"Estimated value ({unit})",
        category_label="Recommended route",
        alt="Estimated value per recommended route: "
        + "; ".join(f"{r.label} {money(r.value)}" for r in routes)
        + ".",
        table=Table(
            caption="Share of the estimated value suited to each collaborative route",
            headers=("Collaborative route", "Rows", "Estimated value", "Share of value"),
            rows=tuple(
                (
                    label,
                    next(r.rows for r in routes if r.label == label),
                    money(next(r.value for r in routes if r.label == label)),
                    _percent(figures.share_of_value(label) or 0.0) if known else "-",
                )
                for label in figures.collaborative_routes
            ),
            numeric=(False, True, True, True),
        ),
        money=True,
    )
    paragraphs = [
        f'"{NO_RECOMMENDATION}" holds the rows whose confidence is insufficient: the top '
        "routes tie, or the answers hold none of the leading route's defining evidence.",
        "A value written as a range counts at its top, as batch scores it"
        + (f" ({_rows(figures.ranges)} here)." if figures.ranges else "."),
    ]
    return Section(
        "routes",
        "Routes across the pipeline",
        tuple(paragraphs),
        charts=(rows_chart, value_chart),
    )


def _confidence(figures: PipelineFigures) -> Section:
    levels = tuple(figures.confidence)
    counts = tuple(figures.confidence[level] for level in levels)
    table = Table(
        caption="Rows by confidence",
        headers=("Confidence", "Rows", "Share of scored rows"),
        rows=tuple(
            (level.capitalize(), count, _percent(count / figures.rows_scored))
            for level, count in zip(levels, counts, strict=True)
        ),
        numeric=(False, True, True),
    )
    chart = Chart(
        id="confidence",
        title="Rows by confidence in the recommendation",
        categories=tuple(level.capitalize() for level in levels),
        series=(Series("Rows", tuple(float(c) for c in counts)),),
        value_label="Rows (number of services)",
        category_label="Confidence",
        alt="Rows by confidence: "
        + "; ".join(f"{level} {_rows(count)}" for level, count in zip(levels, counts, strict=True))
        + ".",
        table=table,
    )
    settle = Table(
        caption="Questions that would settle the most rows if answered",
        headers=("Question", "Rows it would help settle"),
        rows=tuple((question, count) for question, count in figures.settle_first[:10]),
        numeric=(False, True),
    )
    paragraphs = [
        "Each row whose advice an unanswered question could change names up to three "
        "questions to answer first. Answering the questions at the top of this table "
        "settles the most rows."
        if figures.settle_first
        else "No row names a question that would change its advice."
    ]
    return Section(
        "confidence",
        "Confidence",
        tuple(paragraphs),
        charts=(chart,),
        tables=(settle,) if figures.settle_first else (),
    )


def _when(figures: PipelineFigures) -> Section:
    quarters = tuple(figures.quarters)
    routes = tuple(
        r.label for r in figures.routes if any(figures.quarters[q][r.label] for q in quarters)
    )
    paragraphs = [
        "Rows by the quarter of the UK financial year (April to March) in which the "
        "procurement or contract is planned to start, so that workload peaks show."
    ]
    if figures.rows_without_start:
        paragraphs.append(
            f"{_rows(figures.rows_without_start)} have no start date that could be read and "
            "are not shown here."
        )
    if not quarters:
        paragraphs.append("No row has a start date that could be read.")
        return Section("when", "When", tuple(paragraphs))
    table = Table(
        caption="Rows by planned start quarter and recommended route",
        headers=("Quarter", *routes, "All routes"),
        rows=tuple(
            (
                quarter,
                *(figures.quarters[quarter][route] for route in routes),
                sum(figures.quarters[quarter].values()),
            )
            for quarter in quarters
        ),
        numeric=(False, *([True] * (len(routes) + 1))),
    )
    busiest = max(quarters, key=lambda q: (sum(figures.quarters[q].values()), q))
    chart = Chart(
        id="when",
        title="Rows by planned start quarter and recommended route",
        categories=quarters,
        series=tuple(
            Series(route, tuple(float(figures.quarters[q][route]) for q in quarters))
            for route in routes
        ),
        value_label="Rows (number of services)",
        category_label="Planned start (financial year and quarter)",
        alt=f"Rows starting in each quarter, from {quarters[0]} to {quarters[-1]}; the "
        f"busiest is {busiest} with {_rows(sum(figures.quarters[busiest].values()))}. "
        "The table below gives each quarter by route.",
        table=table,
        stacked=True,
    )
    return Section("when", "When", tuple(paragraphs), charts=(chart,))


def _law(figures: PipelineFigures, pack: RulePack) -> Section:
    regimes = figures.regime_rows()
    bands = figures.band_rows()
    regime_table = Table(
        caption="Rows and estimated value by regime",
        headers=("Regime", "Rows", "Estimated value"),
        rows=tuple((regime, rows, money(value)) for regime, rows, value in regimes),
        numeric=(False, True, True),
    )
    band_table = Table(
        caption="Rows and estimated value by threshold band",
        headers=("Threshold band", "Rows", "Estimated value"),
        rows=tuple((band, rows, money(value)) for band, rows, value in bands),
        numeric=(False, True, True),
    )
    chart = Chart(
        id="law",
        title="Rows by regime",
        categories=tuple(regime for regime, _, _ in regimes),
        series=(Series("Rows", tuple(float(rows) for _, rows, _ in regimes)),),
        value_label="Rows (number of services)",
        category_label="Regime",
        alt="Rows by regime: "
        + "; ".join(f"{regime} {_rows(rows)}" for regime, rows, _ in regimes)
        + ".",
        table=regime_table,
    )
    titles = {note.id: note.title for note in pack.notes}
    notes = Table(
        caption="The notes that bind the most estimated value",
        headers=("Note", "Rows it applies to", "Estimated value of those rows"),
        rows=tuple(
            (titles.get(note_id, note_id), rows, money(value))
            for note_id, value, rows in figures.notes_by_value[:10]
        ),
        numeric=(False, True, True),
    )
    paragraphs = (
        "The regime is the law each row falls under, as batch wrote it in the regime "
        "column; the threshold band compares the estimated value with the threshold in "
        "force on the planned start date. A row whose value or kind of contract is not known "
        "cannot be placed against a threshold.",
        "A note applies to a row when its conditions hold for the row's answers: read the "
        "note's full text and sources with `svadvisor notes`.",
    )
    return Section(
        "law",
        "Law",
        paragraphs,
        charts=(chart,),
        tables=(band_table, notes) if figures.notes_by_value else (band_table,),
    )


def _candidates(figures: PipelineFigures) -> Section:
    lists: list[tuple[str, tuple[ListedRow, ...]]] = []
    for label in figures.collaborative_routes:
        rows = tuple(figures.candidates.get(label, ()))
        count = figures.candidate_counts.get(label, 0)
        shown = f" (the {len(rows)} best suited shown)" if count > len(rows) else ""
        lists.append((f"{label}: {_rows(count)}{shown}", rows))
    paragraphs = [
        "The rows most suited to each collaborative route: the strongest confidence first, "
        "then the widest margin over the runner-up, then the largest value; each with the "
        "reasons that carried it."
    ]
    if figures.close_call_margin is not None:
        paragraphs.append(
            f"Close calls: {_rows(figures.close_call_rows)} ({money(figures.close_call_value)}) "
            f"whose top two routes are fewer than {figures.close_call_margin} points apart "
            "(a tie among them). Test the top two before choosing; the largest are listed."
        )
        lists.append((f"Close calls: {_rows(figures.close_call_rows)}", tuple(figures.close_calls)))
    return Section("candidates", "Candidates", tuple(paragraphs), lists=tuple(lists))


def _reach(figures: PipelineFigures) -> Section:
    reach = figures.reach
    title = "Social value reach"
    if not reach.asked:
        return Section(
            "reach",
            title,
            (
                "The sheet has no lots or reservation column (or the rule pack sets no "
                "`reach:`), so svadvisor cannot tell which contracts leave SMEs, VCSEs or "
                "co-operatives out. Add the lots and reserved_for questions to the pipeline "
                "to see it.",
            ),
        )
    categories = ("No lots", "Not reserved, though a reservation is possible", "Either")
    values = (reach.no_lots_value, reach.not_reserved_value, reach.either_value)
    scale, unit = _money_scale(max(values))
    table = Table(
        caption="Rows whose answers leave SMEs, VCSEs or co-operatives out",
        headers=("What the answers say", "Rows", "Estimated value"),
        rows=(
            (categories[0], reach.no_lots_rows, money(reach.no_lots_value)),
            (categories[1], reach.not_reserved_rows, money(reach.not_reserved_value)),
            (categories[2], reach.either_rows, money(reach.either_value)),
        ),
        numeric=(False, True, True),
    )
    chart = Chart(
        id="reach",
        title="Estimated value of contracts that leave small and social suppliers out",
        categories=categories,
        series=(Series("Estimated value", tuple(v / scale for v in values)),),
        value_label=f"Estimated value ({unit})",
        category_label="What the answers say",
        alt=f"{_rows(reach.no_lots_rows)} ({money(reach.no_lots_value)}) will not be divided "
        f"into lots; {_rows(reach.not_reserved_rows)} ({money(reach.not_reserved_value)}) are "
        f"open to all although a reservation is possible; {_rows(reach.either_rows)} "
        f"({money(reach.either_value)}) one or both.",
        table=table,
        money=True,
    )
    paragraphs = [
        "A contract leaves SMEs, VCSEs and co-operatives out when it will not be divided "
        "into lots, or when it is open to all suppliers although the rule pack's notes say "
        "a reservation to SMEs and VCSEs (below threshold) or to a public service mutual is "
        "possible."
    ]
    if reach.lots_not_known:
        paragraphs.append(
            f"{_rows(reach.lots_not_known)} do not say whether they will use lots: they may "
            "leave small suppliers out too."
        )
    lists = (("The largest contracts that leave them out", tuple(reach.rows)),)
    return Section(
        "reach", title, tuple(paragraphs), charts=(chart,), lists=lists if reach.rows else ()
    )


def _money_scale(largest: float) -> tuple[float, str]:
    """Chart values in £ million when any reaches a million, else in £ thousand."""
    return (1_000_000.0, "£ million") if largest >= 1_000_000 else (1_000.0, "£ thousand")


def _percent(share: float) -> str:
    return f"{share * 100:.1f}%"


def _rows(count: int) -> str:
    return f"{count:,} row" + ("" if count == 1 else "s")
