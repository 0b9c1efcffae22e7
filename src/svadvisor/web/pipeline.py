"""Score a pipeline: upload a sheet, see what `svadvisor batch` makes of it, download the
scored sheet, the rows not scored and the pipeline report. The upload travels in the
result page (a signed hidden field), never in a store on the server; each download scores
it again in a temporary folder."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import Receive, Scope, Send

from svadvisor.web.context import WebContext
from svadvisor.web.limits import refuse_if_too_large
from svadvisor.web.pipeline_run import (
    KINDS,
    BatchRefused,
    Download,
    display_name,
    download,
    scored_result,
    upload_suffix,
)
from svadvisor.web.upload_token import UPLOAD_FIELD, BadUpload, Upload, token_limit

FILE_FIELD = "pipeline_file"
SHEET_FIELD = "sheet"
TITLE = "Score a pipeline"
NO_FILE = "Select a file"
EMPTY_FILE = "The selected file is empty. Select a file with a header row and a row per contract"
WRONG_TYPE = "The selected file must be a CSV or Excel (.xlsx) file"


def routes(context: WebContext) -> list[BaseRoute]:
    pages = context.pages
    limit = token_limit(context.settings.max_upload_bytes)
    pack_values = {"pack_name": context.pack.meta.name, "pack_version": context.pack.meta.version}

    def form_page(
        request: Request, *, error: str = "", sheet: str = "", status: int = 200
    ) -> HTMLResponse:
        return pages.render(
            request,
            "pipeline/upload.html",
            {
                "file_field": FILE_FIELD,
                "sheet_field": SHEET_FIELD,
                "file_error": error,
                "sheet": sheet,
                "errors": [(FILE_FIELD, error)] if error else [],
                "questions": context.pack.questions,
                **pack_values,
            },
            status=status,
            title=TITLE,
        )

    async def start(request: Request) -> HTMLResponse:
        return form_page(request)

    async def score(request: Request) -> HTMLResponse:
        form = await pages.form(request)
        try:
            sheet_field = form.get(SHEET_FIELD)
            sheet = sheet_field.strip() if isinstance(sheet_field, str) else ""
            file = form.get(FILE_FIELD)
            if isinstance(file, UploadFile):
                refuse_if_too_large(file.size, context.settings.max_upload_bytes)
            problem, upload = await _read_upload(file, sheet)
        finally:
            await form.close()
        if upload is None:
            return form_page(request, error=problem, sheet=sheet, status=400)
        try:
            view = await run_in_threadpool(scored_result, upload, context.pack, context.library)
        except BatchRefused as exc:
            return form_page(request, error=str(exc), sheet=sheet, status=400)
        return pages.render(
            request,
            "pipeline/result.html",
            {
                "view": view,
                "upload_field": UPLOAD_FIELD,
                "token": await run_in_threadpool(context.uploads.dumps, upload),
                **pack_values,
            },
            title=f"Pipeline scored: {view.name}",
        )

    async def fetch(request: Request) -> Response:
        kind = next((k for k in KINDS if k == request.path_params["kind"]), None)
        if kind is None:
            raise HTTPException(404)
        form = await pages.form(request, max_part_size=limit)
        try:
            upload = context.uploads.loads(form.get(UPLOAD_FIELD))
        except BadUpload as exc:
            return pages.error(request, 400, f"The download could not be made: {exc}.")
        finally:
            await form.close()
        try:
            file = await run_in_threadpool(download, upload, kind, context.pack, context.library)
        except BatchRefused as exc:
            return pages.error(request, 400, str(exc))
        return _SentThenRemoved(file)

    return [
        Route("/pipeline", start, methods=["GET"]),
        Route("/pipeline", score, methods=["POST"]),
        Route("/pipeline/download/{kind}", fetch, methods=["POST"]),
    ]


async def _read_upload(file: object, sheet: str) -> tuple[str, Upload | None]:
    """The upload, or why it cannot be scored (the error summary's message)."""
    if not isinstance(file, UploadFile) or not file.filename:
        return NO_FILE, None
    suffix = upload_suffix(file.filename)
    if suffix is None:
        return WRONG_TYPE, None
    content = await file.read()
    if not content:
        return EMPTY_FILE, None
    return "", Upload(display_name(file.filename), suffix, sheet or None, content)


class _SentThenRemoved(FileResponse):
    """A download sent from its file, whose temporary folder is removed once it is sent,
    and also when the browser goes away part way."""

    def __init__(self, download: Download) -> None:
        super().__init__(
            download.path,
            media_type=download.media_type,
            headers={"Content-Disposition": f'attachment; filename="{download.path.name}"'},
        )
        self._download = download

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self._download.remove()
