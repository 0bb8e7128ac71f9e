"""What views share: rendering a named template, safe redirects, and the HTML error pages."""

from __future__ import annotations

import functools
import re
from typing import Any, Callable, Hashable, Mapping
from urllib.parse import quote, urlsplit

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from consult import i18n, pagecache
from consult.i18n import gettext as _
from consult.i18n import lazy_gettext


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any] | None = None,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """Render ``templates/<template>`` in the request's language with the page-wide context."""
    return HTMLResponse(render_text(request, template, context), status_code=status_code, headers=headers)


def render_text(request: Request, template: str, context: Mapping[str, Any] | None = None) -> str:
    env = request.app.state.templates
    state = request.scope.get("state", {})
    page = {
        "request": request,
        "settings": request.app.state.settings,
        "user": request.scope.get("user"),
        "csrf_token": csrf_token_for(request),
        "language_choices": language_choices(request),
        "locale": i18n.current(),
        "respondent_page": False,
        "discreet": False,
        "page_title": "",
    }
    page.update(state.get("template_context", {}))
    if context:
        page.update(context)
    return env.get_template(template).render(page)


def render_cached(
    request: Request,
    template: str,
    context: Mapping[str, Any] | Callable[[], Mapping[str, Any]],
    *,
    key: Hashable,
    slots: Mapping[str, object] = {},
    status_code: int = 200,
) -> Response:
    """:func:`render` for a page that many requests share, but for the values in ``slots`` and the CSRF token.

    ``key`` must name everything else the page shows (with ``template`` and the request's language, which are
    added to it); the page is rendered once per key with markers in place of the slots and kept cut in pieces
    (:mod:`consult.pagecache`), each later request only joins bytes. A request with page messages of its own
    (``template_context``) is rendered as usual. ``context`` may be a function that makes it: it is then called
    only when the page is rendered. The body is gzip-compressed here when the browser accepts it, so
    the gzip middleware leaves it alone.
    """
    state = request.scope.get("state", {})
    if state.get("template_context"):
        return render(request, template, {**_made(context), **slots}, status_code=status_code)
    cache = _page_cache(request.app)
    values = {**slots, "csrf_token": csrf_token_for(request)}
    filled = pagecache.fill(values)
    full_key = (template, i18n.current_code(), key, pagecache.length_key(filled))
    cut = cache.get(full_key)
    if cut is None:
        markers = {name: pagecache.marker(name) for name in values}
        html = render_text(request, template, {**_made(context), **markers})
        cut = cache.put(full_key, pagecache.CutPage.from_html(html, values))
    if pagecache.accepts_gzip(request.headers.get("accept-encoding", "")):
        headers = {"content-encoding": "gzip", "vary": "Accept-Encoding"}
        return HTMLResponse(cut.filled_gzip_body(filled), status_code=status_code, headers=headers)
    # Plain: the compression middleware adds "Vary: Accept-Encoding", as to any page it could have compressed.
    return HTMLResponse(cut.filled_body(filled), status_code=status_code)


def _made(context: Mapping[str, Any] | Callable[[], Mapping[str, Any]]) -> Mapping[str, Any]:
    return context() if callable(context) else context


def _page_cache(app: Any) -> pagecache.PageCache:
    """The app's cut pages, made on first use (one per app: each app has its own database)."""
    try:
        return app.state.page_cache
    except AttributeError:
        app.state.page_cache = pagecache.PageCache()
        return app.state.page_cache


async def form_data(request: Request) -> FormData:
    """The request's form: the one the CSRF middleware has already parsed, else parsed now."""
    from consult.middleware.csrf import FORM_KEY

    form = request.scope.get(FORM_KEY)
    return form if form is not None else await request.form()


def csrf_token_for(request: Request) -> str:
    """The token to put in a form's hidden ``csrf_token`` field (see :mod:`consult.middleware.csrf`)."""
    from consult.middleware.csrf import token_for_scope

    return token_for_scope(request.scope)


def language_choices(request: Request) -> list[dict[str, Any]]:
    """The switcher's links: each language named in itself, pointing back to this page."""
    query = request.scope.get("query_string", b"").decode("latin-1")
    back = quote(request.scope["path"] + (f"?{query}" if query else ""), safe="")
    current = i18n.current_code()
    return [
        {**choice, "current": choice["code"] == current, "url": f"/language/{choice['code']}?next={back}"}
        for choice in _language_entries(request.app.state.settings.languages)
    ]


@functools.lru_cache(maxsize=8)
def _language_entries(codes: tuple[str, ...]) -> tuple[dict[str, str], ...]:
    return tuple(
        {"code": code, "name": i18n.locale_info(code).native_name, "direction": i18n.locale_info(code).direction}
        for code in codes
    )


def safe_next(target: str | None, default: str = "/") -> str:
    """Follow only same-site paths ("/x"), never another host ("//evil", "https://evil", "/\\evil")."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


def redirect(url: str, status_code: int = 303) -> RedirectResponse:
    """Redirect after a form (303: the browser follows with GET, so a reload does not post again)."""
    # Starlette's RedirectResponse, without building a headers object to add one header (every submission ends
    # here): the same quoting and the same headers.
    response = RedirectResponse.__new__(RedirectResponse)
    Response.__init__(response, b"", status_code=status_code)
    # Our own addresses have nothing to quote: quote() is then skipped (a tenth of the redirect's time).
    location = url if _NOTHING_TO_QUOTE(url) else quote(url, safe=_URL_SAFE)
    response.raw_headers.append((b"location", location.encode("latin-1")))
    return response


_URL_SAFE = ":/%#?=@[]!$&'()*+,;"  # what RedirectResponse leaves unquoted
#: Whether quote(url, safe=_URL_SAFE) would give ``url`` back: only its always-safe characters and _URL_SAFE.
_NOTHING_TO_QUOTE = re.compile(r"[A-Za-z0-9_.~\-:/%#?=@\[\]!$&'()*+,;]*").fullmatch


ERROR_TITLES = {
    400: lazy_gettext("The request could not be understood"),
    403: lazy_gettext("You may not open this page"),
    404: lazy_gettext("Page not found"),
    405: lazy_gettext("This action is not allowed here"),
    413: lazy_gettext("What you sent is too large"),
    429: lazy_gettext("Too many attempts"),
    500: lazy_gettext("Something went wrong on our side"),
    503: lazy_gettext("The service is unavailable for a moment"),
}

ERROR_EXPLANATIONS = {
    400: lazy_gettext("Please go back, check what you entered and try again."),
    403: lazy_gettext("Your account does not give access to this page. Sign in with another account if you have one."),
    404: lazy_gettext("The address may be mistyped, or the page may have been moved or removed."),
    405: lazy_gettext("Please go back and use the buttons on the page."),
    413: lazy_gettext("Please send a smaller file or a shorter text."),
    429: lazy_gettext("Please wait a little before trying again."),
    500: lazy_gettext("The error has been recorded. Nothing you entered before this page was lost; please try again."),
    503: lazy_gettext("Please try again in a minute. What you entered on this page was not saved yet."),
}


def error_response(request: Request, status_code: int, detail: str | None = None,
                   headers: Mapping[str, str] | None = None) -> Response:
    """The one error page: translated, with the page layout, never a stack trace.

    When a form failed on our side (5xx), the page carries what was typed in a "send again" form.
    """
    status = status_code if status_code in ERROR_TITLES else (500 if status_code >= 500 else 400)
    replay = None
    if status_code >= 500 and request.method == "POST":
        from consult.middleware.csrf import FORM_KEY, replayable_fields

        form = request.scope.get(FORM_KEY)  # the form the CSRF layer read, if it got that far
        replay = replayable_fields(form) if form is not None else None
    context = {
        "status_code": status_code,
        "title": str(ERROR_TITLES[status]),
        "explanation": detail or str(ERROR_EXPLANATIONS[status]),
        "page_title": str(ERROR_TITLES[status]),
        "replay_fields": replay,
        "replay_action": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
    }
    try:
        return render(request, "errors/error.html", context, status_code=status_code, headers=headers)
    except Exception:  # the page itself failed (a template bug, no app state): still answer plainly
        return HTMLResponse(f"<h1>{status_code}</h1>", status_code=status_code, headers=headers)


async def http_exception_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    # Our own HTTPExceptions carry a translated detail; Starlette's own carry its English reason phrase.
    detail = exc.detail if getattr(exc, "translated", False) else None
    return error_response(request, exc.status_code, detail, headers=exc.headers)


class PageError(HTTPException):
    """An HTTP error whose detail is already a translated sentence for the user."""

    translated = True

    def __init__(self, status_code: int, detail: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(status_code=status_code, detail=detail, headers=dict(headers) if headers else None)


def not_found() -> PageError:
    return PageError(404, _("The address may be mistyped, or the page may have been moved or removed."))
