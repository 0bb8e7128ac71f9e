"""``/newsletter``: subscribe (double opt-in), confirm, and the one-click unsubscribe."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from consult.accounts import newsletter
from consult.accounts.forms import error_messages, read_form, value
from consult.accounts.users import UserError, normalize_email
from consult.accounts.views.common import language_of_form
from consult.i18n import gettext as _
from consult.web import language_choices, redirect, render


def _context(request: Request, **extra) -> dict:
    return {"page_title": _("Newsletter"), "values": {}, "errors": {}, "sent": False,
            "languages": [(c["code"], c["name"]) for c in language_choices(request)], **extra}


async def newsletter_page(request: Request) -> Response:
    user = request.scope.get("user")
    subscribed = bool(user) and await newsletter.is_subscribed(user.email)
    if request.method == "GET":
        return render(request, "newsletter/index.html", _context(
            request, subscribed=subscribed, values={"language": request.scope["state"].get("language", "en")}))
    form = await read_form(request)
    values = {"email": value(form, "email"), "language": language_of_form(request, value(form, "language", 8))}
    try:
        email = normalize_email(values["email"])
    except UserError as error:
        return render(request, "newsletter/index.html", _context(
            request, subscribed=subscribed, values=values, errors={"email": str(error)}), status_code=400)
    await newsletter.request_subscription(request, email, values["language"])
    return render(request, "newsletter/index.html", _context(request, subscribed=subscribed, sent=True,
                                                             values=values))


async def confirm(request: Request) -> Response:
    """Opening the link shows a button (mail scanners open links); pressing it confirms."""
    settings = request.app.state.settings
    token = request.query_params.get("t", "") if request.method == "GET" else value(await read_form(request),
                                                                                    "t", 500)
    found = newsletter.email_from_confirm_token(settings, token)
    if found is None:
        return render(request, "newsletter/confirm.html", {
            "page_title": _("Newsletter"), "token": "", "done": False,
            "messages": error_messages(_("This confirmation link is not valid any more. Please subscribe again."))},
            status_code=400)
    if request.method == "GET":
        return render(request, "newsletter/confirm.html", {"page_title": _("Newsletter"), "token": token,
                                                           "done": False})
    await newsletter.subscribe_confirmed(*found)
    return render(request, "newsletter/confirm.html", {"page_title": _("Newsletter"), "token": "", "done": True})


async def unsubscribe(request: Request) -> Response:
    """GET shows a button; POST (the button, or a mail client's RFC 8058 one-click request) unsubscribes.

    The POST is exempt from the CSRF check: mail clients cannot send our token, and the signed address is the proof.
    """
    settings = request.app.state.settings
    token = request.query_params.get("t", "")
    if request.method == "POST" and not token:
        token = value(await read_form(request), "t", 500)
    email = newsletter.email_from_unsubscribe_token(settings, token)
    if email is None:
        return render(request, "newsletter/unsubscribe.html", {
            "page_title": _("Newsletter"), "token": "", "done": False,
            "messages": error_messages(_("This unsubscribe link is not valid."))}, status_code=400)
    if request.method == "GET":
        return render(request, "newsletter/unsubscribe.html", {"page_title": _("Newsletter"), "token": token,
                                                               "done": False})
    await newsletter.unsubscribe(email)
    return render(request, "newsletter/unsubscribe.html", {"page_title": _("Newsletter"), "token": "",
                                                           "done": True})
