"""`svadvisor glossary [TERM]`: what the words in svadvisor's output mean, in plain English."""

from __future__ import annotations

import json
import textwrap
from typing import TYPE_CHECKING, Annotated, Any

import typer

from svadvisor.cli.common import RulesOption, load, user_errors
from svadvisor.errors import SvadvisorError

if TYPE_CHECKING:
    from svadvisor.rulepack.schema import GlossaryEntry


def entry_data(entry: GlossaryEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "term": entry.term,
        "aliases": list(entry.aliases),
        "text": entry.text,
        "source": entry.source,
    }


def _show(entry: GlossaryEntry) -> None:
    typer.echo(f"{entry.term} ({entry.id})")
    if entry.aliases:
        typer.echo(f"  also: {', '.join(entry.aliases)}")
    for line in textwrap.wrap(
        entry.text or "",
        width=88,
        initial_indent="  ",
        subsequent_indent="  ",
        break_on_hyphens=False,
    ):
        typer.echo(line)
    if entry.source:
        typer.echo(f"  source: {entry.source}")


@user_errors
def glossary(
    ctx: typer.Context,
    term: Annotated[
        str | None,
        typer.Argument(metavar="[TERM]", help="A term, e.g. 'light touch', FAC-1 or psr."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
    rules: RulesOption = None,
) -> None:
    """Explain the terms used in the output, in plain English; or one term: `glossary TERM`."""
    from svadvisor.rulepack import glossary as words
    from svadvisor.suggest import did_you_mean

    pack = load(ctx, rules)
    if term is None:
        if not pack.glossary:
            raise SvadvisorError(f"the rule pack {pack.source} has no glossary (glossary.yaml)")
        if as_json:
            typer.echo(json.dumps([entry_data(e) for e in pack.glossary], indent=2))
            return
        for entry in pack.glossary:
            _show(entry)
            typer.echo()
        return
    found = words.find(pack, term)
    if found is None:
        near = did_you_mean(term, words.known_names(pack))
        raise SvadvisorError(
            f"no glossary term {term!r}{near}; `svadvisor glossary` lists them all"
        )
    if as_json:
        typer.echo(json.dumps(entry_data(found), indent=2))
        return
    _show(found)
