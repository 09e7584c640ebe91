"""What keeps the review page safe to run: access token, CSRF, security headers.

* Scraped text is data: templates autoescape and highlighting escapes every segment
  (``review.highlight``); on top of that the Content-Security-Policy allows scripts
  and styles only from ``/static``, so even a missed escape could not run code.
* State-changing requests carry a CSRF token: a signed double-submit cookie
  (itsdangerous).  The form field must equal the cookie and the signature must be
  ours, so a page on another site can neither read nor forge it.
* With an ``access_token`` configured every request needs it: ``Authorization:
  Bearer``, a ``?token=`` query (which sets a cookie and redirects to the clean URL),
  or that cookie.  ``check_bind`` refuses a non-loopback address without one.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from urllib.parse import urlencode

from itsdangerous import BadSignature, URLSafeSerializer
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from raqib.errors import ConfigError

CSRF_COOKIE = "raqib_csrf"
AUTH_COOKIE = "raqib_auth"
CSRF_FIELD = "csrf_token"

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self';"
       " connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",   # never leak the review URL (or a token) to outlets
    "Cross-Origin-Opener-Policy": "same-origin",
}


def is_loopback(host: str) -> bool:
    if host in ("localhost", "ip6-localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_bind(host: str, access_token: str) -> None:
    """Refuse to expose the review page beyond this machine without an access token."""
    if not is_loopback(host) and not access_token:
        raise ConfigError(
            "settings", f"refusing to serve on non-loopback address {host!r} without an access token;"
            " set access_token in the settings file (or RAQIB_ACCESS_TOKEN), or bind to 127.0.0.1",
            field="access_token")


class Csrf:
    """Signed double-submit tokens."""

    def __init__(self, secret: str):
        self._s = URLSafeSerializer(secret, salt="raqib-csrf")

    def new(self) -> str:
        return self._s.dumps(secrets.token_urlsafe(16))

    def valid(self, value: str | None) -> bool:
        if not value:
            return False
        try:
            self._s.loads(value)
        except BadSignature:
            return False
        return True

    def check(self, cookie: str | None, submitted: str | None) -> bool:
        return bool(cookie and submitted and self.valid(cookie)
                    and hmac.compare_digest(cookie.encode(), submitted.encode()))


def _digest(token: str) -> str:
    return hashlib.sha256(("raqib-auth:" + token).encode()).hexdigest()


class SecurityMiddleware(BaseHTTPMiddleware):
    """Access token (when configured), a CSRF cookie for every visitor, security headers."""

    def __init__(self, app, *, access_token: str = "", csrf: Csrf):
        super().__init__(app)
        self.token = access_token
        self.csrf = csrf

    def _authorised(self, request: Request) -> tuple[bool, bool]:
        """(allowed, came with a valid ?token=)."""
        if not self.token:
            return True, False
        auth = request.headers.get("authorization", "")
        if auth.lower().startswith("bearer ") and hmac.compare_digest(auth[7:].strip().encode(),
                                                                      self.token.encode()):
            return True, False
        query = request.query_params.get("token")
        if query is not None and hmac.compare_digest(query.encode(), self.token.encode()):
            return True, True
        cookie = request.cookies.get(AUTH_COOKIE, "")
        return hmac.compare_digest(cookie.encode(), _digest(self.token).encode()), False

    async def dispatch(self, request: Request, call_next) -> Response:
        allowed, via_query = self._authorised(request)
        if not allowed:
            response: Response = PlainTextResponse(
                "401 — this review page needs its access token: open it once as /?token=TOKEN,"
                " or send Authorization: Bearer TOKEN.\n", status_code=401,
                headers={"WWW-Authenticate": 'Bearer realm="raqib"'})
        elif via_query and request.method in ("GET", "HEAD") and not request.url.path.endswith(".atom"):
            # log in: remember the token in a cookie, drop it from the address bar and history
            rest = [(k, v) for k, v in request.query_params.multi_items() if k != "token"]
            response = RedirectResponse(request.url.path + ("?" + urlencode(rest) if rest else ""), 303)
            response.set_cookie(AUTH_COOKIE, _digest(self.token), httponly=True, samesite="strict")
        else:
            cookie = request.cookies.get(CSRF_COOKIE)
            fresh = None if self.csrf.valid(cookie) else self.csrf.new()
            request.state.csrf_token = cookie if fresh is None else fresh
            response = await call_next(request)
            if fresh is not None:
                response.set_cookie(CSRF_COOKIE, fresh, httponly=True, samesite="strict")
        for k, v in SECURITY_HEADERS.items():
            response.headers.setdefault(k, v)
        return response


async def require_csrf(request: Request, csrf: Csrf):
    """The submitted form, or a 403 response when its CSRF token is missing or wrong."""
    form = await request.form()
    submitted = form.get(CSRF_FIELD) or request.headers.get("x-csrf-token")
    if not csrf.check(request.cookies.get(CSRF_COOKIE), str(submitted) if submitted else None):
        return None
    return form


def forbidden() -> Response:
    return PlainTextResponse("403 — missing or invalid CSRF token; reload the page and try again.\n",
                             status_code=403)
