"""Every command the documentation shows runs, and prints what the documentation says.

The convention is described in docs/development.md ("Commands in the documentation").
In short, for README.md and every Markdown file under docs/ (generated pages are not
files there):

- A ```sh block holds commands, one a line (`\\` continues a line; `# ...` is a comment).
  They run in order, in bash, in one temporary folder per page that starts as a copy of
  examples/, rules/ and casestudies/ (tests/fixtures/ is linked), with HOME set to that
  folder. `svadvisor` and `.venv/bin/svadvisor` are this venv's console script, `python`,
  `python3` and `.venv/bin/python` this interpreter. Each must exit 0, unless its comment
  says `exit status N`.
- A ```text block whose first line starts with `$ ` is a terminal transcript: each `$ `
  line is a command, run like the others, and the lines up to the next `$ ` line are its
  output (stdout and stderr).
- A ```text, ```json or ```markdown block right after `<!-- doc-test: output -->` is the
  output of the command (or Python block) just before it on the page.
- Shown output is the whole output, except that a line `...` stands for any number of
  lines and `...` inside a line for any text. Only the temporary folder and today's date
  are normalised: hashes, counts and figures must match.
- A ```python block runs as a script in the page's folder; a ```pycon block is a
  doctest.
- A ```bat block is not run; it must say what the ```sh block before it says, in
  Windows spelling. `<!-- doc-test: not-on-windows PREFIX (why) -->` before it leaves
  PREFIX out where a sh command starts with it (Debian's chromium, say).
- `<!-- doc-test: ... -->` comments just before a block say what else to do:
  `skip (why)` skips the block; `skip-command COMMAND (why)` skips one exact command;
  `last-part (why)` runs only what follows the last `&&` of each command; `setup` with
  commands on the lines after it runs them, unseen, before the block.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
COPIED = ("examples", "rules", "casestudies")
LINKED = {"tests/fixtures": ROOT / "tests" / "fixtures"}
SVADVISOR = Path(sys.executable).with_name("svadvisor")
DOCS_DAY = date(2026, 11, 30)  # the day the documentation's outputs were made
COLUMNS = "80"  # the terminal width the documentation's outputs were made with
RUN_TIMEOUT = 120

FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,})(?P<lang>[\w-]*)[ \t]*$")
DIRECTIVE = re.compile(r"<!--\s*doc-test:\s*(?P<body>.*?)\s*-->", re.S)
REASON = re.compile(r"^(?P<head>.*?)\s*(?:\((?P<why>[^()]*)\))?$", re.S)
EXIT_STATUS = re.compile(r"^exit status (\d+)\b")
SVADVISOR_WORD = re.compile(r"(?<![\w/.\\-])(?:\.venv/bin/)?svadvisor(?![\w.\[-])")
PYTHON_WORD = re.compile(r"(?<![\w/.\\-])(?:\.venv/bin/python3?|python3?)(?![\w.-])")
OUTPUT_LANGS = {"text", "json", "markdown", "console"}


@dataclass
class Block:
    page: str
    line: int  # the fence's line, 1-based
    lang: str
    lines: list[str]  # the block's text, dedented
    first: int  # the line number of lines[0]
    directives: list[tuple[str, str, str]]  # (key, argument, reason)


@dataclass
class Step:
    """One pytest item: a command to run, a Python block, a check, or a skip."""

    id: str
    kind: str  # "sh", "python", "pycon", "bat", "file", "skip"
    text: str = ""
    status: int = 0
    expected: list[str] | None = None  # shown output, if any
    expected_at: str = ""
    reason: str = ""
    mirror: list[str] = field(default_factory=list)


def _relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def read_blocks(path: Path) -> list[Block]:
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    ends = [0]
    for line in lines:
        ends.append(ends[-1] + len(line) + 1)
    blocks: list[Block] = []
    number = 0
    while number < len(lines):
        opened = FENCE.match(lines[number])
        if not opened:
            number += 1
            continue
        indent, fence, lang = opened["indent"], opened["fence"], opened["lang"]
        body: list[str] = []
        end = number + 1
        while end < len(lines) and lines[end].strip() != fence:
            body.append(lines[end][len(indent) :] if lines[end].startswith(indent) else lines[end])
            end += 1
        blocks.append(
            Block(
                _relative(path), number + 1, lang, body, number + 2, _directives(text, ends, number)
            )
        )
        number = end + 1
    return blocks


def _directives(text: str, ends: list[int], fence_line: int) -> list[tuple[str, str, str]]:
    """The doc-test comments between the previous paragraph and the fence, in order."""
    before = text[: ends[fence_line]].rstrip()
    found: list[tuple[str, str, str]] = []
    while before.endswith("-->"):
        start = before.rfind("<!--")
        directive = DIRECTIVE.fullmatch(before[start:])
        if start < 0 or not directive:
            break
        body = directive["body"]
        if body.startswith("setup"):
            found.insert(0, ("setup", body[len("setup") :].strip(), ""))
        else:
            parts = REASON.match(body)
            assert parts is not None
            key, _, argument = parts["head"].partition(" ")
            found.insert(0, (key, argument.strip(), (parts["why"] or "").strip()))
        before = before[:start].rstrip()
    return found


def _split_comment(line: str) -> tuple[str, str]:
    """A shell line's command and its trailing comment (a `#` outside quotes)."""
    quote = ""
    for index, char in enumerate(line):
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "#" and (index == 0 or line[index - 1] in " \t"):
            return line[:index].rstrip(), line[index + 1 :].strip()
    return line.rstrip(), ""


def _commands(lines: list[str], first: int) -> Iterator[tuple[int, str, str]]:
    """(line number, command, comment) for each command of a sh block."""
    pending: list[str] = []
    start = first
    for offset, raw in enumerate(lines):
        if not pending:
            start = first + offset
        if raw.rstrip().endswith("\\"):
            pending.append(raw.rstrip()[:-1])
            continue
        command, comment = _split_comment(" ".join([*pending, raw]))
        pending = []
        if command.strip():
            yield start, command.strip(), comment


def _sh_step(block: Block, line: int, command: str, comment: str) -> Step:
    step = Step(f"{block.page}:{line}", "sh", command)
    status = EXIT_STATUS.match(comment)
    step.status = int(status[1]) if status else 0
    before = ""
    for key, argument, why in block.directives:
        if key == "last-part":
            step.text = command.rsplit("&&", 1)[-1].strip()
        elif key == "skip-command" and argument in {command, step.text}:
            step.kind, step.reason = "skip", why or "marked skip-command"
        elif key == "before-each":
            before = argument
    if before:
        step.text = f"{before}\n{step.text}"
    return step


def _windows(command: str) -> str:
    """A bat command in the spelling of the sh block it mirrors."""
    command = command.replace(".venv\\Scripts\\", ".venv/bin/").replace("\\", "/")
    command = re.sub(r"(?<![\w.])py -m", "python3 -m", command)
    return command.replace('"', "'")


def _without_prefixes(command: str, prefixes: list[str]) -> str:
    """A sh command less the first of `prefixes` it starts with (a part Windows has no
    counterpart for, such as installing Debian's chromium)."""
    for prefix in prefixes:
        if command.startswith(prefix):
            return command.removeprefix(prefix).strip()
    return command


def page_steps(path: Path) -> list[Step]:
    steps: list[Step] = []
    last_sh: list[str] = []
    for block in read_blocks(path):
        keys = {key: why for key, _, why in block.directives}
        transcript = (
            block.lang in OUTPUT_LANGS and block.lines[:1] and block.lines[0].startswith("$ ")
        )
        if "skip" in keys and (block.lang in {"sh", "python", "pycon"} or transcript):
            steps.append(
                Step(f"{block.page}:{block.line}", "skip", reason=keys["skip"] or "marked skip")
            )
            continue
        setup = [argument for key, argument, _ in block.directives if key == "setup"]
        if setup:
            steps.append(Step(f"{block.page}:{block.line}-setup", "sh", "\n".join(setup)))
        target = next((argument for key, argument, _ in block.directives if key == "file"), None)
        if target:
            steps.append(
                Step(
                    f"{block.page}:{block.line}",
                    "file",
                    "\n".join(block.lines) + "\n",
                    reason=target,
                )
            )
        elif block.lang == "sh":
            last_sh = [command for _, command, _ in _commands(block.lines, block.first)]
            steps.extend(_sh_step(block, *found) for found in _commands(block.lines, block.first))
        elif block.lang == "bat":
            mirrored = [_windows(command) for _, command, _ in _commands(block.lines, block.first)]
            unix = [argument for key, argument, _ in block.directives if key == "not-on-windows"]
            expected = [_without_prefixes(command, unix) for command in last_sh]
            steps.append(
                Step(f"{block.page}:{block.line}", "bat", mirror=mirrored, expected=expected)
            )
        elif block.lang in {"python", "pycon"}:
            steps.append(Step(f"{block.page}:{block.line}", block.lang, "\n".join(block.lines)))
        elif transcript:
            for offset, text in enumerate(block.lines):
                if text.startswith("$ "):
                    command, comment = _split_comment(text[2:])
                    step = _sh_step(block, block.first + offset, command, comment)
                    step.expected, step.expected_at = [], f"{block.page}:{block.first + offset}"
                    steps.append(step)
                elif steps[-1].expected is not None:
                    steps[-1].expected.append(text)
        elif block.lang in OUTPUT_LANGS and "output-of" in keys:
            argument = next(found for key, found, _ in block.directives if key == "output-of")
            command, comment = _split_comment(argument)
            status = EXIT_STATUS.match(comment)
            step = Step(f"{block.page}:{block.line}", "sh", command, expected=list(block.lines))
            step.status = int(status[1]) if status else 0
            step.expected_at = step.id
            steps.append(step)
        elif block.lang in OUTPUT_LANGS and "output" in keys:
            shown = next((s for s in reversed(steps) if s.kind in {"sh", "python"}), None)
            assert shown is not None, f"{block.page}:{block.line}: output of no command"
            shown.expected, shown.expected_at = list(block.lines), f"{block.page}:{block.line}"
    return steps


def _prepare(folder: Path) -> None:
    for name in COPIED:
        shutil.copytree(ROOT / name, folder / name)
    for name, target in LINKED.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).symlink_to(target)


def _environment(folder: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        HOME=str(folder),
        COLUMNS=COLUMNS,
        LINES="50",
        NO_COLOR="1",
        TERM="dumb",
        EDITOR="true",
        PYTHONIOENCODING="utf-8",
        PATH=f"{SVADVISOR.parent}{os.pathsep}{env.get('PATH', '')}",
        SVADVISOR_CACHE_DIR=str(folder.parent / "cache"),
    )
    for name in ("FORCE_COLOR", "CLICOLOR_FORCE", "PYTEST_ADDOPTS", "SVADVISOR_NO_CACHE"):
        env.pop(name, None)
    return env


def _shell(command: str) -> str:
    command = SVADVISOR_WORD.sub(str(SVADVISOR), command)
    return PYTHON_WORD.sub(sys.executable, command)


@dataclass
class Result:
    status: int
    output: str


def _run(step: Step, folder: Path) -> Result:
    env = _environment(folder)
    if step.kind == "sh":
        argv = ["bash", "-e", "-o", "pipefail", "-c", _shell(step.text)]
        stdin = None
    elif step.kind == "python":
        argv, stdin = [sys.executable, "-"], step.text
    else:  # pycon
        argv, stdin = [sys.executable, "-c", DOCTEST_RUNNER, step.id], step.text
    done = subprocess.run(
        argv,
        cwd=folder,
        env=env,
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=RUN_TIMEOUT,
    )
    return Result(done.returncode, done.stdout + done.stderr)


DOCTEST_RUNNER = """
import doctest, sys
test = doctest.DocTestParser().get_doctest(sys.stdin.read(), {}, sys.argv[1], sys.argv[1], 0)
runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
runner.run(test)
sys.exit(1 if runner.failures else 0)
"""


class Page:
    """A page's steps, run once, in order, in one folder."""

    def __init__(self, path: Path, root: Path) -> None:
        self.steps = page_steps(path)
        self.folder = root / _relative(path).replace("/", "_")
        self.results: dict[str, Result] | None = None

    def results_for(self, step_id: str) -> Result | None:
        if self.results is None:
            self.results = {}
            self.folder.mkdir(parents=True)
            _prepare(self.folder)
            for step in self.steps:
                if step.kind == "file":
                    target = self.folder / step.reason
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_text(step.text, encoding="utf-8")
                elif step.kind in {"sh", "python", "pycon"}:
                    self.results[step.id] = _run(step, self.folder)
        return self.results.get(step_id)


def normalise(text: str, folder: Path) -> list[str]:
    text = text.replace(f"{folder}/", "").replace(str(folder), ".")
    today = date.today()
    if today != DOCS_DAY:
        for form in ("%Y-%m-%d", "%-d %B %Y"):
            text = text.replace(today.strftime(form), DOCS_DAY.strftime(form))
    lines = [line.rstrip() for line in text.splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def _line_matches(shown: str, real: str) -> bool:
    if "..." not in shown:
        return shown.rstrip() == real
    pattern = ".*".join(re.escape(part) for part in shown.rstrip().split("..."))
    return re.fullmatch(pattern, real) is not None


def mismatch(shown: list[str], real: list[str]) -> str | None:
    """Why `real` is not `shown` (a line `...` standing for any lines), or None."""
    shown = [line.rstrip() for line in shown]
    while shown and not shown[-1]:
        shown.pop()
    pieces: list[list[str]] = [[]]
    for line in shown:
        if line.strip() == "...":
            pieces.append([])
        else:
            pieces[-1].append(line)

    def differs(piece: list[str], start: int) -> int | None:
        """The index in `piece` of the first line that differs at `start`, or None."""
        for index, want in enumerate(piece):
            if start + index >= len(real) or not _line_matches(want, real[start + index]):
                return index
        return None

    def missing(piece: list[str], start: int) -> str:
        index = differs(piece, start) or 0
        got = real[start + index] if start + index < len(real) else "(the end of the output)"
        return f"shown: {piece[index]!r}\nreal:  {got!r}"

    if len(pieces) == 1:
        if differs(pieces[0], 0) is not None:
            return missing(pieces[0], 0)
        return (
            None
            if len(real) == len(pieces[0])
            else f"the real output goes on: {real[len(pieces[0])]!r}"
        )
    if differs(pieces[0], 0) is not None:
        return missing(pieces[0], 0)
    cursor = len(pieces[0])
    for piece in pieces[1:-1]:
        found = next(
            (at for at in range(cursor, len(real) + 1) if differs(piece, at) is None), None
        )
        if found is None:
            best = max(
                range(cursor, len(real)), key=lambda at: differs(piece, at) or 0, default=cursor
            )
            return f"after `...`, no lines match in order:\n{missing(piece, best)}"
        cursor = found + len(piece)
    last = pieces[-1]
    start = len(real) - len(last)
    if start < cursor or differs(last, start) is not None:
        why = missing(last, max(start, cursor))
        return f"the last lines shown are not the last lines of the output:\n{why}"
    return None


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Page]:
    root = tmp_path_factory.mktemp("doc-commands")
    return {_relative(path): Page(path, root) for path in PAGES}


ALL_STEPS = [(step, _relative(path)) for path in PAGES for step in page_steps(path)]


@pytest.mark.parametrize(("step", "page"), ALL_STEPS, ids=[step.id for step, _ in ALL_STEPS])
def test_documented_command(step: Step, page: str, pages: dict[str, Page]) -> None:
    if step.kind == "skip":
        pytest.skip(step.reason)
    if step.kind == "file":
        return
    if step.kind == "bat":
        assert step.mirror == step.expected, (
            f"{step.id}: the Windows commands do not mirror the sh block before them"
        )
        return
    result = pages[page].results_for(step.id)
    assert result is not None
    shown = f"\n--- real output ---\n{result.output}"
    assert result.status == step.status, f"{step.id}: `{step.text}` exited {result.status}{shown}"
    if step.expected is not None:
        real = normalise(result.output, pages[page].folder)
        why = mismatch(step.expected, real)
        if why:
            pytest.fail(f"{step.expected_at}: the output shown is not the real output\n{why}")


def test_convention_is_documented() -> None:
    development = (ROOT / "docs" / "development.md").read_text(encoding="utf-8")
    assert "doc-test:" in development and "tests/docs/test_docs_commands.py" in development


def test_every_page_is_read() -> None:
    assert len(PAGES) > 20 and any(step.kind == "sh" for step, _ in ALL_STEPS)
