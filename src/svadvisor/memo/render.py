"""Rendering memos: a pack's template compiled once and filled with a memo's context.

A memo must be defensible years later, so it explains every point, says why the
runner-up lost, lists the "don't know"s, and ends with a reproducibility block (the
svadvisor version, the rule pack's name, version and sha256, the answers) that
`svadvisor memo replay` re-runs. No printing and no terminal here: the CLI and batch
call these functions.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from svadvisor.answers.record import DecisionRecord
from svadvisor.errors import Problem, RulePackError
from svadvisor.memo.context import memo_context
from svadvisor.memo.record import REPLAY_MARKER
from svadvisor.memo.template import (
    MEMO_TEMPLATE,
    compile_template,
    template_error,
    template_sources,
)
from svadvisor.rulepack.schema import RulePack
from svadvisor.scoring.assessment import Assessment


class MemoRenderer:
    """A pack's memo template compiled once, for rendering one memo or a batch of them."""

    def __init__(self, pack: RulePack) -> None:
        self.pack = pack
        self.template = compile_template(pack)

    def render(
        self,
        assessment: Assessment,
        *,
        on: date,
        title: str | None = None,
        described: Mapping[str, Any] | None = None,
        record: DecisionRecord | None = None,
    ) -> str:
        """The memo as Markdown; `on` is the memo's date and the day thresholds apply for;
        `record` the decision-record fields (any left empty show as "to complete")."""
        context = memo_context(
            self.pack, assessment, on=on, title=title, described=described, record=record
        )
        context["glossary"] = []
        text = self._render(context)
        if self.pack.glossary:
            # the memo explains the terms it uses: find them, then render with them
            from svadvisor.rulepack.glossary import terms_in

            body = text.split(REPLAY_MARKER, 1)[0]
            context["glossary"] = [
                {"term": entry.term, "text": entry.text or "", "source": entry.source}
                for entry in terms_in(self.pack, body)
            ]
            if context["glossary"]:
                text = self._render(context)
        if context["reproducibility"] not in text:
            file = str(self.template.filename or MEMO_TEMPLATE)
            raise RulePackError(
                [
                    Problem(
                        "the memo template must include {{ reproducibility }} unchanged, "
                        "so the memo can be replayed",
                        file,
                    )
                ],
                f"the memo template {file} cannot be used",
            )
        return text

    def _render(self, context: dict[str, Any]) -> str:
        try:
            return self.template.render(context)
        except Exception as exc:  # a council's template is input: any failure is located
            raise template_error(exc, template_sources(self.pack)) from None


def render_memo(
    pack: RulePack,
    assessment: Assessment,
    *,
    on: date,
    title: str | None = None,
    described: Mapping[str, Any] | None = None,
    record: DecisionRecord | None = None,
) -> str:
    """One memo as Markdown, through the pack's template."""
    return MemoRenderer(pack).render(
        assessment, on=on, title=title, described=described, record=record
    )
