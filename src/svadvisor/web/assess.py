"""Assess a service in the browser: a start page, one question per page, "Check your
answers", the advice, and its downloads (answers file, memo, JSON).

The officer's answers travel in a signed `state` token (a link parameter or a hidden
field), never on the server. The handlers here only speak HTTP: what a page shows is
worked out in `svadvisor.web.assessment_view` and `svadvisor.web.question_form`.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import date
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from svadvisor.errors import SvadvisorError
from svadvisor.interview import Interview
from svadvisor.memo import memo_docx
from svadvisor.rulepack.schema import Question
from svadvisor.scoring.assessment import Assessment
from svadvisor.web import assessment_view as view
from svadvisor.web.context import WebContext
from svadvisor.web.limits import refuse_if_too_large
from svadvisor.web.question_form import (
    ANSWER,
    FormProblem,
    QuestionForm,
    Submitted,
    question_form,
    read_answer,
)
from svadvisor.web.state import STATE_FIELD, AnswerState, BadState

UPLOAD_FIELD = "answers_file"
TITLE_FIELD = "title"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def routes(context: WebContext) -> list[BaseRoute]:
    pages = AssessPages(context)
    return [
        Route("/assess", pages.start, methods=["GET"]),
        Route("/assess/start", pages.begin, methods=["POST"]),
        Route("/assess/upload", pages.upload, methods=["POST"]),
        Route("/assess/question/{qid}", pages.question, methods=["GET"]),
        Route("/assess/question/{qid}", pages.answer, methods=["POST"]),
        Route("/assess/check", pages.check, methods=["GET"]),
        Route("/assess/result", pages.result, methods=["GET"]),
        Route("/assess/download/answers.yaml", pages.answers_file, methods=["GET"]),
        Route("/assess/download/memo.md", pages.memo_markdown, methods=["GET"]),
        Route("/assess/download/memo.docx", pages.memo_word, methods=["GET"]),
        Route("/assess/download/result.json", pages.result_json, methods=["GET"]),
    ]


def link(path: str, token: str, *, change: bool = False) -> str:
    """A page of the assessment, carrying the answers."""
    query = {STATE_FIELD: token, **({"change": "1"} if change else {})}
    return f"{path}?{urlencode(query)}"


def question_path(question: Question) -> str:
    return f"/assess/question/{question.id}"


def _field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def submitted(form: FormData) -> Submitted:
    """A question form's fields (an uploaded file in their place counts as nothing)."""
    return Submitted(
        tuple(value for value in form.getlist(ANSWER) if isinstance(value, str)),
        *(_field(form, f"{ANSWER}-{part}") for part in ("day", "month", "year")),
    )


def attachment(body: str | bytes, media_type: str, name: str) -> Response:
    """A download, named safely (`name` is built from `safe_file_stem`)."""
    return Response(
        body,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


RESULT_PAGES_KEPT = 256
"""Result pages kept for a revisit (each some 56 KB: at most about 15 MB)."""


class AssessPages:
    """The assessment's handlers, over the shared rule pack, case library and renderer."""

    def __init__(self, context: WebContext) -> None:
        self.context = context
        self.pack = context.pack
        self.pages = context.pages
        self.results: OrderedDict[tuple[str, date], bytes] = OrderedDict()
        """Result pages already made, by the link's state token and the day (the advice
        is a function of both): going back to the advice, or reloading it, is served
        from here. A cache, not a store: losing it loses nothing."""

    # the state and the question a request names

    def _state(self, token: str | None) -> AnswerState:
        """The answers a link or form carries; a 400 page when it is not one we made."""
        try:
            return self.context.codec.loads(token)
        except BadState as exc:
            message = str(exc)
            raise HTTPException(
                400,
                f"The link or form is not one this svadvisor made, or its answers no longer "
                f"fit the rule pack ({message}). Start the assessment again.",
            ) from None

    def _interview(self, token: str | None) -> tuple[AnswerState, Interview]:
        state = self._state(token)
        return state, view.interview_for(self.pack, state)

    def _question(self, interview: Interview, question_id: str) -> Question:
        question = view.applicable_question(interview, question_id)
        if question is None:
            raise HTTPException(404)
        return question

    def _next(self, interview: Interview, token: str, change: bool) -> str:
        """The next question the answers leave open, else "Check your answers"."""
        question = interview.next_question()
        if question is None:
            return link("/assess/check", token)
        return link(question_path(question), token, change=change)

    # start

    def _start_page(
        self,
        request: Request,
        errors: list[tuple[str, str]] | None = None,
        title: str = "",
        status: int = 200,
    ) -> HTMLResponse:
        errors = errors or []
        return self.pages.render(
            request,
            "assess/start.html",
            {
                "errors": errors,
                "title_value": title,
                "title_error": next((m for f, m in errors if f == TITLE_FIELD), ""),
                "upload_errors": [m for f, m in errors if f == UPLOAD_FIELD],
                "max_title": view.MAX_TITLE,
            },
            status=status,
            title="Assess a service",
        )

    async def start(self, request: Request) -> HTMLResponse:
        return self._start_page(request)

    async def begin(self, request: Request) -> Response:
        form = await self.pages.form(request)
        title = view.one_line(_field(form, TITLE_FIELD))
        if len(title) > view.MAX_TITLE:
            message = f"The service's name must be {view.MAX_TITLE} characters or fewer"
            return self._start_page(request, [(TITLE_FIELD, message)], title, 400)
        interview = view.interview_for(self.pack, AnswerState(title=title))
        token = self.context.codec.dumps(view.state_of(interview, title))
        return RedirectResponse(self._next(interview, token, False), 303)

    async def upload(self, request: Request) -> Response:
        form = await self.pages.form(request)
        try:
            file = form.get(UPLOAD_FIELD)
            if not isinstance(file, UploadFile) or not file.filename:
                problem = view.UploadProblem(["Select an answers file"])
                return self._start_page(request, [(UPLOAD_FIELD, problem.lines[0])], status=400)
            refuse_if_too_large(file.size, self.context.settings.max_upload_bytes)
            state = view.read_upload(self.pack, file.filename, await file.read())
        except view.UploadProblem as problem:
            errors = [(UPLOAD_FIELD, line) for line in problem.lines]
            return self._start_page(request, errors, status=400)
        finally:
            await form.close()
        interview = view.interview_for(self.pack, state)
        token = self.context.codec.dumps(view.state_of(interview, state.title, state.record))
        return RedirectResponse(self._next(interview, token, False), 303)

    # one question per page

    def _question_page(
        self,
        request: Request,
        state: AnswerState,
        interview: Interview,
        form: QuestionForm,
        change: bool,
        status: int = 200,
    ) -> HTMLResponse:
        question = form.question
        token = self.context.codec.dumps(state)
        previous = view.previous_question(interview, question)
        if change:
            back = link("/assess/check", token)
        elif previous is not None:
            back = link(question_path(previous), token)
        else:
            back = "/assess"
        number, total = interview.progress(question)
        return self.pages.render(
            request,
            "assess/question.html",
            {
                "form": form,
                "state_token": token,
                "service": state.title,
                "change": change,
                "back": back,
                "number": number,
                "total": total,
                "action": question_path(question),
                "errors": [(form.error_id, form.error)] if form.error else [],
            },
            status=status,
            title=question.text,
        )

    async def question(self, request: Request) -> HTMLResponse:
        state, interview = self._interview(request.query_params.get(STATE_FIELD))
        question = self._question(interview, request.path_params["qid"])
        change = request.query_params.get("change") == "1"
        form = question_form(question, interview)
        return self._question_page(request, state, interview, form, change)

    async def answer(self, request: Request) -> Response:
        form = await self.pages.form(request)
        state, interview = self._interview(_field(form, STATE_FIELD))
        question = self._question(interview, request.path_params["qid"])
        change = _field(form, "change") == "1"
        given = submitted(form)
        try:
            value = read_answer(question, given, interview)
        except FormProblem as problem:
            shown = question_form(question, interview, given, problem)
            return self._question_page(request, state, interview, shown, change, 400)
        interview.record(question.id, value)
        token = self.context.codec.dumps(view.state_of(interview, state.title, state.record))
        return RedirectResponse(self._next(interview, token, change), 303)

    # check, result, downloads

    async def check(self, request: Request) -> HTMLResponse:
        state, interview = self._interview(request.query_params.get(STATE_FIELD))
        token = self.context.codec.dumps(state)
        rows = view.check_rows(interview)
        return self.pages.render(
            request,
            "assess/check.html",
            {
                "rows": rows,
                "service": state.title,
                "missing": len(interview.missing()),
                "set_aside": view.set_aside(interview),
                "links": self._links(token),
                "question_links": self._question_links(interview, token),
                "back": link(question_path(rows[-1].question), token) if rows else "/assess",
            },
            title="Check your answers",
        )

    @staticmethod
    def _question_links(interview: Interview, token: str) -> dict[str, str]:
        """Each applicable question's page, to change its answer and come back."""
        return {q.id: link(question_path(q), token, change=True) for q in interview.applicable()}

    def _links(self, token: str) -> dict[str, str]:
        """Where each of the assessment's pages and downloads is, for these answers."""
        pages: dict[str, str] = {
            "check": link("/assess/check", token),
            "result": link("/assess/result", token),
        }
        for name in ("answers.yaml", "memo.md", "memo.docx", "result.json"):
            pages[name] = link(f"/assess/download/{name}", token)
        return pages

    def _assessed(self, request: Request) -> tuple[AnswerState, Interview, Assessment, date]:
        """The answers a link carries, assessed today (as `svadvisor assess` does)."""
        state, interview = self._interview(request.query_params.get(STATE_FIELD))
        today = date.today()
        assessment = view.assess(self.pack, self.context.library, interview, today)
        return state, interview, assessment, today

    async def result(self, request: Request) -> HTMLResponse:
        key = (request.query_params.get(STATE_FIELD) or "", date.today())
        made = self.results.get(key)
        if made is not None:
            self.results.move_to_end(key)
            return HTMLResponse(made)
        response = self._result(request)
        self.results[key] = bytes(response.body)
        if len(self.results) > RESULT_PAGES_KEPT:
            self.results.popitem(last=False)
        return response

    def _result(self, request: Request) -> HTMLResponse:
        state, interview, assessment, today = self._assessed(request)
        token = self.context.codec.dumps(state)
        result = view.result_view(self.pack, assessment, interview, state.title, today)
        return self.pages.render(
            request,
            "assess/result.html",
            {
                **result,
                "service": state.title,
                "links": self._links(token),
                "question_links": self._question_links(interview, token),
                "question_texts": {q.id: q.text for q in self.pack.questions},
            },
            title="Your advice",
        )

    async def answers_file(self, request: Request) -> Response:
        state, interview = self._interview(request.query_params.get(STATE_FIELD))
        text = view.answers_yaml(self.pack, interview, state.title, date.today(), state.record)
        name = f"{view.file_stem(state.title)}{view.ANSWERS_STEM}.yaml"
        return attachment(text, "application/yaml", name)

    async def memo_markdown(self, request: Request) -> Response:
        state, _, assessment, today = self._assessed(request)
        text = view.memo_markdown(self.pack, assessment, state.title, today, state.record)
        return attachment(text, "text/markdown", f"{view.file_stem(state.title)}-memo.md")

    async def memo_word(self, request: Request) -> Response:
        state, _, assessment, today = self._assessed(request)
        name = f"{view.file_stem(state.title)}-memo.docx"
        text = view.memo_markdown(self.pack, assessment, state.title, today, state.record)
        try:
            data = await run_in_threadpool(memo_docx, text, name)  # pandoc: a second or so
        except SvadvisorError as exc:
            token = self.context.codec.dumps(state)
            return self.pages.render(
                request,
                "assess/no_word.html",
                {"detail": str(exc), "links": self._links(token), "service": state.title},
                status=501,
                title="The Word memo is not available",
            )
        return attachment(data, DOCX_TYPE, name)

    async def result_json(self, request: Request) -> Response:
        state, _, assessment, _ = self._assessed(request)
        name = f"{view.file_stem(state.title)}-result.json"
        return attachment(assessment.model_dump_json(indent=2), "application/json", name)
