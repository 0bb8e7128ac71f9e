"""Server-side sessions behind a signed cookie that carries only a random id.

The row is the session: deleting it signs the browser out for real ("sign out", "sign out everywhere"). A session
ends after ``settings.session_idle_minutes`` without a request and ``settings.session_lifetime`` after sign-in,
whichever comes first. Each sign-in makes a new id (no fixation).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from itsdangerous import BadSignature, URLSafeSerializer
from starlette.requests import Request
from starlette.responses import Response

from consult.accounts import clock
from consult.accounts.models import Session, User
from consult.middleware.cookies import host_only
from consult.settings import Settings

COOKIE = "session"  # its name under HTTPS is cookie_name(settings): "__Host-session"
#: Record activity at most this often, so that reading pages does not write on every request.
TOUCH_EVERY = dt.timedelta(minutes=1)


def cookie_name(settings: Settings) -> str:
    return host_only(COOKIE, settings.https)


def _serializer(settings: Settings) -> URLSafeSerializer:
    return URLSafeSerializer(settings.secret_key, salt="consult.session")


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("ascii")).hexdigest()


def browser_label(user_agent: str) -> str:
    """A coarse "Browser on System" for the list of sessions; the user agent itself is not kept."""
    ua = user_agent or ""
    browser = next((name for token, name in (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"),
                                              ("Chrome/", "Chrome"), ("Safari/", "Safari")) if token in ua), "")
    system = next((name for token, name in (("Android", "Android"), ("iPhone", "iOS"), ("iPad", "iOS"),
                                             ("Windows", "Windows"), ("Mac OS", "macOS"), ("Linux", "Linux"))
                   if token in ua), "")
    return " · ".join(part for part in (browser, system) if part)[:80]


async def start(request: Request, response: Response, user: User) -> Session:
    """Sign ``user`` in: end the request's previous session, make a new one, set the cookie on ``response``."""
    settings: Settings = request.app.state.settings
    previous = request.scope.get("account_session")
    if previous is not None:
        await Session.filter(id=previous.id).delete()
    session_id = secrets.token_urlsafe(32)
    now = clock.now()
    session = await Session.create(
        key_hash=_hash(session_id), user_id=user.id, created_at=now, last_seen_at=now,
        expires_at=now + settings.session_lifetime,
        label=browser_label(request.headers.get("user-agent", "")),
    )
    response.set_cookie(cookie_name(settings), _serializer(settings).dumps(session_id),
                        max_age=int(settings.session_lifetime.total_seconds()), httponly=True, samesite="lax",
                        secure=settings.https, path="/")
    return session


def clear_cookie(response: Response, settings: Settings) -> None:
    response.delete_cookie(cookie_name(settings), path="/", httponly=True, samesite="lax", secure=settings.https)


async def load(settings: Settings, cookie: str) -> tuple[Session | None, bool]:
    """The live session a cookie names, and whether the cookie named one that has ended (to say so)."""
    try:
        session_id = _serializer(settings).loads(cookie)
    except BadSignature:
        return None, False
    if not isinstance(session_id, str):
        return None, False
    session = await Session.filter(key_hash=_hash(session_id)).select_related("user").first()
    if session is None:
        return None, True
    now = clock.now()
    idle_limit = session.last_seen_at + dt.timedelta(minutes=settings.session_idle_minutes)
    if now >= session.expires_at or now >= idle_limit or not session.user.is_active:
        await Session.filter(id=session.id).delete()
        return None, True
    if now - session.last_seen_at >= TOUCH_EVERY:
        session.last_seen_at = now
        await Session.filter(id=session.id).update(last_seen_at=now)
    return session, False


async def end(session: Session) -> None:
    await Session.filter(id=session.id).delete()


def signed_in_within(session: Session | None, minutes: int) -> bool:
    """Whether ``session`` began (its sign-in, by code, link or password) less than ``minutes`` ago: a session
    taken over later (a borrowed phone, a stolen cookie) cannot make the changes that lock its owner out."""
    return session is not None and clock.now() - session.created_at < dt.timedelta(minutes=minutes)


async def end_all(user: User, keep: Session | None = None) -> int:
    """End every session of ``user`` (but ``keep``); returns how many ended."""
    query = Session.filter(user_id=user.id)
    if keep is not None:
        query = query.exclude(id=keep.id)
    return await query.delete()
