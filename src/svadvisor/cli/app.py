"""The `svadvisor` command: global options, and the commands registered on it.

Each command's module is imported only when that command runs (or its own help is
asked for): `svadvisor --help` and `svadvisor assess` do not pay for building every other
command and its options.
"""

from __future__ import annotations

import importlib
import typing
from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

from svadvisor.cli.common import CasesOption, RulesOption

if TYPE_CHECKING:  # typer's own copy of click, whose types TyperGroup's methods use
    from typer._click import Command as ClickCommand
    from typer._click import Context, HelpFormatter

Command = TyperCommand | TyperGroup


@dataclass(frozen=True)
class CommandSpec:
    """Where a command lives, and the first paragraph of its help for the command list."""

    module: str
    attribute: str
    summary: str

    def load(self, name: str) -> Command:
        target = getattr(importlib.import_module(f"svadvisor.cli.{self.module}"), self.attribute)
        command: Command
        if isinstance(target, typer.Typer):  # a group, even of one command (`memo replay`)
            command = typer.main.get_group(target)
        else:  # a plain command function
            single = typer.Typer(add_completion=False, rich_markup_mode=None)
            single.command(name)(target)
            command = typing.cast(TyperCommand, typer.main.get_command(single))
        command.name = name
        return command


COMMANDS: dict[str, CommandSpec] = {
    "assess": CommandSpec(
        "assess_cmd",
        "assess",
        "Rank the four routes for a service, explain every point, and list similar real cases.",
    ),
    "questions": CommandSpec(
        "questions_cmd",
        "questions",
        "List every question: id, text, help, type and allowed answers.",
    ),
    "batch": CommandSpec(
        "batch_cmd",
        "batch",
        "Score every row of a pipeline sheet; write a scored sheet and a rejects file.",
    ),
    "routes": CommandSpec(
        "routes_cmd",
        "routes",
        "List the routes, or print one route's guide: what it is, when it fits, how to do it.",
    ),
    "notes": CommandSpec(
        "notes_cmd",
        "notes",
        "List the pack's notes: id, title, text, strength, sources, checked and review dates.",
    ),
    "glossary": CommandSpec(
        "glossary_cmd",
        "glossary",
        "Explain the terms used in the output, in plain English; or one term: `glossary TERM`.",
    ),
    "report": CommandSpec(
        "report_cmd",
        "report",
        "Report on a scored pipeline: routes, confidence, timing, law, candidates, reach.",
    ),
    "serve": CommandSpec(
        "serve_cmd",
        "serve",
        "Start the web app: assess a service, score a pipeline, read the guides.",
    ),
    "cases": CommandSpec(
        "cases_cmd",
        "app",
        "List the real UK case studies, or show one: `svadvisor cases show ID`.",
    ),
    "rules": CommandSpec("rules_cmd", "app", "Check and inspect rule packs."),
    "memo": CommandSpec("memo_cmd", "app", "Recommendation memos: the decision record."),
}
"""The command list, in the order `svadvisor --help` shows it. A test checks each summary
against the help its command really has."""


class CommandsOnDemand(MutableMapping[str, "ClickCommand"]):
    """The group's commands, each built from its module on first lookup."""

    def __init__(self, specs: dict[str, CommandSpec]) -> None:
        self.specs = dict(specs)
        self.built: dict[str, ClickCommand] = {}

    def __getitem__(self, name: str) -> ClickCommand:
        if name not in self.built:
            if name not in self.specs:
                raise KeyError(name)  # no such command
            try:
                self.built[name] = self.specs[name].load(name)
            except KeyError as exc:  # a bug in the command's module, not a missing command
                raise RuntimeError(f"cannot build the command {name!r}") from exc
        return self.built[name]

    def __contains__(self, name: object) -> bool:
        """Without loading the command."""
        return name in self.specs or name in self.built

    def __setitem__(self, name: str, command: ClickCommand) -> None:
        self.specs.pop(name, None)
        self.built[name] = command

    def __delitem__(self, name: str) -> None:
        if self.specs.pop(name, None) is None:
            del self.built[name]
        else:
            self.built.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        yield from self.specs
        yield from (name for name in self.built if name not in self.specs)

    def __len__(self) -> int:
        return len(self.specs.keys() | self.built.keys())

    def as_listed(self, name: str) -> ClickCommand:
        """The command if built, else a stand-in carrying its summary."""
        if name in self.built:
            return self.built[name]
        return TyperCommand(name, help=self.specs[name].summary)


class OnDemandGroup(TyperGroup):
    """A typer group whose commands load on use; the command list comes from COMMANDS."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        on_demand = CommandsOnDemand(COMMANDS)
        for name, command in self.commands.items():
            on_demand[name] = command
        self.commands = on_demand

    def format_commands(self, ctx: Context, formatter: HelpFormatter) -> None:
        """As typer lists commands, with a stand-in for each one not yet loaded."""
        on_demand = typing.cast(CommandsOnDemand, self.commands)
        listed = {name: on_demand.as_listed(name) for name in on_demand}
        TyperGroup(commands=listed).format_commands(ctx, formatter)


app = typer.Typer(
    name="svadvisor",
    cls=OnDemandGroup,
    help=(
        "Which route fits this service - competitive, collaborative, alliance or public "
        "commons? Scores the routes from your answers and explains every point."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        from svadvisor import __version__

        typer.echo(f"svadvisor {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    rules: RulesOption = None,
    cases: CasesOption = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Global options apply to every command: `svadvisor --rules DIR assess ...`."""
    ctx.obj = {"rules": rules, "cases": cases}


def main() -> None:
    """The console script."""
    from svadvisor.cli.common import freeze_after_loading

    freeze_after_loading()
    app(prog_name="svadvisor")
