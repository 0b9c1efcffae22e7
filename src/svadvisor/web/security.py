"""What keeps the app safe on a council network: security headers on every response,
a Host allow-list (against DNS rebinding), and a CSRF token on every form.

The CSRF token is the double-submit pattern: a random token in a signed, HttpOnly,
SameSite=Strict cookie, and the same token in a hidden field of every form; a POST whose
field does not match its cookie is refused. No library fits forms that work without
JavaScript (starlette-csrf reads a header; asgi-csrf fails on multipart forms with
current python-multipart), so this is the few lines it takes, on itsdangerous.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
from collections.abc import Iterable

from itsdangerous import BadSignature, URLSafeSerializer
from starlette.datastructures import FormData, MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSRF_COOKIE = "svadvisor_csrf"
CSRF_FIELD = "csrf_token"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
"""No inline script or style anywhere: GOV.UK Frontend starts from an external module."""
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1", "[::1]")


class SecurityHeaders:
    """Adds SECURITY_HEADERS to every HTTP response, errors and static files included.
    Pages that carry answers are also marked not to be cached (`no-store`)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers[name] = value
                if not str(scope.get("path", "")).startswith("/static/"):
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, with_headers)


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses (127.0.0.0/8, ::1)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def allowed_hosts(bound: str, extra: Iterable[str] = ()) -> list[str]:
    """The Host header values the app answers: localhost names, the address it listens on
    (unless that is every address, 0.0.0.0 or ::), and the names a council adds."""
    hosts = list(LOOPBACK_NAMES)
    if bound not in ("0.0.0.0", "::", ""):
        hosts.append(bound)
        if ":" in bound and not bound.startswith("["):
            hosts.append(f"[{bound}]")
    hosts += [name for name in extra if name]
    return list(dict.fromkeys(hosts))


class Csrf:
    """Issues and checks the double-submit token, signed with the app's secret."""

    def __init__(self, secret: str) -> None:
        self._signer = URLSafeSerializer(secret, salt="svadvisor-csrf")

    def token(self, request: Request) -> tuple[str, str | None]:
        """The request's token, and the cookie value to set when it had none (or a
        forged one)."""
        found = self._read(request)
        if found is not None:
            return found, None
        fresh = secrets.token_urlsafe(32)
        return fresh, str(self._signer.dumps(fresh))

    def check(self, request: Request, form: FormData) -> bool:
        """Whether the form's token matches the request's signed cookie."""
        expected = self._read(request)
        given = form.get(CSRF_FIELD)
        if expected is None or not isinstance(given, str):
            return False
        return hmac.compare_digest(given.encode(), expected.encode())

    def _read(self, request: Request) -> str | None:
        raw = request.cookies.get(CSRF_COOKIE)
        if not raw:
            return None
        try:
            value = self._signer.loads(raw)
        except BadSignature:
            return None
        return value if isinstance(value, str) else None
