"""References between a pack's files: a score naming a route, a condition naming an
answer, a note naming a threshold. Checked once every file has read; every problem is
located where the reference is written."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from typing import Any

from svadvisor.errors import Problem
from svadvisor.rulepack import conditions as cond
from svadvisor.rulepack.schema import (
    DONT_KNOW,
    AnswerOption,
    Band,
    Question,
    RulePack,
)
from svadvisor.suggest import did_you_mean
from svadvisor.yamlfile import PathKey, YamlDocument


def check_references(
    pack: RulePack, docs: dict[str, YamlDocument], unread: set[str] | None = None
) -> Iterator[Problem]:
    """Every id a pack mentions must exist, and every id it defines must be unique."""

    def at(file: str, path: PathKey, message: str) -> Problem:
        doc = docs.get(file)
        if doc is None:
            return Problem(message, file, path=".".join(map(str, path)))
        return doc.problem(path, message)

    routes_only = {r.id for r in pack.routes}
    route_ids = routes_only | {g.id for g in pack.groups}
    questions = {q.id: q for q in pack.questions}

    yield from _duplicates("routes.yaml", ("routes",), [r.id for r in pack.routes], at)
    yield from _duplicates("questions.yaml", ("questions",), [q.id for q in pack.questions], at)
    yield from _duplicates("scoring.yaml", ("rules",), [r.id for r in pack.rules], at)
    yield from _duplicates("notes.yaml", ("notes",), [n.id for n in pack.notes], at)
    yield from _check_glossary(pack, at)

    for qi, q in enumerate(pack.questions):
        base: PathKey = ("questions", qi)
        yield from _check_question(q, base, at)
        yield from _duplicates("questions.yaml", (*base, "answers"), q.choice_ids, at)
        yield from _duplicates("questions.yaml", (*base, "bands"), [b.id for b in q.bands], at)
        scored_lists: list[tuple[str, Sequence[AnswerOption | Band]]] = [
            ("answers", q.answers),
            ("bands", q.bands),
        ]
        for key, scored in scored_lists:
            for i, item in enumerate(scored):
                for si, score in enumerate(item.scores):
                    if score.route not in route_ids:
                        yield at(
                            "questions.yaml",
                            (*base, key, i, "scores", si, "route"),
                            _unknown("route", score.route, route_ids),
                        )
        if q.ask_when is not None:
            earlier = {p.id: p for p in pack.questions[:qi]}
            for leaf_path, leaf in cond.leaves(q.ask_when):
                if leaf.question in questions and leaf.question not in earlier:
                    yield at(
                        "questions.yaml",
                        (*base, "ask_when", *leaf_path, "question"),
                        f"ask_when may only depend on questions asked earlier; "
                        f"{leaf.question!r} comes later",
                    )
            yield from _check_condition(
                q.ask_when, "questions.yaml", (*base, "ask_when"), questions, at
            )

    yield from _duplicates("routes.yaml", ("groups",), [g.id for g in pack.groups], at)
    for gi, group in enumerate(pack.groups):
        if group.id in routes_only:
            yield at("routes.yaml", ("groups", gi, "id"), f"{group.id!r} is already a route's id")
        for mi, member in enumerate(group.routes):
            if member not in routes_only:
                yield at(
                    "routes.yaml",
                    ("groups", gi, "routes", mi),
                    _unknown("route", member, routes_only),
                )
    for ri, r in enumerate(pack.routes):
        yield from _duplicates(
            "routes.yaml", ("routes", ri, "prerequisites"), [p.id for p in r.prerequisites], at
        )
        yield from _duplicates(
            "routes.yaml", ("routes", ri, "evidence"), [e.id for e in r.evidence], at
        )
        for ei, evidence in enumerate(r.evidence):
            yield from _check_condition(
                evidence.when, "routes.yaml", ("routes", ri, "evidence", ei, "when"), questions, at
            )
        for pi, p in enumerate(r.prerequisites):
            yield from _check_condition(
                p.requires,
                "routes.yaml",
                ("routes", ri, "prerequisites", pi, "requires"),
                questions,
                at,
            )

    for ri, rule in enumerate(pack.rules):
        yield from _check_condition(rule.when, "scoring.yaml", ("rules", ri, "when"), questions, at)
        for si, s in enumerate(rule.scores):
            if s.route not in route_ids:
                yield at(
                    "scoring.yaml",
                    ("rules", ri, "scores", si, "route"),
                    _unknown("route", s.route, route_ids),
                )

    yield from _duplicates(
        "scoring.yaml", ("contradictions",), [c.id for c in pack.contradictions], at
    )
    for ci, contradiction in enumerate(pack.contradictions):
        yield from _check_condition(
            contradiction.when, "scoring.yaml", ("contradictions", ci, "when"), questions, at
        )

    thresholds: dict[str, Any] = {t.id: t for t in pack.thresholds}
    if "thresholds.yaml" in (unread or set()):
        thresholds = _AnyName()  # did not read: do not call every name in it unknown
    places = _jurisdictions(pack)
    for ni, note in enumerate(pack.notes):
        if note.when is not None:
            yield from _check_condition(
                note.when, "notes.yaml", ("notes", ni, "when"), questions, at, thresholds
            )
        if note.review_by < note.checked:
            yield at("notes.yaml", ("notes", ni, "review_by"), "review_by is before checked")
        yield from _check_places(note.jurisdictions, places, "notes.yaml", ("notes", ni), at)

    yield from _duplicates("thresholds.yaml", ("thresholds",), list(thresholds), at)
    for ti, threshold in enumerate(pack.thresholds):
        base = ("thresholds", ti)
        starts = [v.from_ for v in threshold.values]
        for vi, start in enumerate(starts):
            if start is None and vi > 0:
                yield at(
                    "thresholds.yaml", (*base, "values", vi), "only the first value may omit 'from'"
                )
            earlier_starts = [d for d in starts[:vi] if d is not None]
            if start is not None and earlier_starts and start <= max(earlier_starts):
                yield at(
                    "thresholds.yaml",
                    (*base, "values", vi, "from"),
                    "values must be in date order, each starting after the one before",
                )
        yield from _check_places(threshold.jurisdictions, places, "thresholds.yaml", base, at)

    yield from _duplicates("regimes.yaml", ("regimes",), [r.id for r in pack.regimes], at)
    for gi, regime in enumerate(pack.regimes):
        base = ("regimes", gi)
        yield from _check_condition(
            regime.applies_when, "regimes.yaml", (*base, "applies_when"), questions, at, thresholds
        )
        for pi, question_id in enumerate(regime.path):
            if question_id not in questions:
                yield at(
                    "regimes.yaml",
                    (*base, "path", pi),
                    _unknown("question", question_id, questions),
                )
        yield from _duplicates(
            "regimes.yaml", (*base, "outcomes"), [o.id for o in regime.outcomes], at
        )
        for oi, outcome in enumerate(regime.outcomes):
            yield from _check_condition(
                outcome.when,
                "regimes.yaml",
                (*base, "outcomes", oi, "when"),
                questions,
                at,
                thresholds,
            )

    yield from _check_meta(pack, questions, at)
    yield from _check_reach(pack, questions, at, notes_read="notes.yaml" not in (unread or set()))
    yield from _check_covered(pack, questions, thresholds, at)
    yield from _check_ocds(pack, questions, at)


class _AnyName(dict[str, Any]):
    """Stands for a file that did not read: every name is taken to be in it."""

    def __contains__(self, key: object) -> bool:
        return True


def _jurisdictions(pack: RulePack) -> list[str] | None:
    if pack.meta.jurisdiction is None:
        return None
    question = pack.question(pack.meta.jurisdiction.question)
    return question.choice_ids if question else []


def _check_places(
    listed: list[str] | None,
    places: list[str] | None,
    file: str,
    base: PathKey,
    at: Any,
    key: str = "jurisdictions",
) -> Iterator[Problem]:
    if listed is None:
        return
    if places is None:
        yield at(file, (*base, key), "set pack.jurisdiction in pack.yaml first")
        return
    for i, place in enumerate(listed):
        if place not in places:
            yield at(file, (*base, key, i), _unknown("jurisdiction", place, places))


def _check_typed(
    file: str,
    path: PathKey,
    question_id: str | None,
    types: tuple[str, ...],
    questions: dict[str, Question],
    at: Any,
) -> Iterator[Problem]:
    """A question another file names (when it names one) must exist and be of a type."""
    if question_id is None:
        return
    q = questions.get(question_id)
    if q is None:
        yield at(file, path, _unknown("question", question_id, questions))
    elif q.type not in types:
        yield at(file, path, f"{question_id!r} must be a {' or '.join(types)} question")


def _check_meta(pack: RulePack, questions: dict[str, Question], at: Any) -> Iterator[Problem]:
    """pack.yaml names questions (start date, jurisdiction, CPV): they must exist and fit."""
    meta = pack.meta
    wanted = [
        ("start_date_question", meta.start_date_question, ("date",)),
        ("jurisdiction", meta.jurisdiction.question if meta.jurisdiction else None, ("choice",)),
        ("cpv", meta.cpv.question if meta.cpv else None, ("cpv",)),
    ]
    for key, question_id, types in wanted:
        path: PathKey = ("pack", key) if key == "start_date_question" else ("pack", key, "question")
        yield from _check_typed("pack.yaml", path, question_id, types, questions, at)
    places = _jurisdictions(pack)
    if meta.jurisdiction is not None and places:  # a missing question is reported above
        home = meta.jurisdiction.home
        yield from _check_places(home, places, "pack.yaml", ("pack", "jurisdiction"), at, "home")
    if meta.cpv is not None:
        for li, cpv_list in enumerate(meta.cpv.lists):
            derive = cpv_list.derive
            q = questions.get(derive.question)
            path = ("pack", "cpv", "lists", li, "derive")
            if q is None:
                yield at(
                    "pack.yaml",
                    (*path, "question"),
                    _unknown("question", derive.question, questions),
                )
            elif derive.answer not in q.choice_ids:
                yield at(
                    "pack.yaml",
                    (*path, "answer"),
                    _no_answer(q, derive.answer),
                )
    if meta.confidence is not None:
        setting = meta.confidence
        if setting.moderate_margin > setting.strong_margin:
            yield at(
                "pack.yaml",
                ("pack", "confidence", "moderate_margin"),
                "moderate_margin must not be above strong_margin",
            )
        missing = [
            lv for lv in ("strong", "moderate", "weak", "insufficient") if lv not in setting.meaning
        ]
        if missing:
            yield at(
                "pack.yaml",
                ("pack", "confidence", "meaning"),
                f"say what each level means; missing: {', '.join(missing)}",
            )
    for qi, q in enumerate(pack.questions):
        if q.type == "cpv" and meta.cpv is None:
            yield at(
                "questions.yaml",
                ("questions", qi, "type"),
                "a cpv question needs pack.cpv in pack.yaml",
            )


def _check_reach(
    pack: RulePack, questions: dict[str, Question], at: Any, *, notes_read: bool
) -> Iterator[Problem]:
    """pack.yaml's `reach:` names a yesno lots question, a reservation choice question and
    one of its answers, and notes the pack has."""
    reach = pack.meta.reach
    if reach is None:
        return
    base: PathKey = ("pack", "reach")
    yield from _check_typed(
        "pack.yaml", (*base, "lots_question"), reach.lots_question, ("yesno",), questions, at
    )
    yield from _check_typed(
        "pack.yaml",
        (*base, "reservation_question"),
        reach.reservation_question,
        ("choice",),
        questions,
        at,
    )
    reservation = questions.get(reach.reservation_question)
    if (
        reservation is not None
        and reservation.type == "choice"
        and reach.not_reserved not in reservation.choice_ids
    ):
        yield at("pack.yaml", (*base, "not_reserved"), _no_answer(reservation, reach.not_reserved))
    note_ids = {note.id for note in pack.notes}
    for ni, note_id in enumerate(reach.reservation_notes):
        if notes_read and note_id not in note_ids:
            yield at(
                "pack.yaml",
                (*base, "reservation_notes", ni),
                f"unknown note {note_id!r}",
            )


def _check_covered(
    pack: RulePack, questions: dict[str, Question], thresholds: dict[str, Any], at: Any
) -> Iterator[Problem]:
    """pack.yaml's covered-procurement thresholds name a number question and thresholds."""
    meta = pack.meta
    if meta.covered_procurement is not None:
        covered = meta.covered_procurement
        base: PathKey = ("pack", "covered_procurement")
        yield from _check_typed(
            "pack.yaml",
            (*base, "value_question"),
            covered.value_question,
            ("number",),
            questions,
            at,
        )
        for ti, item in enumerate(covered.thresholds):
            if item.threshold not in thresholds:
                yield at(
                    "pack.yaml",
                    (*base, "thresholds", ti, "threshold"),
                    _unknown("threshold", item.threshold, thresholds),
                )
            if item.when is not None:
                yield from _check_condition(
                    item.when, "pack.yaml", (*base, "thresholds", ti, "when"), questions, at
                )


def _check_ocds(pack: RulePack, questions: dict[str, Question], at: Any) -> Iterator[Problem]:
    """Every question and answer the notice mapping names must exist and fit."""
    mapping = pack.ocds
    if mapping is None:
        return
    base: PathKey = ("ocds",)
    typed = [
        ("notice_date", mapping.notice_date, ("date",)),
        ("value", mapping.value.question if mapping.value else None, ("number",)),
        ("cpv", mapping.cpv, ("cpv",)),
    ]
    for key, question_id, types in typed:
        path = (*base, key) if key != "value" else (*base, key, "question")
        yield from _check_typed("ocds.yaml", path, question_id, types, questions, at)
    if mapping.duration is not None:
        q = questions.get(mapping.duration)
        if q is None:
            yield at(
                "ocds.yaml", (*base, "duration"), _unknown("question", mapping.duration, questions)
            )
        elif not (q.type == "number" and q.unit == "years") and not any(
            a.years is not None for a in q.answers
        ):
            yield at(
                "ocds.yaml",
                (*base, "duration"),
                f"{q.id!r} is neither a number question in years nor has answers with 'years'",
            )
    answered: list[tuple[str | PathKey, str, list[tuple[PathKey, str]]]] = []
    for key in ("category", "suitability", "reserved"):
        codes = getattr(mapping, key)
        if codes is not None:
            answered.append(
                (key, codes.question, [((key, "answers", c), a) for c, a in codes.answers.items()])
            )
    if mapping.lots is not None:
        lots = mapping.lots
        answered.append(
            (
                "lots",
                lots.question,
                [(("lots", "two_or_more"), lots.two_or_more), (("lots", "one"), lots.one)],
            )
        )
    if mapping.framework is not None:
        answered.append(
            (
                "framework",
                mapping.framework.question,
                [(("framework", "answer"), mapping.framework.answer)],
            )
        )
    if mapping.nation is not None:
        nation = mapping.nation
        answered.append(
            (
                "nation",
                nation.question,
                [(("nation", "ocid_prefixes", p), a) for p, a in nation.ocid_prefixes.items()],
            )
        )
    for ki, keyword in enumerate(mapping.keywords):
        answered.append(
            (("keywords", ki), keyword.question, [(("keywords", ki, "answer"), keyword.answer)])
        )
    for answered_key, question_id, pairs in answered:
        q = questions.get(question_id)
        if q is None:
            where = answered_key if isinstance(answered_key, tuple) else (answered_key,)
            yield at(
                "ocds.yaml",
                (*base, *where, "question"),
                _unknown("question", question_id, questions),
            )
            continue
        for path, answer in pairs:
            if answer not in q.choice_ids:
                yield at("ocds.yaml", (*base, *path), _no_answer(q, answer))


def _duplicates(file: str, base: PathKey, ids: list[str], at: Any) -> Iterator[Problem]:
    counts = Counter(ids)
    seen: set[str] = set()
    for i, item in enumerate(ids):
        if counts[item] > 1 and item in seen:
            yield at(file, (*base, i, "id"), f"duplicate id {item!r}")
        seen.add(item)


def _check_glossary(pack: RulePack, at: Any) -> Iterator[Problem]:
    """Glossary ids are unique, and no two entries answer to the same word."""
    yield from _duplicates("glossary.yaml", ("glossary",), [e.id for e in pack.glossary], at)
    claimed: dict[str, str] = {}
    for gi, entry in enumerate(pack.glossary):
        for key, name in [("term", entry.term), *(("aliases", a) for a in entry.aliases)]:
            word = name.casefold()
            owner = claimed.setdefault(word, entry.id)
            if owner != entry.id:
                where: PathKey = ("glossary", gi, "term")
                if key == "aliases":
                    where = ("glossary", gi, "aliases", entry.aliases.index(name))
                yield at(
                    "glossary.yaml", where, f"{name!r} already names the glossary entry {owner!r}"
                )


def _no_answer(question: Question, answer: str) -> str:
    near = did_you_mean(answer, question.choice_ids)
    return (
        f"{question.id!r} has no answer {answer!r}{near}; "
        f"its answers: {', '.join(question.choice_ids)}"
    )


def _unknown(kind: str, name: str, known: Iterable[str]) -> str:
    known = sorted(known)
    return f"unknown {kind} {name!r}{did_you_mean(name, known)}; known: {', '.join(known)}"


def _check_question(q: Question, base: PathKey, at: Any) -> Iterator[Problem]:
    file = "questions.yaml"
    if q.type in ("choice", "multi") and len(q.answers) < 2:
        yield at(file, (*base, "answers"), f"a {q.type} question needs at least 2 answers")
    if q.type == "yesno":
        for ai, a in enumerate(q.answers):
            if a.id not in ("yes", "no"):
                yield at(
                    file,
                    (*base, "answers", ai, "id"),
                    "a yesno question's answers are 'yes' and 'no'",
                )
    if q.type in ("number", "date") and q.answers:
        yield at(file, (*base, "answers"), f"a {q.type} question has no fixed answers (use bands)")
    if q.type != "number":
        for key in ("bands", "unit", "min", "max"):
            if getattr(q, key):
                yield at(file, (*base, key), f"only number questions have {key}")
    for ai, a in enumerate(q.answers):
        if a.id == DONT_KNOW:
            yield at(
                file, (*base, "answers", ai, "id"), f"{DONT_KNOW!r} is built in; do not list it"
            )
    if q.min is not None and q.max is not None and q.min > q.max:
        yield at(file, (*base, "max"), "max is less than min")
    for index, overlap in _overlaps([(b.id, b.at_least, b.below) for b in q.bands]):
        yield at(file, (*base, "bands", index), f"band {overlap}")
    spans = [(ai, a.id, a.years) for ai, a in enumerate(q.answers) if a.years is not None]
    if spans and q.type != "choice":
        yield at(file, (*base, "answers", spans[0][0], "years"), "only choice answers have years")
    for ai, _, years in spans:
        if years.at_least is not None and years.below is not None and years.below <= years.at_least:
            yield at(file, (*base, "answers", ai, "years", "below"), "below must exceed at_least")
    for index, overlap in _overlaps([(i, y.at_least, y.below) for _, i, y in spans]):
        yield at(file, (*base, "answers", spans[index][0], "years"), f"answer {overlap}")


def _overlaps(
    ranges: list[tuple[str, float | None, float | None]],
) -> Iterator[tuple[int, str]]:
    """(index, "'b' overlaps 'a'") for each range that starts before the one below it ends."""
    ordered = sorted(
        enumerate(ranges), key=lambda ir: float("-inf") if ir[1][1] is None else ir[1][1]
    )
    for (_, (low_id, _, low_below)), (hi_index, (high_id, high_start, _)) in itertools.pairwise(
        ordered
    ):
        low_end = float("inf") if low_below is None else low_below
        start = float("-inf") if high_start is None else high_start
        if start < low_end:
            yield hi_index, f"{high_id!r} overlaps {low_id!r}"


def _check_condition(
    condition: cond.ConditionNode,
    file: str,
    base: PathKey,
    questions: dict[str, Question],
    at: Any,
    thresholds: dict[str, Any] | None = None,
) -> Iterator[Problem]:
    if thresholds is None:
        for date_path in cond.start_date_tests(condition):
            yield at(
                file, (*base, *date_path), "start date tests are allowed in notes and regimes only"
            )
    for leaf_path, leaf in cond.leaves(condition):
        path = (*base, *leaf_path)
        q = questions.get(leaf.question)
        if q is None:
            yield at(file, (*path, "question"), _unknown("question", leaf.question, questions))
            continue
        if leaf.threshold is not None:
            key = "at_least_threshold" if leaf.at_least_threshold else "below_threshold"
            if thresholds is None:
                yield at(
                    file, (*path, key), "threshold tests are allowed in notes and regimes only"
                )
            elif leaf.threshold not in thresholds:
                yield at(file, (*path, key), _unknown("threshold", leaf.threshold, thresholds))
            if q.type != "number":
                yield at(file, path, f"{q.id!r} is a {q.type} question: thresholds compare numbers")
            continue
        ids = leaf.answer_ids()
        if ids and q.type in ("number", "date"):
            yield at(file, path, f"{q.id!r} is a {q.type} question: use at_least / at_most")
        elif ids:
            for answer in ids:
                if answer not in q.choice_ids:
                    key = "equals" if leaf.equals is not None else "in"
                    yield at(file, (*path, key), _no_answer(q, answer))
        bounds = [b for b in (leaf.at_least, leaf.at_most) if b is not None]
        if bounds and q.type not in ("number", "date"):
            yield at(file, path, f"{q.id!r} is a {q.type} question: use equals / in")
        for b in bounds:
            if q.type == "date" and not isinstance(b, date):
                yield at(
                    file, path, f"{q.id!r} is a date question: compare with a date (YYYY-MM-DD)"
                )
            if q.type == "number" and isinstance(b, date):
                yield at(file, path, f"{q.id!r} is a number question: compare with a number")
