"""Assessing a service in the browser: the start page, one question per page, skipped
questions, "Check your answers" and its Change links, the advice, the downloads, resuming
from an answers file, and what a forged link, a missing CSRF token or odd input gets."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Mapping
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient
from tests.conftest import EXAMPLES
from tests.web.conftest import csrf_token, hidden
from typer.testing import CliRunner

from svadvisor.answers.files import read_answers_file_settled
from svadvisor.cli.app import app as cli
from svadvisor.memo.word import MissingExtraError
from svadvisor.rulepack.schema import RulePack
from svadvisor.web.assessment_view import read_upload

PLYMOUTH = EXAMPLES / "plymouth-alliance.yaml"
Value = str | list[str] | dict[str, str]
"""How a test answers a question: an answer id or typed text, ids to tick, or a date's
parts (`{"day": "1", ...}`)."""


def example(path: Path = PLYMOUTH) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def question_id(location: str) -> str:
    return urlsplit(location).path.rsplit("/", 1)[-1]


def state_of(location: str) -> str:
    return parse_qs(urlsplit(location).query)["state"][0]


def start(client: TestClient, title: str = "") -> tuple[str, str]:
    """Start an assessment: (where it goes next, the CSRF token)."""
    token = csrf_token(client)
    response = client.post("/assess/start", data={"csrf_token": token, "title": title})
    assert response.status_code == 303, response.text
    return response.headers["location"], token


def fields(value: Value) -> dict[str, Any]:
    if isinstance(value, dict):
        return {f"answer-{part}": text for part, text in value.items()}
    return {"answer": value}


def post(client: TestClient, token: str, location: str, value: Value) -> Any:
    """Open a question's page, as a browser would, and send its form with `value`."""
    page = client.get(location)
    assert page.status_code == 200, page.text
    data: dict[str, Any] = {"csrf_token": token, "state": hidden(page.text, "state")}
    if 'name="change" value="1"' in page.text:
        data["change"] = "1"
    return client.post(urlsplit(location).path, data={**data, **fields(value)})


def answer_all(
    client: TestClient,
    token: str,
    location: str,
    answers: Mapping[str, Any],
    asked: list[str] | None = None,
) -> str:
    """Answer each question asked from `answers` ("don't know" for the rest) until the
    check page; returns its address, and lists the questions asked in `asked`."""
    while "/assess/question/" in location:
        qid = question_id(location)
        if asked is not None:
            asked.append(qid)
        value = answers.get(qid, "dont_know")
        response = post(
            client, token, location, value if isinstance(value, list | dict) else str(value)
        )
        assert response.status_code == 303, response.text
        location = response.headers["location"]
    assert location.startswith("/assess/check?state="), location
    return location


def h1(html: str) -> str:
    headings = re.findall(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    assert len(headings) == 1, f"one h1 per page, found {len(headings)}"
    return " ".join(unescape(headings[0]).split())


def words(html: str) -> str:
    """A page's text, tags dropped and spaces collapsed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def assert_labelled(html: str) -> None:
    """Every visible input has a label (WCAG 2.2: 1.3.1, 3.3.2)."""
    for tag in re.findall(r"<input[^>]*>", html):
        if 'type="hidden"' in tag:
            continue
        found = re.search(r'id="([^"]+)"', tag)
        assert found, tag
        assert f'for="{found.group(1)}"' in html, f"no label for {tag}"


def cli_json(path: Path) -> dict[str, Any]:
    result = CliRunner().invoke(cli, ["assess", "--answers", str(path), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def plymouth_check(web_app: Any) -> str:
    """The check page's address after answering the Plymouth example's answers."""
    with TestClient(web_app, base_url="http://127.0.0.1:8765", follow_redirects=False) as c:
        location, token = start(c, "Plymouth <complex needs>")
        return answer_all(c, token, location, example())


# the whole way through


def test_the_start_page_offers_both_ways_in(client: TestClient) -> None:
    page = client.get("/assess")
    assert page.status_code == 200
    assert h1(page.text) == "Assess a service"
    assert 'action="/assess/start"' in page.text and 'name="title"' in page.text
    assert "Start now" in page.text
    assert 'action="/assess/upload"' in page.text and 'enctype="multipart/form-data"' in page.text
    assert 'name="answers_file"' in page.text
    assert_labelled(page.text)


def test_a_full_assessment_gives_the_clis_advice(client: TestClient, pack: RulePack) -> None:
    location, token = start(client, "Complex needs")
    assert location.startswith("/assess/question/complexity?state=")
    first = client.get(location)
    assert "Question 1 of" in first.text
    assert 'href="/assess" class="govuk-back-link"' in first.text
    assert h1(first.text) == pack.questions[0].text
    check = answer_all(client, token, location, example())

    page = client.get(check)
    assert page.status_code == 200 and h1(page.text) == "Check your answers"
    text = words(page.text)
    assert "Complex - outcomes cannot be reliably predicted" in text
    assert "Get the advice" in page.text

    result = client.get(check.replace("/assess/check", "/assess/result"))
    assert result.status_code == 200
    assert h1(result.text) == "Recommended route: Alliance contracting"
    cli_run = CliRunner().invoke(cli, ["assess", "--answers", str(PLYMOUTH)])
    assert "Recommended route: Alliance contracting" in cli_run.stdout
    text = words(result.text)
    assert "Confidence: moderate" in text
    assert "Why Alliance contracting" in text and "Why not Collaborative commissioning" in text
    assert "What would change the advice" in text
    assert "Legal and practical notes that apply" in text and "Checked " in text
    assert "Plymouth Alliance for complex needs" in text  # the similar real case
    assert 'href="https://councils.coop/case-study/plymouth-alliance-for-complex-needs"' in (
        result.text
    )
    for download in ("answers.yaml", "memo.md", "memo.docx", "result.json"):
        assert f"/assess/download/{download}?state=" in result.text


def test_a_question_page_is_one_accessible_form(client: TestClient) -> None:
    page = client.get("/assess/question/complexity")
    assert page.status_code == 200
    html = page.text
    assert '<fieldset class="govuk-fieldset"' in html and "govuk-fieldset__legend" in html
    assert 'class="govuk-radios__divider">or<' in html
    assert 'value="dont_know"' in html and "I don&#39;t know" in html
    assert 'id="answer-hint"' in html and "cause and effect are clear" in html
    assert_labelled(html)
    assert 'style="' not in html and "<script>" not in html


@pytest.mark.parametrize(
    ("qid", "markers"),
    [
        ("value", ['class="govuk-input__prefix" aria-hidden="true">£<', 'id="answer-dont-know"']),
        ("contract_term", ['class="govuk-input__suffix" aria-hidden="true">years<']),
        ("start_date", ['name="answer-day"', 'name="answer-month"', 'name="answer-year"']),
        (
            "suitable_for",
            ['type="checkbox"', 'value="none-of-these"', 'data-behaviour="exclusive"'],
        ),
        ("cpv", ['<label class="govuk-label" for="answer">CPV codes</label>']),
    ],
)
def test_each_kind_of_question_has_its_input(
    client: TestClient, qid: str, markers: list[str]
) -> None:
    page = client.get(f"/assess/question/{qid}")
    assert page.status_code == 200
    for marker in markers:
        assert marker in page.text
    assert_labelled(page.text)


# skipping, changing, don't know


def test_questions_whose_condition_does_not_hold_are_skipped(client: TestClient) -> None:
    asked: list[str] = []
    location, token = start(client)
    answers = {**example(), "providers": "one", "service_type": "goods"}
    check = answer_all(client, token, location, answers, asked)
    assert "providers" in asked and "shared_governance" not in asked
    assert "service_type" in asked and "mutual_reservable" not in asked
    assert not any(q.startswith("psr_") for q in asked)
    assert client.get(
        f"/assess/question/shared_governance?state={state_of(check)}"
    ).status_code == (404)

    asked.clear()
    location, token = start(client)
    answer_all(client, token, location, {**example(), "service_type": "health_psr"}, asked)
    assert "shared_governance" in asked
    assert {"psr_existing_provider", "psr_patient_choice"} <= set(asked)


def test_change_links_return_to_the_check_page(client: TestClient, plymouth_check: str) -> None:
    page = client.get(plymouth_check)
    token = csrf_token(client)
    listed = page.text.split('class="govuk-summary-list', 1)[1]
    links = [unescape(link) for link in re.findall(r'href="(/assess/question/[^"]+)"', listed)]
    assert all("change=1" in link for link in links)
    complexity = next(link for link in links if "/complexity?" in link)
    assert '<span class="govuk-visually-hidden"> How complex is the system' in page.text

    change = client.get(complexity)
    assert "/assess/check?state=" in change.text.split("govuk-back-link")[0]
    response = post(client, token, complexity, "simple")
    assert response.status_code == 303
    back = response.headers["location"]
    assert back.startswith("/assess/check?state=")
    assert "Simple - the need is well understood" in words(client.get(back).text)


def test_a_change_that_opens_questions_asks_them_before_the_check_page(
    client: TestClient,
) -> None:
    location, token = start(client)
    check = answer_all(client, token, location, {**example(), "providers": "one"})
    page = client.get(check)
    assert "Must those providers and the council share" not in page.text
    providers = next(
        unescape(link)
        for link in re.findall(r'href="(/assess/question/providers[^"]+)"', page.text)
    )
    response = post(client, token, providers, "several")
    opened = response.headers["location"]
    assert opened.startswith("/assess/question/shared_governance?") and "change=1" in opened
    response = post(client, token, opened, "yes")
    assert response.headers["location"].startswith("/assess/check?state=")
    assert (
        "Must those providers and the council share"
        in client.get(response.headers["location"]).text
    )

    providers = next(
        unescape(link)
        for link in re.findall(
            r'href="(/assess/question/providers[^"]+)"',
            client.get(response.headers["location"]).text,
        )
    )
    response = post(client, token, providers, "one")  # closes a question: straight back
    assert response.headers["location"].startswith("/assess/check?state=")


def test_dont_know_is_an_answer_on_every_kind_of_question(client: TestClient) -> None:
    location, token = start(client)
    check = answer_all(client, token, location, {})  # "don't know" to everything
    page = client.get(check)
    assert page.status_code == 200
    assert words(page.text).count("Don't know") >= 20
    result = client.get(check.replace("/assess/check", "/assess/result"))
    assert result.status_code == 200
    assert h1(result.text) == "No recommendation yet"
    text = words(result.text)
    assert "does not recommend it yet" in text or "tie at" in text
    assert 'Questions answered "I don\'t know"' in text


def test_typed_answers_are_read_as_officers_write_them(client: TestClient) -> None:
    location, token = start(client)
    answers = {
        **example(),
        "value": "£1.2m",
        "contract_term": "10",
        "start_date": {"day": "1", "month": "4", "year": "2027"},
        "suitable_for": ["sme", "vcse"],
        "cpv": "85311000-2; 85312000",
        "lots": "no",
    }
    check = answer_all(client, token, location, answers)
    text = words(client.get(check).text)
    assert "£1,200,000" in text and "10 years" in text and "2027-04-01" in text
    assert "Suitable for SMEs (small and medium-sized enterprises); Suitable for VCSEs" in text
    assert "85311000; 85312000" in text

    # the page shows the answer again when it is changed
    value = client.get(f"/assess/question/value?state={state_of(check)}&change=1")
    assert 'value="1,200,000"' in value.text
    dated = client.get(f"/assess/question/start_date?state={state_of(check)}&change=1").text
    assert 'name="answer-month" type="text" inputmode="numeric" value="4"' in dated


def test_none_of_these_is_an_answer_to_a_multiple_choice_question(client: TestClient) -> None:
    location, token = start(client)
    check = answer_all(client, token, location, {"suitable_for": ["none-of-these"]})
    assert "none of these" in words(client.get(check).text)
    page = client.get(f"/assess/question/suitable_for?state={state_of(check)}")
    assert 'value="none-of-these" checked' in page.text


# validation


@pytest.mark.parametrize(
    ("qid", "value", "message", "field"),
    [
        ("complexity", [], "Select an answer, or select I don't know", "answer"),
        ("complexity", "banana", "Select an answer, or select I don't know", "answer"),
        ("value", "", "Enter the amount, or select I don't know", "answer"),
        ("value", "lots", "is not a number", "answer"),
        ("value", "-5", "Below the minimum of £0", "answer"),
        (
            "value",
            ["5", "dont_know"],
            "Enter the amount or select I don't know, not both",
            "answer",
        ),
        ("contract_term", "", "Enter the number of years, or select I don't know", "answer"),
        ("cpv", "123abc", "is not a CPV code", "answer"),
        (
            "suitable_for",
            [],
            "Select all the answers that apply, or select None of these or I don't know",
            "answer",
        ),
        (
            "suitable_for",
            ["sme", "dont_know"],
            "Select None of these or I don't know on its own",
            "answer",
        ),
        ("start_date", {"day": "", "month": "", "year": ""}, "Enter the date", "answer-day"),
        (
            "start_date",
            {"day": "1", "month": "", "year": "2027"},
            "include a month",
            "answer-month",
        ),
        ("start_date", {"day": "31", "month": "2", "year": "2027"}, "a real date", "answer-day"),
        ("start_date", {"day": "1", "month": "2", "year": "27"}, "4 numbers", "answer-year"),
    ],
)
def test_an_answer_that_does_not_fit_shows_the_error_summary(
    client: TestClient, qid: str, value: Value, message: str, field: str
) -> None:
    token = csrf_token(client)
    page = client.get(f"/assess/question/{qid}")
    data = {"csrf_token": token, "state": hidden(page.text, "state"), **fields(value)}
    response = client.post(f"/assess/question/{qid}", data=data)
    assert response.status_code == 400
    html = response.text
    assert "govuk-error-summary" in html and "There is a problem" in html
    summary = html.split("govuk-error-summary__list")[1].split("</ul>")[0]
    assert f'href="#{field}"' in summary and message in unescape(summary)
    assert f'id="{field}"' in html, "the summary links to a field on the page"
    assert 'class="govuk-error-message"' in html and message in unescape(html)
    assert "<title>Error: " in html
    assert "govuk-form-group--error" in html


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    qid=st.sampled_from(["value", "contract_term", "cpv"]),
    text=st.text(max_size=60),
)
def test_any_text_in_a_typed_field_is_taken_or_refused_never_a_500(
    client: TestClient, qid: str, text: str
) -> None:
    token = csrf_token(client)
    page = client.get(f"/assess/question/{qid}")
    data = {"csrf_token": token, "state": hidden(page.text, "state"), "answer": text}
    response = client.post(f"/assess/question/{qid}", data=data)
    assert response.status_code in (303, 400), response.text
    if response.status_code == 303:
        assert client.get(response.headers["location"]).status_code == 200


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(parts=st.fixed_dictionaries({p: st.text(max_size=8) for p in ("day", "month", "year")}))
def test_any_date_parts_are_taken_or_refused_never_a_500(
    client: TestClient, parts: dict[str, str]
) -> None:
    token = csrf_token(client)
    page = client.get("/assess/question/start_date")
    data = {"csrf_token": token, "state": hidden(page.text, "state"), **fields(parts)}
    response = client.post("/assess/question/start_date", data=data)
    assert response.status_code in (303, 400), response.text


def test_a_service_name_over_200_characters_is_refused(client: TestClient) -> None:
    token = csrf_token(client)
    response = client.post("/assess/start", data={"csrf_token": token, "title": "x" * 201})
    assert response.status_code == 400
    assert 'href="#title"' in response.text and 'id="title"' in response.text
    assert "200 characters or fewer" in response.text


# downloads


def test_the_answers_file_reads_back_to_the_same_answers(
    client: TestClient, plymouth_check: str, pack: RulePack, tmp_path: Path
) -> None:
    response = client.get(plymouth_check.replace("/check", "/download/answers.yaml"))
    assert response.status_code == 200
    disposition = response.headers["content-disposition"]
    assert disposition == 'attachment; filename="Plymouth-complex-needs-answers.yaml"'
    saved = tmp_path / "answers.yaml"
    saved.write_bytes(response.content)
    answers, dont_know = read_answers_file_settled(saved, pack)
    original, _ = read_answers_file_settled(PLYMOUTH, pack)
    assert answers == original
    assert "innovation" in dont_know and "complexity" not in dont_know

    again = CliRunner().invoke(cli, ["assess", "--answers", str(saved)])
    assert again.exit_code == 0, again.output
    assert "Recommended route: Alliance contracting" in again.stdout


def test_the_json_is_the_clis(client: TestClient, plymouth_check: str) -> None:
    response = client.get(plymouth_check.replace("/check", "/download/result.json"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["content-disposition"].endswith('-result.json"')
    ours = json.loads(response.content)
    theirs = cli_json(PLYMOUTH)
    for data in (ours, theirs):  # the day it was assessed on, if the day turned meanwhile
        data.pop("procurement_date")
    assert ours == theirs


def test_the_memo_downloads_as_markdown_and_word(client: TestClient, plymouth_check: str) -> None:
    memo = client.get(plymouth_check.replace("/check", "/download/memo.md"))
    assert memo.status_code == 200
    assert memo.headers["content-disposition"].endswith('-memo.md"')
    text = memo.content.decode("utf-8")
    assert text.startswith("# Commissioning route recommendation: Plymouth <complex needs>")
    assert "**Recommended route: Alliance contracting**" in text
    assert "svadvisor-replay" in text or "replay" in text

    word = client.get(plymouth_check.replace("/check", "/download/memo.docx"))
    assert word.status_code == 200
    assert word.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert word.content[:2] == b"PK"
    import docx

    document = docx.Document(io.BytesIO(word.content))
    assert any("Alliance contracting" in p.text for p in document.paragraphs)


def test_without_pandoc_the_word_memo_is_a_clear_page(
    client: TestClient, plymouth_check: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def missing(markdown: str) -> bytes:
        raise MissingExtraError("Word memos need pandoc")

    monkeypatch.setattr("svadvisor.memo.files.markdown_to_docx", missing)
    page = client.get(plymouth_check.replace("/check", "/download/memo.docx"))
    assert page.status_code == 501
    assert h1(page.text) == "The Word memo is not available"
    assert "/assess/download/memo.md?state=" in page.text
    assert "Traceback" not in page.text


# resuming


def test_resume_by_uploading_an_answers_file(client: TestClient) -> None:
    token = csrf_token(client)
    with PLYMOUTH.open("rb") as handle:
        response = client.post(
            "/assess/upload",
            data={"csrf_token": token},
            files={"answers_file": ("plymouth-alliance.yaml", handle, "application/yaml")},
        )
    assert response.status_code == 303
    location = response.headers["location"]
    assert question_id(location) == "innovation", "the first question the file leaves open"
    page = client.get(location)
    assert "plymouth-alliance" in page.text
    check = answer_all(client, token, location, {})
    result = client.get(check.replace("/assess/check", "/assess/result"))
    assert h1(result.text) == "Recommended route: Alliance contracting"


def test_a_complete_answers_file_resumes_at_the_check_page(
    client: TestClient, plymouth_check: str
) -> None:
    saved = client.get(plymouth_check.replace("/check", "/download/answers.yaml")).content
    token = csrf_token(client)
    response = client.post(
        "/assess/upload",
        data={"csrf_token": token},
        files={"answers_file": ("Plymouth-complex-needs-answers.yaml", saved, "application/yaml")},
    )
    assert response.status_code == 303
    assert response.headers["location"].startswith("/assess/check?state=")
    page = client.get(response.headers["location"])
    assert "Plymouth-complex-needs</span>" in page.text


@pytest.mark.parametrize(
    ("name", "body", "message"),
    [
        (None, b"", "Select an answers file"),
        ("answers.txt", b"complexity: complex\n", "must be a YAML file"),
        ("answers.yaml", b"complexity: [unclosed\n", "is not an answers file"),
        ("answers.yaml", b"", "is not an answers file"),
        ("answers.yaml", b"\xff\xfe\x00", "must be UTF-8 text"),
        ("answers.yaml", b"complexity: banana\n", "do not fit the rule pack"),
        ("answers.yaml", b"- a list\n", "do not fit the rule pack"),
        ("answers.yml", b"complexity: complex\nrecord:\n  budget: [1]\n", "do not fit"),
    ],
)
def test_an_upload_that_is_not_an_answers_file_shows_the_error_summary(
    client: TestClient, name: str | None, body: bytes, message: str
) -> None:
    token = csrf_token(client)
    files = {"answers_file": (name or "", body, "application/octet-stream")}
    response = client.post("/assess/upload", data={"csrf_token": token}, files=files)
    assert response.status_code == 400
    html = response.text
    assert "govuk-error-summary" in html and 'href="#answers_file"' in html
    assert message in unescape(html)
    assert 'id="answers_file"' in html and "govuk-file-upload--error" in html
    assert "Traceback" not in html


# what a forged link, a missing token or an unknown page gets


@pytest.mark.parametrize(
    "path",
    [
        "/assess/question/complexity",
        "/assess/check",
        "/assess/result",
        "/assess/download/answers.yaml",
        "/assess/download/memo.md",
        "/assess/download/memo.docx",
        "/assess/download/result.json",
    ],
)
def test_a_forged_state_is_a_400_page(client: TestClient, plymouth_check: str, path: str) -> None:
    real = state_of(plymouth_check)
    forged = real[:-3] + ("AAA" if not real.endswith("AAA") else "BBB")
    for token in (forged, "not-a-token"):
        page = client.get(path, params={"state": token})
        assert page.status_code == 400
        assert "not one this svadvisor made" in page.text
        assert "govuk-template" in page.text and "Traceback" not in page.text


def test_a_forged_state_in_a_form_is_a_400_page(client: TestClient) -> None:
    token = csrf_token(client)
    response = client.post(
        "/assess/question/complexity",
        data={"csrf_token": token, "state": "forged.token", "answer": "complex"},
    )
    assert response.status_code == 400
    assert "not one this svadvisor made" in response.text


def test_a_post_without_its_csrf_token_is_refused(client: TestClient) -> None:
    csrf_token(client)  # the cookie is set; the field is missing
    for path, data in (
        ("/assess/start", {"title": "x"}),
        ("/assess/question/complexity", {"answer": "complex"}),
    ):
        assert client.post(path, data=data).status_code == 403
    with PLYMOUTH.open("rb") as handle:
        response = client.post("/assess/upload", files={"answers_file": ("a.yaml", handle)})
    assert response.status_code == 403


def test_unknown_and_closed_questions_are_404_pages(client: TestClient) -> None:
    assert client.get("/assess/question/no_such_question").status_code == 404
    assert client.get("/assess/question/shared_governance").status_code == 404  # gate unanswered
    assert client.get("/assess/start").status_code == 405


def test_the_service_name_is_shown_escaped(client: TestClient) -> None:
    location, token = start(client, "<script>alert(1)</script>")
    check = answer_all(client, token, location, example())
    for path in (check, check.replace("/assess/check", "/assess/result"), location):
        html = client.get(path).text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "<script>alert(1)" not in html
    name = client.get(check.replace("/check", "/download/memo.md")).headers["content-disposition"]
    assert name == 'attachment; filename="script-alert-1-script-memo.md"'


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(title=st.text(max_size=80))
def test_any_service_name_survives_the_answers_file(
    client: TestClient, pack: RulePack, title: str
) -> None:
    location, _ = start(client, title)
    saved = client.get(location.replace("/question/complexity", "/download/answers.yaml"))
    assert saved.status_code == 200
    state = read_upload(pack, "answers.yaml", saved.content)
    assert state.answers == {} and state.dont_know == []
    assert client.get(location.replace("/question/complexity", "/check")).status_code == 200


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(token=st.text(max_size=120))
def test_any_state_in_a_link_is_a_page_never_a_500(client: TestClient, token: str) -> None:
    page = client.get("/assess/check", params={"state": token})
    assert page.status_code in (200, 400)


def test_without_a_recommendation_the_result_says_what_to_answer_first(
    client: TestClient,
) -> None:
    location, token = start(client)
    response = post(client, token, location, "complex")
    partial = state_of(response.headers["location"])
    result = client.get("/assess/result", params={"state": partial})
    assert result.status_code == 200
    assert h1(result.text) == "No recommendation yet"
    text = words(result.text)
    assert "tie at" in text and "Confidence: insufficient" in text
    assert "Answer these questions first" in text
    assert re.search(
        r'href="/assess/question/specification\?state=[^"]+&amp;change=1"', result.text
    )
    assert 'not answered yet count as "I don\'t know"' in text


def test_a_result_seen_before_is_the_same_page_and_the_kept_pages_are_bounded(
    web_app: Any, pack: RulePack
) -> None:
    from tests.web.conftest import BASE_URL, SECRET

    from svadvisor.web.assess import RESULT_PAGES_KEPT
    from svadvisor.web.state import AnswerState, StateCodec

    answers, dont_know = read_answers_file_settled(PLYMOUTH, pack)
    codec = StateCodec(SECRET, pack)
    with TestClient(web_app, base_url=BASE_URL) as client:
        tokens = [
            codec.dumps(AnswerState(answers, list(dont_know), f"Service {n}"))
            for n in range(RESULT_PAGES_KEPT + 2)
        ]
        first = client.get("/assess/result", params={"state": tokens[0]})
        again = client.get("/assess/result", params={"state": tokens[0]})
        assert first.status_code == again.status_code == 200
        assert first.text == again.text and "Service 0" in first.text
        for token in tokens[1:]:
            assert client.get("/assess/result", params={"state": token}).status_code == 200
        kept = next(
            route.endpoint.__self__.results  # type: ignore[union-attr]
            for route in web_app.routes
            if getattr(route, "path", "") == "/assess/result"
        )
        assert len(kept) == RESULT_PAGES_KEPT
        forged = client.get("/assess/result", params={"state": tokens[0][:-4] + "AAAA"})
        assert forged.status_code == 400


def test_a_service_name_from_an_upload_is_one_printable_line(client: TestClient) -> None:
    token = csrf_token(client, "/assess")
    name = "ctl\x0b\x1b[31mred\x08-answers.yaml"
    response = client.post(
        "/assess/upload",
        data={"csrf_token": token},
        files={"answers_file": (name, PLYMOUTH.read_bytes())},
    )
    assert response.status_code == 303
    page = client.get(response.headers["location"])
    caption = re.search(r'svadvisor-service">([^<]*)<', page.text)
    assert caption is not None and "red" in caption.group(1)
    assert all(c.isprintable() for c in caption.group(1))
    assert "\x1b" not in page.text and "\x0b" not in page.text and "\x08" not in page.text


def test_read_upload_cleans_a_raw_file_name(pack: RulePack) -> None:
    state = read_upload(pack, "ctl\x0b\x1b[31mred\x08-answers.yaml", PLYMOUTH.read_bytes())
    assert state.title == "ctl [31mred"


def uploaded(client: TestClient, name: str, text: str) -> str:
    """Upload an answers file from the start page; the state it leads to."""
    response = client.post(
        "/assess/upload",
        data={"csrf_token": csrf_token(client, "/assess")},
        files={"answers_file": (name, text.encode())},
    )
    assert response.status_code == 303, response.text
    return state_of(response.headers["location"])


def test_an_uploaded_decision_record_reaches_the_memo_and_the_answers_file(
    client: TestClient, pack: RulePack
) -> None:
    text = PLYMOUTH.read_text(encoding="utf-8") + (
        "record:\n  prepared_by: Jo Bloggs, Commissioning Officer\n  budget: 1250000\n"
    )
    state = uploaded(client, "plymouth-answers.yaml", text)
    memo = client.get("/assess/download/memo.md", params={"state": state})
    assert memo.status_code == 200 and "Jo Bloggs, Commissioning Officer" in memo.text
    saved = client.get("/assess/download/answers.yaml", params={"state": state}).text
    assert yaml.safe_load(saved)["record"] == {
        "prepared_by": "Jo Bloggs, Commissioning Officer",
        "budget": 1250000,
    }
    again = read_upload(pack, "plymouth-answers.yaml", saved.encode())
    assert again.record is not None and again.record.prepared_by.startswith("Jo Bloggs")


def test_answers_that_do_not_apply_are_named_on_the_check_page(
    client: TestClient, pack: RulePack
) -> None:
    text = 'complexity: complex\nproviders: one\nshared_governance: "yes"\n'
    check = client.get("/assess/check", params={"state": uploaded(client, "g-answers.yaml", text)})
    assert "1 answer given does not apply to the service as answered" in words(check.text)
    gated = pack.question("shared_governance")
    assert gated is not None
    assert f"<li>{gated.text}</li>" in unescape(check.text)
