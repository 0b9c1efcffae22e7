"""The decision-record fields councils' report templates carry: who prepared the memo and
when, who decides and by which route, the budget, consultation, the equality impact
assessment, legal and finance sign-off, risks and the timetable.

They come from an optional `record:` block at the top level of an answers file (beside the
answers) or from a YAML file of their own (`svadvisor assess --record FILE`). Every field
is optional: one left empty shows in the memo as "to complete", never invented. A field
svadvisor does not know (a misspelling) is an error located at its line.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from svadvisor.answers.values import money
from svadvisor.errors import AnswersError, Problem
from svadvisor.suggest import did_you_mean
from svadvisor.yamlfile import PathKey, YamlDocument, format_path, load_user_file

RECORD_KEY = "record"
"""The top-level key of an answers file that holds the decision record, not an answer."""

TO_COMPLETE = "to complete"
"""What the memo shows for a field the record leaves empty."""

APPROVAL_ROUTES = ("delegated", "key decision")

Text = str | list[str] | None


class DecisionRecord(BaseModel):
    """The decision-record fields; all optional, none invented."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    prepared_by: str | None = None
    """The officer who prepared the memo (name and role)."""
    prepared_on: date | None = None
    """The date it was prepared."""
    decision_maker: str | None = None
    """Who takes the decision (name and role, or the body: Cabinet, a committee)."""
    approval_route: str | None = None
    """`delegated` (an officer or member under delegated powers) or `key decision`."""
    budget: str | int | float | None = None
    """The budget, as words or a sum (a number is shown as £1,250,000)."""
    funding_source: str | None = None
    consultation: Text = None
    """Consultation with partners and communities: who, and when."""
    equality_impact_assessment: str | None = None
    """Done (when, where it is), or when it will be."""
    legal_sign_off: str | None = None
    finance_sign_off: str | None = None
    risks: Text = None
    timetable: Text = None

    @field_validator("approval_route", mode="before")
    @classmethod
    def _approval_route(cls, value: Any) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if not isinstance(value, str):
            raise ValueError(f"expected delegated or key decision, got {value!r}")
        words = " ".join(value.replace("_", " ").replace("-", " ").lower().split())
        if words not in APPROVAL_ROUTES:
            raise ValueError(f"{value!r} is not an approval route; write delegated or key decision")
        return words

    @field_validator("*", mode="before")
    @classmethod
    def _blank_is_empty(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return None
        if isinstance(value, bool):
            raise ValueError(f"expected text, got {str(value).lower()}")
        return value


FIELD_LABELS: dict[str, str] = {
    "prepared_by": "Prepared by",
    "prepared_on": "Date prepared",
    "decision_maker": "Decision maker",
    "approval_route": "Approval route (delegated or key decision)",
    "budget": "Budget",
    "funding_source": "Funding source",
    "consultation": "Consultation with partners and communities",
    "equality_impact_assessment": "Equality impact assessment (done, or when)",
    "legal_sign_off": "Legal sign-off",
    "finance_sign_off": "Finance sign-off",
    "risks": "Risks",
    "timetable": "Timetable",
}
assert set(FIELD_LABELS) == set(DecisionRecord.model_fields)


def shown(value: Any) -> str:
    """A field's value as the memo writes it; "" when empty."""
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(str(item).strip() for item in value if str(item).strip())
    if isinstance(value, date):
        return f"{value.day} {value:%B %Y}"
    if isinstance(value, int | float):
        return money(value)
    return " ".join(str(value).split())


def record_rows(record: DecisionRecord | None) -> list[dict[str, str]]:
    """Each field in order: `field`, `label`, `value` ("" when empty)."""
    record = record or DecisionRecord()
    return [
        {"field": name, "label": label, "value": shown(getattr(record, name))}
        for name, label in FIELD_LABELS.items()
    ]


def merged(*records: DecisionRecord | None) -> DecisionRecord | None:
    """Later records' fields over earlier ones' (a --record file over the answers file's)."""
    given = [r for r in records if r is not None]
    if not given:
        return None
    data: dict[str, Any] = {}
    for record in given:
        data.update(record.model_dump(exclude_none=True))
    return DecisionRecord(**data)


def _message(error: Mapping[str, Any]) -> str:
    if error["type"] == "extra_forbidden":
        name = str(error["loc"][-1])
        near = did_you_mean(name, FIELD_LABELS, form="lead")
        return f"unknown record field {name!r}; {near}fields: {', '.join(FIELD_LABELS)}"
    message = str(error["msg"])
    message = message.removeprefix("Value error, ")
    return message[:1].lower() + message[1:]


def record_from(doc: YamlDocument, root: PathKey = ()) -> DecisionRecord:
    """Check the mapping at `root` of `doc` as a decision record; every problem located."""
    data: Any = doc.data
    for key in root:
        data = data[key]
    if data is None:
        return DecisionRecord()
    if not isinstance(data, Mapping):
        raise AnswersError(
            [doc.problem(root, "the decision record must be a mapping of field: value")],
            "the decision record is not valid",
        )
    try:
        return DecisionRecord.model_validate(data)
    except ValidationError as exc:
        problems: list[Problem] = []
        for error in exc.errors():
            loc = tuple(error["loc"])
            # a field that is a union reports each alternative: one problem per field is enough
            field_path: PathKey = (*root, *loc[:1])
            if any(p.path == format_path(field_path) for p in problems):
                continue
            at_key = error["type"] == "extra_forbidden"
            problems.append(doc.problem(field_path, _message(error), at_key=at_key))
        raise AnswersError(problems, "the decision record is not valid") from None


def read_record_file(path: Path) -> DecisionRecord:
    """A `--record FILE`: the fields at its top level (or under a `record:` key, so a block
    copied from an answers file works as it is)."""
    doc = load_user_file(path, "record file")
    data = doc.data
    if isinstance(data, Mapping) and set(data) == {RECORD_KEY}:
        return record_from(doc, (RECORD_KEY,))
    return record_from(doc)
