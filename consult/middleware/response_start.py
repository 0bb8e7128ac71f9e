"""One ``send`` wrapper for the layers that only look at or add to a response's start message.

The security headers, the request log's status, the CSRF and session cookies and the error page's "has the response
started?" each used to wrap ``send``: one more coroutine on every message of every response, each copying the header
list again. Instead such a layer calls :func:`on_response_start` with a hook, a plain function of the
``http.response.start`` message. Under :class:`ResponseStartMiddleware` the hook is added to the request's list and
``send`` stays as it is; the middleware's one wrapper calls the hooks, innermost layer's first (the order the wrappers
ran in), before passing the message on. A layer used without it (in tests, or placed outside it) gets a wrapper of
its own, as before.

A hook may change ``message["headers"]`` in place: it is always a list of the message's own, never the response's
list (a response sent more than once, such as a cached page, must not gather one request's headers for the next).
"""

from __future__ import annotations

from typing import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: The request's hooks, in the order the layers registered them (outermost first).
HOOKS = "consult.response_start_hooks"

Hook = Callable[[Message], None]


def on_response_start(scope: Scope, send: Send, hook: Hook) -> Send:
    """Have ``hook`` called with the response's start message; returns the ``send`` to pass on."""
    hooks = scope.get(HOOKS)
    if hooks is not None:
        hooks.append(hook)
        return send

    async def send_after_hook(message: Message) -> None:
        if message["type"] == "http.response.start":
            message["headers"] = list(message.get("headers", ()))
            hook(message)
        await send(message)

    return send_after_hook


class ResponseStartMiddleware:
    """Calls the hooks the layers inside it register with :func:`on_response_start`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or HOOKS in scope:  # a second one: the outer one calls the hooks
            await self.app(scope, receive, send)
            return
        hooks: list[Hook] = []
        scope[HOOKS] = hooks

        async def send_after_hooks(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", ()))
                for hook in reversed(hooks):
                    hook(message)
            await send(message)

        await self.app(scope, receive, send_after_hooks)
