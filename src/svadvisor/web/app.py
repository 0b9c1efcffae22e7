"""The ASGI app: routes from each part (assessment, pipeline, guides), static files
from the package, the security middleware, and error pages for every status."""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from svadvisor.cases.matching import CaseLibrary
from svadvisor.rulepack.schema import RulePack
from svadvisor.web.context import WebContext
from svadvisor.web.limits import FORM_SLACK, BodyLimit
from svadvisor.web.pages import Pages
from svadvisor.web.security import SECURITY_HEADERS, Csrf, SecurityHeaders, allowed_hosts
from svadvisor.web.settings import LOGO_TYPES, WebSettings
from svadvisor.web.state import StateCodec
from svadvisor.web.upload_token import UploadCodec, token_limit

STATIC = Path(__file__).parent / "static"


def create_app(
    pack: RulePack,
    library: CaseLibrary | None,
    *,
    secret: str,
    settings: WebSettings | None = None,
    bound_host: str = "127.0.0.1",
    extra_hosts: tuple[str, ...] = (),
) -> Starlette:
    """The web app for one rule pack and case library (shared read-only by every request)."""
    settings = settings or WebSettings()
    csrf = Csrf(secret)
    pages = Pages(settings, csrf)
    context = WebContext(
        pack, library, settings, pages, StateCodec(secret, pack), csrf, UploadCodec(secret)
    )

    async def home(request: Request) -> HTMLResponse:
        return pages.render(
            request,
            "home.html",
            {"pack_name": pack.meta.name, "pack_version": pack.meta.version},
        )

    async def logo(request: Request) -> Response:
        if settings.logo is None:
            raise HTTPException(404)
        return FileResponse(settings.logo, media_type=LOGO_TYPES[settings.logo.suffix.lower()])

    async def error(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        detail = ""
        if isinstance(exc, HTTPException) and exc.detail and status in (400,):
            detail = str(exc.detail)
        response = pages.error(request, status, detail)
        if isinstance(exc, HTTPException) and exc.headers:  # a 405's Allow, say
            response.headers.update(exc.headers)
        if status == 500:  # sent from outside the middleware: add their headers here
            response.headers.update(SECURITY_HEADERS)
        return response

    routes: list[BaseRoute] = [
        Route("/", home),
        Route("/logo", logo),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
        *part_routes(context),
    ]
    return Starlette(
        routes=routes,
        middleware=[
            Middleware(SecurityHeaders),
            Middleware(
                TrustedHostMiddleware,
                allowed_hosts=allowed_hosts(bound_host, (*settings.allowed_hosts, *extra_hosts)),
            ),
            Middleware(
                BodyLimit,
                default=settings.max_upload_bytes + FORM_SLACK,
                by_prefix={"/pipeline/download/": token_limit(settings.max_upload_bytes)},
                too_large=lambda request: pages.error(request, 413),
            ),
        ],
        exception_handlers={HTTPException: error, Exception: error},
    )


def part_routes(context: WebContext) -> list[BaseRoute]:
    """The routes of each part of the app: the assessment, the pipeline, the guides."""
    from svadvisor.web import assess, guides, pipeline

    return [*assess.routes(context), *pipeline.routes(context), *guides.routes(context)]
