"""Recommendation memos: an assessment written up as the council's decision record.

A memo must be defensible years later, so it explains every point, says why the
runner-up lost, lists the "don't know"s, and ends with a reproducibility block that
`svadvisor memo replay` re-runs. The modules, by concept:

- `template`: the rule pack's Jinja2 template, its filters, template errors located;
- `context`: the plain data a memo's template is given (what the memo says);
- `render`: a template filled with a memo's context (`MemoRenderer`, `render_memo`);
- `record`: the reproducibility block in a memo's text;
- `word`: Word memos (pandoc, the replay record in the custom document properties);
- `files`: the memo format, writing memo files atomically, safe file names;
- `replaying`: reading a memo's record back and replaying it against a rule pack.

No printing and no terminal here: the CLI and batch call these functions, and nothing
in this package imports the CLI, typer, rich or questionary.
"""

from svadvisor.memo.context import (
    CHANGES_SHOWN,
    REASONS_SHOWN,
    answer_changes,
    binding_notes,
    duties,
    how_sure,
    long_date,
    main_risk,
    memo_context,
    ordered_flips,
    runner_up_losses,
    top_reasons,
    what_answering_would_do,
)
from svadvisor.memo.files import (
    MAX_NAME_LENGTH,
    MEMO_SUFFIX,
    MemoFormat,
    MemoNamer,
    memo_docx,
    memo_format,
    safe_file_stem,
    write_memo,
)
from svadvisor.memo.record import REPLAY_MARKER, find_block, replay_block
from svadvisor.memo.render import MemoRenderer, render_memo
from svadvisor.memo.replaying import (
    MemoRecord,
    RecordedResult,
    Replay,
    is_docx,
    read_memo_record,
    replay,
)
from svadvisor.memo.template import (
    MEMO_TEMPLATE,
    check_templates,
    compile_template,
    link,
    points,
    signed,
    table_cell,
    template_sources,
)
from svadvisor.memo.word import (
    DOCX_INSTALL_HINT,
    PROPERTY_CHARS,
    MissingExtraError,
    markdown_to_docx,
    read_docx_record,
    with_replay_record,
)

__all__ = [
    "CHANGES_SHOWN",
    "DOCX_INSTALL_HINT",
    "MAX_NAME_LENGTH",
    "MEMO_SUFFIX",
    "MEMO_TEMPLATE",
    "PROPERTY_CHARS",
    "REASONS_SHOWN",
    "REPLAY_MARKER",
    "MemoFormat",
    "MemoNamer",
    "MemoRecord",
    "MemoRenderer",
    "MissingExtraError",
    "RecordedResult",
    "Replay",
    "answer_changes",
    "binding_notes",
    "check_templates",
    "compile_template",
    "duties",
    "find_block",
    "how_sure",
    "is_docx",
    "link",
    "long_date",
    "main_risk",
    "markdown_to_docx",
    "memo_context",
    "memo_docx",
    "memo_format",
    "ordered_flips",
    "points",
    "read_docx_record",
    "read_memo_record",
    "render_memo",
    "replay",
    "replay_block",
    "runner_up_losses",
    "safe_file_stem",
    "signed",
    "table_cell",
    "template_sources",
    "top_reasons",
    "what_answering_would_do",
    "with_replay_record",
    "write_memo",
]
