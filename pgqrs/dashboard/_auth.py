"""Who may look, and who may act.

Without credentials the dashboard is open and read-only. With a shared token (``--token``) or
basic auth (``--basic-auth user:pass``) every page, the event stream included, needs them, and
actions may be allowed (``--allow-actions``), never without them.

- A token is sent as ``Authorization: Bearer <token>`` (scripts) or typed once on ``/login``,
  which sets an HttpOnly, SameSite=Strict cookie holding HMAC-SHA256(token, "pgqrs dashboard
  session"): not the token itself, and the same in every dashboard process that has the token.
- Basic auth is the browser's own prompt (``WWW-Authenticate: Basic``).

Every comparison of a secret is constant-time (:func:`hmac.compare_digest`). Every form post
(actions, logout) carries a CSRF token, HMAC-SHA256(secret, "csrf:" + principal), that only a
page of the dashboard can know, and is refused when its ``Origin`` (or ``Sec-Fetch-Site``) says
it comes from another site: a browser sends basic credentials and cookies along with a forged
cross-site post, but cannot read a page to learn the token.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from dataclasses import dataclass
from urllib.parse import urlsplit

from starlette.requests import Request

COOKIE = "pgqrs_dashboard"
ANONYMOUS = "anonymous"


def same(a: str, b: str) -> bool:
    """Constant-time equality of two strings."""
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


def _mac(secret: str, message: str) -> str:
    return hmac.new(secret.encode("utf-8"), message.encode("utf-8"), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Auth:
    """The credentials a dashboard accepts: a token, basic auth, both, or none."""

    token: str | None = None
    basic: tuple[str, str] | None = None

    @property
    def required(self) -> bool:
        return self.token is not None or self.basic is not None

    def session_cookie(self) -> str:
        assert self.token is not None
        return _mac(self.token, "pgqrs dashboard session")

    def identify(self, request: Request) -> str | None:
        """The principal of a request (``token``, the basic user, or ``anonymous`` when no
        credentials are configured); None when credentials are needed and missing or wrong."""
        if not self.required:
            return ANONYMOUS
        header = request.headers.get("authorization", "")
        scheme, _, value = header.partition(" ")
        if self.token is not None:
            if scheme.lower() == "bearer" and same(value.strip(), self.token):
                return "token"
            cookie = request.cookies.get(COOKIE)
            if cookie is not None and same(cookie, self.session_cookie()):
                return "token"
        if self.basic is not None and scheme.lower() == "basic":
            try:
                user, _, password = base64.b64decode(value.strip()).decode("utf-8").partition(":")
            except (binascii.Error, UnicodeDecodeError):
                return None
            # Both compared, whatever the first says: the time does not tell which was wrong.
            user_ok = same(user, self.basic[0])
            password_ok = same(password, self.basic[1])
            if user_ok and password_ok:
                return f"user:{user}"
        return None

    def csrf(self, principal: str) -> str:
        """The CSRF token of a principal's forms."""
        secret = self.token if self.token is not None else self.basic[1] if self.basic else ""
        return _mac(secret, f"csrf:{principal}")

    def check_form(self, request: Request, principal: str, token: str | None) -> str | None:
        """Why a form post must be refused (a sentence), or None when it may go on."""
        if request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
            return "the form was posted from another site"
        origin = request.headers.get("origin")
        if origin is not None and origin != "null":
            host = request.headers.get("host", "")
            if urlsplit(origin).netloc != host:
                return "the form was posted from another origin"
        if token is None or not same(token, self.csrf(principal)):
            return "the form's CSRF token is missing or wrong: reload the page and try again"
        return None


def safe_next(base: str, target: str | None) -> str:
    """Where to go after logging in: a path of this dashboard, never another site."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return f"{base}/"
    if base and not (target == base or target.startswith(base + "/")):
        return f"{base}/"
    return target
