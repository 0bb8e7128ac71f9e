"""``/account/invitation?t=…``: an invited person sets her name (and optionally a password); the account is made."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from consult.accounts import invitations, passwords
from consult.accounts.forms import read_form, secret, value
from consult.accounts.models import User
from consult.accounts.views.common import language_of_form, sign_in
from consult.i18n import gettext as _
from consult.web import PageError, language_choices, render


async def invitation_page(request: Request) -> Response:
    form = await read_form(request) if request.method == "POST" else None
    token = request.query_params.get("t", "") if form is None else value(form, "t", 200)
    invitation = await invitations.find(request, token)
    if invitation is None or await User.filter(email=invitation.email).exists():
        raise PageError(400, _("This invitation is not valid any more. Please ask for a new one."))
    context = {"page_title": _("Accept the invitation"), "token": token, "email": invitation.email,
               "languages": [(c["code"], c["name"]) for c in language_choices(request)],
               "values": {"language": invitation.language}, "errors": {}}
    if form is None:
        return render(request, "accounts/invitation.html", context)
    values = {"display_name": value(form, "display_name", 120),
              "language": language_of_form(request, value(form, "language", 8))}
    password = secret(form, "password")
    errors = {}
    if not values["display_name"]:
        errors["display_name"] = _("Enter the name other people will see.")
    if password:
        problem = passwords.password_problem(password, invitation.email)
        if problem:
            errors["password"] = problem
    if errors:
        return render(request, "accounts/invitation.html", {**context, "values": values, "errors": errors},
                      status_code=400)
    user = await invitations.accept(invitation, values["display_name"], values["language"],
                                    passwords.hash_password(password) if password else None)
    return await sign_in(request, user, "invitation", "/account/settings")
