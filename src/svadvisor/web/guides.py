"""(Being written.)"""

from __future__ import annotations

from starlette.routing import BaseRoute

from svadvisor.web.context import WebContext


def routes(context: WebContext) -> list[BaseRoute]:
    return []
