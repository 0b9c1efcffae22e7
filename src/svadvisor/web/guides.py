"""The guides: each route's guide, the legal notes, the glossary, the case studies, a
search over them all, and the about page. Read-only pages of what `svadvisor routes`,
`notes`, `glossary` and `cases` print, so an officer can read them in a browser."""

from __future__ import annotations

from datetime import date
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import BaseRoute, Route

from svadvisor.web import guide_content as content
from svadvisor.web.context import WebContext
from svadvisor.web.search import MAX_QUERY, search


def routes(context: WebContext) -> list[BaseRoute]:
    guides = Guides(context)
    return [
        Route("/guides", guides.index),
        Route("/guides/routes/{route_id}", guides.route),
        Route("/guides/notes", guides.notes),
        Route("/guides/glossary", guides.glossary),
        Route("/guides/cases", guides.cases),
        Route("/guides/cases/{case_id}", guides.case),
        Route("/guides/search", guides.search),
        Route("/about", guides.about),
    ]


class Guides:
    """The handlers: each looks up what its page shows and renders it (404 for an
    unknown id); the content is built by `guide_content`, the search by `search`."""

    def __init__(self, context: WebContext) -> None:
        self.context = context
        self.pack = context.pack
        self.library = context.library

    def _page(
        self,
        request: Request,
        template: str,
        title: str,
        values: dict[str, Any] | None = None,
        *,
        status: int = 200,
    ) -> HTMLResponse:
        data = {**content.HELPERS, "pack": self.pack, **(values or {})}
        return self.context.pages.render(request, template, data, status=status, title=title)

    async def index(self, request: Request) -> HTMLResponse:
        return self._page(
            request,
            "guides/index.html",
            "Guides and notes",
            {
                "notes_count": len(self.pack.notes),
                "terms_count": len(self.pack.glossary),
                "cases_count": len(self.library.cases) if self.library else 0,
            },
        )

    async def route(self, request: Request) -> HTMLResponse:
        route = self.pack.route(request.path_params["route_id"])
        if route is None:
            return self.context.pages.error(request, 404)
        return self._page(
            request,
            "guides/route.html",
            route.label,
            {
                "route": route,
                "sections": content.route_sections(route),
                "groups": content.groups_of(self.pack, route),
                "cases": self.library.on_route(route.id) if self.library else [],
            },
        )

    async def notes(self, request: Request) -> HTMLResponse:
        groups = content.notes_by_strength(self.pack, date.today())
        return self._page(
            request, "guides/notes.html", "Legal and practical notes", {"groups": groups}
        )

    async def glossary(self, request: Request) -> HTMLResponse:
        entries = content.glossary_entries(self.pack)
        return self._page(request, "guides/glossary.html", "Glossary", {"entries": entries})

    async def cases(self, request: Request) -> HTMLResponse:
        grouped = content.cases_by_route(self.pack, self.library) if self.library else []
        return self._page(
            request,
            "guides/cases.html",
            "Case studies",
            {"grouped": grouped, "has_library": self.library is not None},
        )

    async def case(self, request: Request) -> HTMLResponse:
        case = self.library.get(request.path_params["case_id"]) if self.library else None
        if case is None:
            return self.context.pages.error(request, 404)
        return self._page(
            request,
            "guides/case.html",
            case.name,
            {
                "case": case,
                "route": self.pack.route(case.route),
                "profile": content.case_profile(self.pack, case),
            },
        )

    async def search(self, request: Request) -> HTMLResponse:
        query = request.query_params.get("q", "")
        values: dict[str, Any] = {"query": query, "kinds": content.KINDS, "hits": []}
        if len(query) > MAX_QUERY:
            values["errors"] = [("q", f"Search terms must be {MAX_QUERY} characters or fewer")]
            return self._page(
                request, "guides/search.html", "Search the guides", values, status=400
            )
        if query.strip():
            documents = content.documents(self.pack, self.library, date.today())
            values["hits"] = search(documents, query)
        title = f"Search results for {query.strip()}" if query.strip() else "Search the guides"
        return self._page(request, "guides/search.html", title, values)

    async def about(self, request: Request) -> HTMLResponse:
        return self._page(request, "about.html", "About svadvisor")
