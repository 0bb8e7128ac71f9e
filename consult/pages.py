"""Pages that belong to no area: the home page, the language switcher and the health check."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from consult import db, i18n
from consult.i18n import lazy_gettext
from consult.middleware.locale import LANGUAGE_COOKIE
from consult.web import not_found, render, render_cached, safe_next

#: The four strategic objectives of the 2024 WPS policy (see shared/seeds); reports and plans are tied to them.
WPS_OBJECTIVES = (
    ("leadership", lazy_gettext("Gender-responsive leadership and accountability")),
    ("participation", lazy_gettext("Women's participation at all levels")),
    ("prevention", lazy_gettext("Preventing threats that have a disproportionate impact on women and girls")),
    ("protection", lazy_gettext("Protecting women and girls against gender-based violence")),
)


#: Modules with ``async def cards() -> list[dict]`` (url, title, text) for the home page's "Take part" list.
HOME_CARD_PROVIDERS = ["consult.surveys.home"]


async def home(request: Request) -> Response:
    import datetime as dt
    import importlib

    cards = []
    for module in HOME_CARD_PROVIDERS:
        cards.extend(await importlib.import_module(module).cards())
    today = dt.date.today()
    context = {"objectives": WPS_OBJECTIVES, "today": today, "home_cards": cards}
    if request.scope.get("user") is not None:  # the menu is the reader's own
        return render(request, "home.html", context)
    # Everything an anonymous reader's home page shows; rendered once per language and change of the list.
    key = (today, tuple(tuple(sorted(card.items())) for card in cards))
    return render_cached(request, "home.html", context, key=key)


async def set_language(request: Request) -> Response:
    """Remember the reader's choice in a cookie (and on her account, when an area hooks ``on_language_change``)."""
    code = request.path_params["code"]
    if code not in request.app.state.settings.languages:
        raise not_found()
    response = RedirectResponse(safe_next(request.query_params.get("next")), status_code=303)
    response.set_cookie(LANGUAGE_COOKIE, code, max_age=365 * 24 * 3600, httponly=True, samesite="lax",
                        secure=request.app.state.settings.https)
    for hook in request.app.state.on_language_change:
        await hook(request, code)
    return response


async def healthz(request: Request) -> Response:
    if await db.ping():
        return JSONResponse({"status": "ok", "database": "ok"})
    return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503,
                        headers={"retry-after": "10"})


routes = [
    Route("/", home, name="home"),
    Route("/language/{code}", set_language, name="set_language"),
    Route("/healthz", healthz, name="healthz", methods=["GET", "HEAD"]),
]

__all__ = ["routes", "WPS_OBJECTIVES", "i18n"]
