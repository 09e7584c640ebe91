"""What keeps the review page safe to run: access token, CSRF, security headers.

* Scraped text is data: templates autoescape and highlighting escapes every segment
  (``review.highlight``); on top of that the Content-Security-Policy allows scripts
  and styles only from ``/static``, so even a missed escape could not run code.
* State-changing requests carry a CSRF token: a signed double-submit cookie
  (itsdangerous).  The form field must equal the cookie and the signature must be
  ours, so a page on another site can neither read nor forge it.  They must also
  not come from another origin (``Origin``, else ``Referer``; see ``review.hosts``).
* Every request's ``Host`` must be one this server answers to (``review.hosts``):
  a DNS-rebinding page on ``evil.example`` is refused before any handler runs.
* With an ``access_token`` configured every request needs it: ``Authorization:
  Bearer``, a ``?token=`` query (which sets a cookie and redirects to the clean URL),
  or that cookie.  The cookie is signed with a server-side secret (kept next to the
  database, see :func:`server_secret`), so knowing the token's hash is not enough to
  forge it, and changing the token logs every browser out.  ``/feed.atom`` also takes
  a per-reader feed token (``storage.feed_tokens``), which opens nothing else.
  ``check_bind`` refuses a non-loopback address without a strong token.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path
from typing import Awaitable, Callable
from urllib.parse import urlencode

from itsdangerous import BadSignature, URLSafeSerializer, URLSafeTimedSerializer
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from raqib.errors import ConfigError
from review.hosts import HostPolicy, is_loopback, parse_ip  # noqa: F401  (re-exported)

CSRF_COOKIE = "raqib_csrf"
AUTH_COOKIE = "raqib_auth"
CSRF_FIELD = "csrf_token"
FEED_PATH = "/feed.atom"
MIN_TOKEN_CHARS = 16
LOGIN_MAX_AGE = 30 * 24 * 3600          # a login cookie is good for 30 days
SECRET_FILE = Path(".raqib") / "review-secret"

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self';"
       " connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # never leak the review URL (or a token) to outlets; "same-origin" rather than
    # "no-referrer" because under no-referrer browsers send `Origin: null` with our own
    # form posts, and the Origin check (review.hosts) must see the real origin
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def check_bind(host: str, access_token: str) -> None:
    """Refuse to expose the review page beyond this machine without a strong access token."""
    if is_loopback(host):
        return
    if not access_token:
        raise ConfigError(
            "settings", f"refusing to serve on non-loopback address {host!r} without an access token;"
            " set access_token in the settings file (or RAQIB_ACCESS_TOKEN), or bind to 127.0.0.1",
            field="access_token")
    if len(access_token.strip()) < MIN_TOKEN_CHARS:
        raise ConfigError(
            "settings", f"refusing to serve on non-loopback address {host!r} with a weak access token"
            f" ({len(access_token.strip())} characters); use at least {MIN_TOKEN_CHARS} random characters,"
            " e.g. from `python3 -c 'import secrets; print(secrets.token_urlsafe(24))'`",
            field="access_token")


def server_secret(db_path: str | Path) -> str:
    """The secret that signs login and CSRF cookies: random, created once in
    ``.raqib/review-secret`` next to the database (mode 0600) and reused, so cookies
    survive a restart and every ``raqib serve`` of one database agrees."""
    path = Path(db_path).resolve().parent / SECRET_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        secret = path.read_text(encoding="ascii").strip()
        if len(secret) >= 32:
            return secret
        raise ConfigError(str(path), "review secret is truncated; delete the file and restart"
                          " (browsers will need to log in again)") from None
    secret = secrets.token_urlsafe(48)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(secret + "\n")
    return secret


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


class Login:
    """The login cookie: the access token's fingerprint, signed and dated with the
    server secret (itsdangerous).  A new token or a new secret invalidates it."""

    def __init__(self, secret: str, access_token: str):
        self._s = URLSafeTimedSerializer(secret, salt="raqib-auth")
        self._fp = hashlib.sha256(("raqib-auth:" + access_token).encode()).hexdigest()[:32]

    def cookie(self) -> str:
        return self._s.dumps(self._fp)

    def valid(self, value: str | None) -> bool:
        if not value:
            return False
        try:
            fp = self._s.loads(value, max_age=LOGIN_MAX_AGE)
        except BadSignature:
            return False
        return isinstance(fp, str) and hmac.compare_digest(fp, self._fp)


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8", "surrogatepass"), b.encode("utf-8", "surrogatepass"))


class SecurityMiddleware(BaseHTTPMiddleware):
    """Host and Origin checks, the access token (when configured), a CSRF cookie for
    every visitor, security headers."""

    def __init__(self, app, *, access_token: str = "", csrf: Csrf, login: Login, hosts: HostPolicy,
                 feed_token_ok: Callable[[str], Awaitable[bool]] | None = None):
        super().__init__(app)
        self.token = access_token
        self.csrf = csrf
        self.login = login
        self.hosts = hosts
        self.feed_token_ok = feed_token_ok

    async def _authorised(self, request: Request) -> tuple[bool, bool]:
        """(allowed, came with a valid ?token=)."""
        if not self.token:
            return True, False
        auth = request.headers.get("authorization", "")
        bearer = auth[7:].strip() if auth.lower().startswith("bearer ") else None
        if bearer is not None and _same(bearer, self.token):
            return True, False
        query = request.query_params.get("token")
        if query is not None and _same(query, self.token):
            return True, True
        if request.url.path == FEED_PATH and self.feed_token_ok is not None:
            for candidate in (query, bearer):
                if candidate and await self.feed_token_ok(candidate):
                    return True, False
        return self.login.valid(request.cookies.get(AUTH_COOKIE)), False

    async def dispatch(self, request: Request, call_next) -> Response:
        response = self._refuse_host(request)
        if response is None:
            response = await self._handle(request, call_next)
        for k, v in SECURITY_HEADERS.items():
            response.headers.setdefault(k, v)
        return response

    def _refuse_host(self, request: Request) -> Response | None:
        host = request.headers.get("host", "")
        if not self.hosts.host_ok(host):
            return PlainTextResponse(
                f"400 — this server does not answer to host {host[:100]!r}; open it by its address,"
                " or add the name to the setting serve_public_name.\n", status_code=400)
        if request.method not in SAFE_METHODS:
            origin = request.headers.get("origin")
            referer = request.headers.get("referer")
            if not self.hosts.same_origin(origin, referer, host):
                return PlainTextResponse("403 — cross-origin request refused (Origin/Referer is another site).\n",
                                         status_code=403)
        return None

    async def _handle(self, request: Request, call_next) -> Response:
        allowed, via_query = await self._authorised(request)
        if not allowed:
            return PlainTextResponse(
                "401 — this review page needs its access token: open it once as /?token=TOKEN,"
                " or send Authorization: Bearer TOKEN.\n", status_code=401,
                headers={"WWW-Authenticate": 'Bearer realm="raqib"'})
        if via_query and request.method in ("GET", "HEAD") and request.url.path != FEED_PATH:
            # log in: remember the token in a cookie, drop it from the address bar and history
            rest = [(k, v) for k, v in request.query_params.multi_items() if k != "token"]
            response: Response = RedirectResponse(request.url.path + ("?" + urlencode(rest) if rest else ""), 303)
            response.set_cookie(AUTH_COOKIE, self.login.cookie(), httponly=True, samesite="strict",
                                max_age=LOGIN_MAX_AGE)
            return response
        cookie = request.cookies.get(CSRF_COOKIE)
        fresh = None if self.csrf.valid(cookie) else self.csrf.new()
        request.state.csrf_token = cookie if fresh is None else fresh
        response = await call_next(request)
        if fresh is not None:
            response.set_cookie(CSRF_COOKIE, fresh, httponly=True, samesite="strict")
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
