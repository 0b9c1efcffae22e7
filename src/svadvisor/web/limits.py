"""How large a request body may be, enforced inside the security headers so that a 413
is the app's own page, with its headers (Starlette's own limit answers a declared
Content-Length over it in plain text, outside every middleware)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

FORM_SLACK = 64 * 1024
"""Room for a form's other fields and the multipart boundaries around an upload."""


class BodyLimit:
    """Refuse a body over the limit for its path: at once when its Content-Length says
    so, else (a chunked body) when the bytes received pass it."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        default: int,
        by_prefix: Mapping[str, int],
        too_large: Callable[[Request], Awaitable[Response] | Response],
    ) -> None:
        self.app = app
        self.default = default
        self.by_prefix = dict(by_prefix)
        self.too_large = too_large

    def limit(self, path: str) -> int:
        return next(
            (size for prefix, size in self.by_prefix.items() if path.startswith(prefix)),
            self.default,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit(str(scope.get("path", "")))
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            made = self.too_large(Request(scope))
            response = made if isinstance(made, Response) else await made
            await response(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise HTTPException(413)
            return message

        await self.app(scope, counted, send)


def refuse_if_too_large(size: int | None, limit: int) -> None:
    """A 413 for an uploaded file over the limit itself (the body's limit allows a little
    more, for the form's other fields)."""
    if size is not None and size > limit:
        raise HTTPException(413)
