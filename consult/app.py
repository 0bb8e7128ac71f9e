"""The application factory: explicit routes, middleware and lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import AsyncIterator

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.routing import Mount

from consult import db, pages
from consult.accounts import routes as accounts
from consult.accounts.middleware import AuthMiddleware
from consult.middleware.compression import CompressionMiddleware
from consult.middleware.csrf import CSRFMiddleware
from consult.middleware.errors import ErrorPageMiddleware
from consult.middleware.locale import LocaleMiddleware
from consult.middleware.request_log import RequestLogMiddleware
from consult.middleware.response_start import ResponseStartMiddleware
from consult.middleware.security_headers import SecurityHeadersMiddleware
from consult.settings import Settings, load_settings
from consult.static import CachedStaticFiles
from consult.templating import STATIC_DIR, create_environment
from consult.web import http_exception_handler


@contextlib.asynccontextmanager
async def _stopping_within(background: contextlib.AbstractAsyncContextManager, seconds: float) -> AsyncIterator[None]:
    """Run a background task's context, but never let its shutdown hold the server's shutdown for longer than
    ``seconds`` (a task stuck on a dead connection would otherwise keep a stopping server alive)."""
    await background.__aenter__()
    try:
        yield
    finally:
        stopping = asyncio.ensure_future(background.__aexit__(None, None, None))
        done, _ = await asyncio.wait({stopping}, timeout=seconds)
        if not done:
            logging.getLogger("consult.app").warning("background task did not stop in time",
                                                     extra={"task": repr(background)})
            stopping.add_done_callback(lambda task: task.cancelled() or task.exception())


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or load_settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await db.open_database(settings.database_url)
        try:
            async with contextlib.AsyncExitStack() as stack:
                for start in app.state.background:
                    await stack.enter_async_context(_stopping_within(start(app), seconds=10))
                yield
        finally:
            await db.close_database()

    from consult.consultations.routes import routes as consultation_routes
    from consult.plans import routes as plans
    from consult.surveys.routes import respondent_routes, routes as survey_routes

    # Starlette tries the routes in order: the respondents' pages and the home page, the hottest, first; then the
    # static files (a first visit asks for them), which no other route's path begins with, so nothing is shadowed.
    routes = [
        *respondent_routes,
        *pages.routes,
        *survey_routes,
        Mount("/static", app=CachedStaticFiles(directory=STATIC_DIR), name="static"),
        *accounts.routes,
        *consultation_routes,
        *plans.routes,
    ]
    middleware = [
        # Outermost first.
        # Starlette's gzip, with a cheaper path for clients that do not accept it.
        Middleware(CompressionMiddleware, minimum_size=500, compresslevel=6),
        # One send wrapper for the hooks the next layers add to the response's start message (headers, cookies,
        # the status logged, whether a response started).
        Middleware(ResponseStartMiddleware),
        Middleware(SecurityHeadersMiddleware, https=settings.https),
        Middleware(RequestLogMiddleware),
        # Before the locale: a signed-in user's language counts.
        Middleware(AuthMiddleware, settings=settings),
        Middleware(LocaleMiddleware, languages=settings.languages),
        Middleware(CSRFMiddleware, secret_key=settings.secret_key, https=settings.https,
                   # One-click unsubscribe (RFC 8058) comes from mail clients: the signed link is its own proof.
                   exempt_paths=(*accounts.CSRF_EXEMPT, "/consultations/unsubscribe/")),
        Middleware(ErrorPageMiddleware, debug=settings.debug),
    ]
    app = Starlette(
        debug=settings.debug,
        routes=routes,
        middleware=middleware,
        exception_handlers={HTTPException: http_exception_handler},
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.templates = create_environment()
    #: Async context managers started with the app (the mail delivery loop…), each given the app.
    app.state.background = []
    from consult.surveys.cache_notices import listening
    from consult.surveys.store import fresh_cache

    app.state.background.append(fresh_cache)
    app.state.background.append(listening)  # what the other processes change, this one forgets
    #: Coroutines called as ``hook(request, code)`` when a reader picks a language.
    app.state.on_language_change = []
    accounts.install(app)
    plans.install(app)
    return app
