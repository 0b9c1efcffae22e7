"""Arbitrary text and bytes fed to the loaders: they fail only with svadvisor's own errors
(which the CLI prints as one located line), never with a crash."""

from __future__ import annotations

import contextlib
import math
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from svadvisor.answers.validate import validate_answers
from svadvisor.cli.app import app
from svadvisor.errors import SvadvisorError
from svadvisor.pipeline.ocds import iter_releases
from svadvisor.pipeline.readers import open_table
from svadvisor.rulepack.load import builtin_pack_dir, load_pack
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


DATE_LIKE = st.builds(
    "{:04d}-{:02d}-{:02d}{}".format,
    st.integers(0, 9999),
    st.integers(0, 19),
    st.integers(0, 39),
    st.sampled_from(["", "T10:00:00Z", " 25:61:61", "T00:00:00+99:00"]),
)
NUMBER_LIKE = st.builds(
    "{}{}{}".format,
    st.sampled_from(["", "-", "+", "0x", "0o", "0b", "£"]),
    st.integers(1, 6000).map(lambda n: "9" * n),
    st.sampled_from(["", ".5", "e999", "m", "_0", ":30"]),
)
SCALAR = (
    DATE_LIKE
    | NUMBER_LIKE
    | st.text(alphabet="0123456789-:.+eET Z_x", min_size=1, max_size=40)
    | st.sampled_from([".inf", "-.inf", ".nan", ".NaN", "~", "null", "1e400"])
)
"""Text YAML may read as a date, a timestamp, an integer or a float: some of each is
impossible (2026-02-30) or too long for Python to convert."""


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["start_date", "value", "complexity", "cpv", "x"]), SCALAR)
def test_any_scalar_parses_or_raises_our_error(key: str, scalar: str) -> None:
    try:
        doc = parse_yaml(f"{key}: {scalar}\n", "fuzz.yaml")
        answers = validate_answers(PACK, doc.data, doc=doc)
    except SvadvisorError:
        return
    numbers = [value for value in answers.values() if isinstance(value, float)]
    assert all(math.isfinite(number) for number in numbers), answers


@pytest.fixture(scope="module")
def fuzzed_pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One copy of the built-in pack; each example rewrites its scoring.yaml."""
    pack = tmp_path_factory.mktemp("fuzz") / "rules"
    shutil.copytree(builtin_pack_dir(), pack)
    return pack


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=YAMLISH)
def test_a_pack_file_of_any_text_loads_or_raises_our_error(fuzzed_pack: Path, text: str) -> None:
    (fuzzed_pack / "scoring.yaml").write_text(text, encoding="utf-8")
    with contextlib.suppress(SvadvisorError):
        load_pack(fuzzed_pack)


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


JSONISH = st.text(alphabet='{}[]":,0123456789eE.-+ truefalsn\\\n', max_size=200).map(
    lambda text: text.encode("utf-8")
)


@settings(max_examples=150, deadline=None)
@given(JSONISH | st.binary(max_size=200), st.sampled_from([".json", ".jsonl"]))
def test_notice_bytes_read_or_raise_our_error(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / f"notices{suffix}"
        source.write_bytes(b'{"releases": [' + data if suffix == ".json" else data)
        with contextlib.suppress(SvadvisorError):
            for _ in iter_releases(source):
                pass
