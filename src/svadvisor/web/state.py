"""An officer's answers, carried in the page (a signed hidden field or link parameter),
never kept on the server: two officers on one server never see each other's answers,
and a restart loses nothing. The signature stops a changed link from passing itself off
as the app's own; the answers are validated against the rule pack as well, every time."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from itsdangerous import BadSignature, URLSafeSerializer
from pydantic import ValidationError

from svadvisor.answers.record import DecisionRecord
from svadvisor.answers.validate import dump_answers, validate_answers
from svadvisor.errors import AnswersError
from svadvisor.rulepack import conditions as cond
from svadvisor.rulepack.schema import RulePack

STATE_FIELD = "state"


class BadState(ValueError):
    """A state token that is not one this app signed, or whose answers no longer fit."""


@dataclass
class AnswerState:
    """The answers so far, the questions answered "don't know", and the decision record."""

    answers: dict[str, cond.Answer] = field(default_factory=dict)
    dont_know: list[str] = field(default_factory=list)
    title: str = ""
    """The service's name, as the officer gave it (shown, escaped, on every page)."""
    record: DecisionRecord | None = None
    """The decision record an uploaded answers file carried (its `record:` block), kept
    for the memo and the answers file downloaded again."""


class StateCodec:
    """Turns an AnswerState into a URL-safe signed token and back."""

    def __init__(self, secret: str, pack: RulePack) -> None:
        self._signer = URLSafeSerializer(secret, salt="svadvisor-answers")
        self._pack = pack

    def dumps(self, state: AnswerState) -> str:
        payload = {
            "a": dump_answers(self._pack, state.answers),
            "d": list(state.dont_know),
            "t": state.title,
        }
        if state.record is not None:
            payload["r"] = state.record.model_dump(mode="json", exclude_none=True)
        return str(self._signer.dumps(payload))

    def loads(self, token: str | None) -> AnswerState:
        """The state in `token` (an empty state for None or ""); BadState when forged or
        when its answers do not fit the rule pack loaded now."""
        if not token:
            return AnswerState()
        try:
            payload = self._signer.loads(token)
        except BadSignature:
            raise BadState("this link or form was not made by this svadvisor") from None
        if not isinstance(payload, Mapping):
            raise BadState("this link or form was not made by this svadvisor")
        try:
            answers = validate_answers(self._pack, payload.get("a") or {})
        except AnswersError as exc:
            raise BadState(f"the answers no longer fit the rule pack: {exc}") from None
        known = {q.id for q in self._pack.questions}
        dont_know = [q for q in _strings(payload.get("d")) if q in known and q not in answers]
        title = payload.get("t")
        try:
            record = DecisionRecord.model_validate(payload["r"]) if "r" in payload else None
        except ValidationError:
            raise BadState("the decision record in this link does not fit") from None
        return AnswerState(answers, dont_know, title if isinstance(title, str) else "", record)


def _strings(value: object) -> Iterable[str]:
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return []
