"""Pages in the GOV.UK Frontend template: one Jinja2 environment with autoescape on, the
CSRF token in every form, and error pages (400, 403, 404, 405, 413, 500) in the same
template, so no user's mistake ever shows a traceback or a bare error."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse

import svadvisor
from svadvisor.web.security import CSRF_COOKIE, CSRF_FIELD, Csrf
from svadvisor.web.settings import WebSettings

NAVIGATION = (
    ("/", "Home"),
    ("/assess", "Assess a service"),
    ("/pipeline", "Score a pipeline"),
    ("/guides", "Guides and notes"),
)
"""The service navigation: (path, label). A page is "current" when its path starts with one."""

MAX_FIELDS = 200
MAX_FIELD_BYTES = 256 * 1024
"""Limits on a form's ordinary fields (an answers state is a few kilobytes)."""

ERROR_TITLES = {
    400: "There is a problem with the request",
    403: "This form has expired or did not come from this page",
    404: "Page not found",
    405: "That action is not allowed here",
    413: "The file is too large",
    500: "Sorry, there is a problem with svadvisor",
}


class CsrfRefused(HTTPException):
    """A POST whose CSRF token is missing or does not match: refused with a 403 page."""

    def __init__(self) -> None:
        super().__init__(403, ERROR_TITLES[403])


class Pages:
    """Renders templates with what every page needs."""

    def __init__(self, settings: WebSettings, csrf: Csrf) -> None:
        self.settings = settings
        self.csrf = csrf
        self.environment = Environment(
            loader=PackageLoader("svadvisor.web", "templates"),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.environment.globals.update(
            settings=settings,
            navigation=NAVIGATION,
            version=svadvisor.__version__,
            csrf_field=CSRF_FIELD,
        )

    def render(
        self,
        request: Request,
        template: str,
        context: Mapping[str, Any] | None = None,
        *,
        status: int = 200,
        title: str = "",
    ) -> HTMLResponse:
        """The page, with the request's CSRF token in its forms (and the cookie set when
        the browser had none)."""
        token, cookie = self.csrf.token(request)
        values = {
            "request_path": request.url.path,
            "csrf_token": token,
            "page_title": title,
            "errors": [],
            **(context or {}),
        }
        body = self.environment.get_template(template).render(values)
        response = HTMLResponse(body, status_code=status)
        if cookie is not None:
            response.set_cookie(CSRF_COOKIE, cookie, httponly=True, samesite="strict", path="/")
        return response

    def error(self, request: Request, status: int, detail: str = "") -> HTMLResponse:
        title = ERROR_TITLES.get(status, ERROR_TITLES[400])
        return self.render(
            request, "error.html", {"status": status, "detail": detail}, status=status, title=title
        )

    async def form(self, request: Request, *, max_part_size: int = MAX_FIELD_BYTES) -> FormData:
        """The POSTed form, CSRF-checked (CsrfRefused otherwise). Uploaded files are
        spooled to temporary storage; their total size is capped by the app's body limit.
        `max_part_size` is for a form whose field carries a whole upload (a pipeline's)."""
        try:
            form = await request.form(
                max_files=2, max_fields=MAX_FIELDS, max_part_size=max_part_size
            )
        except ClientDisconnect:  # the officer left mid-upload: nobody to answer
            raise HTTPException(400, "The upload stopped before it was complete.") from None
        if not self.csrf.check(request, form):
            await form.close()
            raise CsrfRefused
        return form
