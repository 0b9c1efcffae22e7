"""Arbitrary text and bytes fed to the loaders: they fail only with svadvisor's own errors
(which the CLI prints as one located line), never with a crash."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from svadvisor.answers import validate_answers
from svadvisor.cli.app import app
from svadvisor.errors import SvadvisorError
from svadvisor.pack import builtin_pack_dir, load_pack
from svadvisor.pipeline.readers import open_table
from svadvisor.yamlfile import parse_yaml

PACK = load_pack()

YAMLISH = st.text(
    alphabet=st.sampled_from([*"abc:- \n\t[]{}&*!'\",#|>?%@`~=0123456789.\\", "é", "\x00"]),
    max_size=200,
)


@settings(max_examples=300, deadline=None)
@given(YAMLISH)
def test_yaml_text_parses_or_raises_our_error(text: str) -> None:
    try:
        doc = parse_yaml(text, "fuzz.yaml")
    except SvadvisorError:
        return
    with contextlib.suppress(SvadvisorError):
        validate_answers(PACK, doc.data, doc=doc)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(YAMLISH)
def test_a_pack_file_of_any_text_loads_or_raises_our_error(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        pack = Path(tmp) / "rules"
        shutil.copytree(builtin_pack_dir(), pack)
        (pack / "scoring.yaml").write_text(text, encoding="utf-8")
        with contextlib.suppress(SvadvisorError):
            load_pack(pack)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_csv_bytes_read_or_raise_our_error(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "plan.csv"
        source.write_bytes(data)
        try:
            with open_table(source) as table:
                for _ in table.rows:
                    pass
        except SvadvisorError:
            pass


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300))
def test_batch_on_any_bytes_exits_cleanly(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "plan.csv"
        source.write_bytes(b"Reference,complexity,value\n" + data)
        result = CliRunner().invoke(app, ["batch", str(source)])
        assert result.exit_code in (0, 1, 2), result.output
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(
            result.exception
        )
        assert "Traceback" not in result.output
        assert not list(Path(tmp).glob(".*.tmp"))
