"""Score a pipeline in the web app: the same batch as `svadvisor batch` (the real CLI is
the reference), downloads rebuilt from the signed upload in the page, and every way an
upload can go wrong answered with a page, never a traceback."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
import secrets
import shutil
import tempfile
from html import unescape
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient
from tests.web.conftest import BASE_URL, csrf_token, hidden
from typer.testing import CliRunner

from svadvisor.cli.app import app as cli
from svadvisor.rulepack.schema import RulePack
from svadvisor.web.pipeline import _SentThenRemoved
from svadvisor.web.pipeline_run import XLSX_TYPE, Download, display_name, safe_stem
from svadvisor.web.upload_token import BadUpload, Upload, UploadCodec

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "pipeline.csv"
BATCH = ROOT / "tests" / "fixtures" / "batch"


def upload(
    client: TestClient,
    name: str,
    content: bytes,
    *,
    sheet: str = "",
    token: str | None = None,
) -> Any:
    """POST a file to /pipeline as the page's form does."""
    data = {"csrf_token": token or csrf_token(client, "/pipeline"), "sheet": sheet}
    return client.post("/pipeline", data=data, files={"pipeline_file": (name, content)})


def fetch(client: TestClient, page: Any, kind: str) -> Any:
    """Press a download button on a result page."""
    data = {"csrf_token": hidden(page.text, "csrf_token"), "upload": hidden(page.text, "upload")}
    return client.post(f"/pipeline/download/{kind}", data=data)


def run_cli(folder: Path, source: Path, *args: str) -> dict[str, Any]:
    """`svadvisor batch SOURCE --json --report` on a copy in `folder`: the reference."""
    copy = folder / source.name
    shutil.copy(source, copy)
    report = folder / f"{copy.stem}.report.html"
    result = CliRunner().invoke(cli, ["batch", str(copy), "--json", "--report", str(report), *args])
    assert result.exit_code in (0, 1), result.output
    summary: dict[str, Any] = json.loads(result.stdout)
    return summary


def counts(html: str) -> dict[str, int]:
    """The summary tables' rows: label -> count."""
    found = re.findall(
        r'<th scope="row" class="govuk-table__header">([^<]+)</th>\s*'
        r'<td class="govuk-table__cell govuk-table__cell--numeric">(\d+)</td>',
        html,
    )
    return {unescape(label): int(number) for label, number in found}


def csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def error_summary(html: str) -> list[tuple[str, str]]:
    assert 'class="govuk-error-summary"' in html
    return [
        (href, unescape(text))
        for href, text in re.findall(r'<li><a href="(#[^"]+)">([^<]+)</a></li>', html)
    ]


# --- the form ------------------------------------------------------------------------


def test_the_form_says_what_to_upload_and_the_limit(client: TestClient) -> None:
    page = client.get("/pipeline")
    assert page.status_code == 200
    html = page.text
    assert 'enctype="multipart/form-data"' in html and 'action="/pipeline"' in html
    assert 'class="govuk-file-upload"' in html and 'name="pipeline_file"' in html
    assert 'id="pipeline_file"' in html and 'name="sheet"' in html
    assert "smaller than 10 MB" in html
    assert 'href="/guides"' in html
    assert "<code>complexity</code>" in html, "the columns it understands are listed"
    assert 'aria-current="page"' in html and "Score a pipeline" in html
    assert 'style="' not in html and "<script>" not in html


# --- the same batch as the command ---------------------------------------------------


def test_the_summary_is_the_commands(client: TestClient, pack: RulePack, tmp_path: Path) -> None:
    expected = run_cli(tmp_path, EXAMPLE)
    page = upload(client, "pipeline.csv", EXAMPLE.read_bytes())
    assert page.status_code == 200, page.text
    shown = counts(page.text)
    assert shown["Read"] == expected["rows_read"] == 7
    assert shown["Scored"] == expected["rows_scored"]
    assert shown["Not scored (kept, flagged in 'problem')"] == expected["rows_rejected"]
    for route in pack.routes:
        assert shown[f"Recommended: {route.label}"] == expected["recommended"][route.id]
    assert (
        shown["No recommendation yet (tie or insufficient evidence)"]
        == expected["recommended"]["none"]
    )
    for level, rows in expected["confidence"].items():
        assert shown[f"Confidence {level}"] == rows
    assert "<caption" in page.text and 'scope="col"' in page.text


def test_the_column_mapping_is_shown(client: TestClient, tmp_path: Path) -> None:
    expected = run_cli(tmp_path, EXAMPLE)
    page = upload(client, "pipeline.csv", EXAMPLE.read_bytes())
    html = unescape(page.text)
    assert "Columns read" in html
    for header, target in expected["columns"].items():
        assert re.search(
            rf'<th scope="row" class="govuk-table__header">{re.escape(header)}</th>\s*'
            rf'<td class="govuk-table__cell"><code>{re.escape(target)}</code>',
            html,
        ), header
    assert "How complex is the system this service works in?" in html
    assert "the contract's start date" in html
    for header in expected["carried"]:
        assert f"<li>{header}</li>" in html


def test_each_download_is_what_the_command_writes(client: TestClient, tmp_path: Path) -> None:
    run_cli(tmp_path, EXAMPLE)
    page = upload(client, "pipeline.csv", EXAMPLE.read_bytes())
    scored = fetch(client, page, "scored")
    assert scored.status_code == 200
    assert scored.headers["content-type"].startswith("text/csv")
    assert scored.headers["content-disposition"] == 'attachment; filename="pipeline.scored.csv"'
    assert csv_rows(scored.content) == csv_rows((tmp_path / "pipeline.scored.csv").read_bytes())
    rejects = fetch(client, page, "rejects")
    assert rejects.headers["content-disposition"] == 'attachment; filename="pipeline.rejects.csv"'
    assert csv_rows(rejects.content) == csv_rows((tmp_path / "pipeline.rejects.csv").read_bytes())
    report = fetch(client, page, "report")
    assert report.headers["content-type"].startswith("text/html")
    assert report.headers["content-disposition"] == 'attachment; filename="pipeline.report.html"'
    html = report.text
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
    assert "<title>Pipeline report: pipeline.scored.csv</title>" in html
    reference = (tmp_path / "pipeline.report.html").read_text(encoding="utf-8")
    assert len(html.splitlines()) == len(reference.splitlines())


def test_a_workbook_gives_a_workbook_back(client: TestClient, tmp_path: Path) -> None:
    source = BATCH / "two-sheets.xlsx"
    expected = run_cli(tmp_path, source)
    page = upload(client, "two-sheets.xlsx", source.read_bytes())
    assert page.status_code == 200, page.text
    assert counts(page.text)["Read"] == expected["rows_read"] == 6
    assert "read sheet &#39;Forward plan&#39;" in page.text, "the reader's remark is shown"
    assert "Download the scored sheet (Excel workbook)" in page.text
    scored = fetch(client, page, "scored")
    assert scored.headers["content-type"] == XLSX_TYPE
    assert scored.headers["content-disposition"] == 'attachment; filename="two-sheets.scored.xlsx"'
    got = openpyxl.load_workbook(io.BytesIO(scored.content), read_only=True)
    want = openpyxl.load_workbook(tmp_path / "two-sheets.scored.xlsx", read_only=True)
    assert got.sheetnames == want.sheetnames
    assert [list(r) for r in got.active.iter_rows(values_only=True)] == [  # type: ignore[union-attr]
        list(r)
        for r in want.active.iter_rows(values_only=True)  # type: ignore[union-attr]
    ]


def test_a_named_sheet_is_read(client: TestClient, tmp_path: Path) -> None:
    source = BATCH / "two-sheets.xlsx"
    expected = run_cli(tmp_path, source, "--sheet", "Answered")
    page = upload(client, "two-sheets.xlsx", source.read_bytes(), sheet="Answered")
    assert counts(page.text)["Read"] == expected["rows_read"] == 2
    scored = fetch(client, page, "scored")
    rows = list(openpyxl.load_workbook(io.BytesIO(scored.content)).active.iter_rows())  # type: ignore[union-attr]
    assert rows[1][0].value == "A-1", "the download reads the same sheet again"


def test_a_missing_sheet_is_a_400_naming_the_sheets(client: TestClient) -> None:
    page = upload(client, "two-sheets.xlsx", (BATCH / "two-sheets.xlsx").read_bytes(), sheet="Nope")
    assert page.status_code == 400
    [(href, message)] = error_summary(page.text)
    assert href == "#pipeline_file"
    assert message.startswith("two-sheets.xlsx: no sheet named 'Nope'")
    assert 'value="Nope"' in page.text, "what the officer typed is kept"


def test_bad_rows_are_listed(client: TestClient, tmp_path: Path) -> None:
    run_cli(tmp_path, BATCH / "bad-rows.csv")
    page = upload(client, "bad-rows.csv", (BATCH / "bad-rows.csv").read_bytes())
    assert page.status_code == 200
    html = unescape(page.text)
    assert counts(page.text)["Not scored (kept, flagged in 'problem')"] == 3
    rows = re.findall(
        r'<th scope="row" class="govuk-table__header govuk-table__header--numeric">(\d+)</th>',
        page.text,
    )
    assert rows == ["3", "6", "9"]
    assert "'very' is not an answer to this question" in html
    assert "'31/02/2026' is not a real date" in html
    rejects = fetch(client, page, "rejects")
    assert csv_rows(rejects.content) == csv_rows((tmp_path / "bad-rows.rejects.csv").read_bytes())
    assert len(csv_rows(rejects.content)) == 4


def test_only_the_first_twenty_problems_are_shown(client: TestClient) -> None:
    lines = ["Reference,Title,complexity"] + [f"R-{n},Row {n},very" for n in range(1, 31)]
    page = upload(client, "many.csv", "\n".join(lines).encode())
    assert page.status_code == 200
    assert "The first 20 of 30 problems are shown here" in page.text
    assert page.text.count("is not an answer to this question") == 20


def test_titles_and_headers_from_the_sheet_are_escaped(client: TestClient) -> None:
    sheet = (
        'Reference,Title,complexity,<b onmouseover="x()">Notes</b>\n'
        "R-1,<script>alert(1)</script>,very,<img src=x onerror=alert(2)>\n"
        "R-2,Fine,simple,\n"
    )
    page = upload(client, "evil.csv", sheet.encode())
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "<b onmouseover" not in page.text and "&lt;b onmouseover=" in page.text
    assert "<img src=x" not in page.text


def test_a_file_name_with_folders_or_odd_characters_is_made_safe(client: TestClient) -> None:
    name = "C:\\Users\\me\\..\\<Plan> 2025;x.csv"
    page = upload(client, name, EXAMPLE.read_bytes())
    assert page.status_code == 200
    assert "&lt;Plan&gt; 2025;x.csv" in page.text and "Users" not in page.text
    scored = fetch(client, page, "scored")
    disposition = 'attachment; filename="Plan- 2025-x.scored.csv"'
    assert scored.headers["content-disposition"] == disposition
    assert display_name("../../etc/passwd.csv") == "passwd.csv"
    assert safe_stem('../"..') == "pipeline" and safe_stem("ü.xlsx") == "pipeline"


def test_no_temporary_files_are_left(
    client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    page = upload(client, "bad-rows.csv", (BATCH / "bad-rows.csv").read_bytes())
    for kind in ("scored", "rejects", "report"):
        assert fetch(client, page, kind).status_code == 200
    upload(client, "empty.csv", b"\n\n")
    assert list(tmp_path.iterdir()) == []


def test_a_download_cut_short_still_removes_its_folder(tmp_path: Path) -> None:
    """A browser that goes away part way: the send fails, the folder still goes."""
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / "big.csv").write_bytes(b"x" * 1_000_000)
    response = _SentThenRemoved(Download(folder / "big.csv", "text/csv", folder))

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    async def send(message: Any) -> None:
        if message["type"] == "http.response.body":
            raise OSError("the browser went away")

    scope = {"type": "http", "asgi": {"spec_version": "2.4"}, "method": "POST", "headers": []}
    with pytest.raises(OSError):
        asyncio.run(response(scope, receive, send))
    assert not folder.exists()


def test_a_large_upload_still_downloads(client: TestClient) -> None:
    """A token past the form's usual field limit (256 KB) is still read."""
    lines = ["Reference,Title,complexity,providers"] + [
        f"R-{n},{secrets.token_hex(32)},complex,several" for n in range(6000)
    ]
    page = upload(client, "big.csv", "\n".join(lines).encode())
    assert page.status_code == 200
    assert len(hidden(page.text, "upload")) > 300 * 1024
    rejects = fetch(client, page, "rejects")
    assert rejects.status_code == 200 and csv_rows(rejects.content) == [
        ["row", "reference", "title", "column", "value", "problem"]
    ]


# --- what cannot be scored -----------------------------------------------------------


@pytest.mark.parametrize("name", ["pipeline.txt", "plan.pdf", "plan.xls", "plan", "plan.json"])
def test_a_file_of_another_type_is_a_400(client: TestClient, name: str) -> None:
    page = upload(client, name, EXAMPLE.read_bytes())
    assert page.status_code == 400
    message = "The selected file must be a CSV or Excel (.xlsx) file"
    assert error_summary(page.text) == [("#pipeline_file", message)]
    assert 'class="govuk-error-message"' in page.text
    assert "govuk-form-group--error" in page.text and "<title>Error: " in page.text


def test_no_file_chosen_is_a_400(client: TestClient) -> None:
    token = csrf_token(client, "/pipeline")
    page = client.post("/pipeline", data={"csrf_token": token, "sheet": ""})
    assert page.status_code == 400
    assert error_summary(page.text) == [("#pipeline_file", "Select a file")]
    browser = client.post(
        "/pipeline",
        data={"csrf_token": token},
        files={"pipeline_file": ("", b"", "application/octet-stream")},
    )
    assert browser.status_code == 400 and "Select a file" in browser.text


def test_an_empty_file_is_a_400(client: TestClient) -> None:
    page = upload(client, "empty.csv", b"")
    assert page.status_code == 400
    [(href, message)] = error_summary(page.text)
    assert href == "#pipeline_file" and message.startswith("The selected file is empty")
    assert "Select a file" in message


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("blank.csv", b"\n\n\n", "blank.csv: no header row"),
        ("plan.csv", (BATCH / "no-known-columns.csv").read_bytes(), "no column answers"),
        (
            "plan.xlsx",
            b"PK\x03\x04" + bytes(range(256)) * 4,
            "plan.xlsx: not a readable .xlsx workbook",
        ),
        ("plan.xlsx", EXAMPLE.read_bytes(), "this is CSV text with an .xlsx name"),
        ("plan.csv", b"%PDF-1.4\n\x00\x01\x02\xff\xfe", "plan.csv"),
        ("lying.csv", b"\xef\xbb\xbfTitle,complexity\nCaf\xe9 services,simple\n", "byte-order"),
    ],
)
def test_a_file_the_batch_cannot_use_is_a_400_with_its_message(
    client: TestClient, name: str, content: bytes, says: str
) -> None:
    page = upload(client, name, content)
    assert page.status_code == 400
    [(href, message)] = error_summary(page.text)
    assert href == "#pipeline_file" and says in message
    assert "svadvisor-web-" not in page.text and tempfile.gettempdir() not in page.text
    assert "Traceback" not in page.text


# --- forged, tampered and oversized requests ----------------------------------------


def test_a_tampered_upload_field_is_a_400(client: TestClient) -> None:
    page = upload(client, "pipeline.csv", EXAMPLE.read_bytes())
    token = hidden(page.text, "csrf_token")
    field = hidden(page.text, "upload")
    tampered = field[:-3] + ("AAA" if not field.endswith("AAA") else "BBB")
    for value in (
        tampered,
        "",
        "not-a-token",
        UploadCodec("another secret" * 4).dumps(Upload("x.csv", ".csv", None, b"a")),
    ):
        answer = client.post(
            "/pipeline/download/scored", data={"csrf_token": token, "upload": value}
        )
        assert answer.status_code == 400, value[:20]
        assert "govuk-template" in answer.text
    missing = client.post("/pipeline/download/report", data={"csrf_token": token})
    assert missing.status_code == 400


def test_a_post_without_the_csrf_token_is_refused(client: TestClient) -> None:
    client.get("/pipeline")
    page = client.post("/pipeline", files={"pipeline_file": ("p.csv", EXAMPLE.read_bytes())})
    assert page.status_code == 403
    good = upload(client, "pipeline.csv", EXAMPLE.read_bytes())
    forged = client.post(
        "/pipeline/download/scored",
        data={"csrf_token": "wrong", "upload": hidden(good.text, "upload")},
    )
    assert forged.status_code == 403


def test_downloads_are_posts_of_known_kinds(client: TestClient) -> None:
    token = csrf_token(client, "/pipeline")
    assert client.get("/pipeline/download/scored").status_code == 405
    assert client.post("/pipeline/download/memos", data={"csrf_token": token}).status_code == 404


def test_an_upload_over_the_limit_is_a_413(small_app: Starlette) -> None:
    with TestClient(small_app, base_url=BASE_URL) as client:
        form = client.get("/pipeline")
        assert "smaller than 0.01 MB" in form.text
        big = EXAMPLE.read_bytes() * 8
        assert len(big) > 0.01 * 1024 * 1024
        page = upload(client, "big.csv", big, token=hidden(form.text, "csrf_token"))
        assert page.status_code == 413
        assert "The file is too large" in page.text and "0.01 MB" in page.text


def test_the_upload_token_round_trips_and_refuses_others() -> None:
    codec = UploadCodec("a" * 48)
    made = Upload("Plan ü.xlsx", ".xlsx", "Sheet 1", bytes(range(256)) * 4)
    token = codec.dumps(made)
    assert re.fullmatch(r"[A-Za-z0-9_.-]+", token)
    assert codec.loads(token) == made
    assert len(codec.dumps(Upload("p.csv", ".csv", None, b"a,b\n" * 10_000))) < 1_000
    with pytest.raises(BadUpload):
        UploadCodec("b" * 48).loads(token)
    with pytest.raises(BadUpload):
        codec.loads(None)


def test_a_long_file_name_keeps_its_type(client: TestClient) -> None:
    name = "Forward plan 2026-27 " + "x" * 110 + " FINAL (approved).csv"
    assert len(name) > 120
    page = upload(client, name, EXAMPLE.read_bytes())
    assert page.status_code == 200, page.text
    assert "Pipeline scored" in page.text


def test_the_page_gives_no_command_line_advice(client: TestClient) -> None:
    page = upload(client, "two-sheets.xlsx", (BATCH / "two-sheets.xlsx").read_bytes())
    assert page.status_code == 200, page.text
    assert "--sheet" not in page.text and "--columns" not in page.text
    assert "Sheet name box" in page.text
    refused = upload(client, "plan.csv", (BATCH / "no-known-columns.csv").read_bytes())
    assert refused.status_code == 400
    assert "--columns" not in refused.text and "question ids listed" in refused.text
