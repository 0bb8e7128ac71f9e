"""Register → check your inbox → verified → offer the newsletter."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from tortoise.transactions import in_transaction

from consult.accounts import audit, codes, passwords
from consult.accounts.flows import request_code
from consult.accounts.forms import error_messages, read_form, secret, value
from consult.accounts.models import Role, User
from consult.accounts.users import UserError, normalize_email
from consult.accounts.views.common import language_of_form, sign_in, too_many, verify_url
from consult.i18n import gettext as _
from consult.web import redirect, render


def _context(request: Request, values: dict, errors: dict | None = None) -> dict:
    return {"values": values, "errors": errors or {}, "page_title": _("Create an account"),
            "languages": [(code, choice["name"]) for code, choice in
                          ((c["code"], c) for c in _language_list(request))]}


def _language_list(request: Request) -> list[dict]:
    from consult.web import language_choices

    return language_choices(request)


async def register(request: Request) -> Response:
    if request.method == "GET":
        return render(request, "accounts/register.html",
                      _context(request, {"language": request.scope["state"].get("language", "en")}))
    form = await read_form(request)
    values = {"email": value(form, "email"), "display_name": value(form, "display_name", 120),
              "language": language_of_form(request, value(form, "language", 8))}
    password = secret(form, "password")
    errors: dict[str, str] = {}
    try:
        email = normalize_email(values["email"])
    except UserError as error:
        errors["email"] = str(error)
        email = ""
    if not values["display_name"]:
        errors["display_name"] = _("Enter the name other people will see.")
    if password:
        problem = passwords.password_problem(password, email)
        if problem:
            errors["password"] = problem
    if errors:
        return render(request, "accounts/register.html", _context(request, values, errors), status_code=400)
    payload = {"display_name": values["display_name"], "language": values["language"],
               "password_hash": passwords.hash_password(password) if password else None}
    try:
        await request_code(request, "register", email, values["language"], payload=payload)
    except codes.TooManyCodes as limit:
        return too_many(request, "accounts/register.html", _context(request, values), limit.retry_after)
    return redirect(verify_url("register", email))


async def complete_registration(request: Request, email: str, payload: dict) -> Response | str:
    """Create the account a right registration code confirms; a string is an error to show."""
    if not payload.get("display_name"):
        return _("This code is not right. Check the latest email we sent and try again.")
    async with in_transaction():
        if await User.filter(email=email).exists():
            return _("This code is not right. Check the latest email we sent and try again.")
        from consult.accounts import clock

        user = await User.create(email=email, display_name=payload["display_name"], role=Role.RESPONDENT.value,
                                 language=payload.get("language") or "en",
                                 password_hash=payload.get("password_hash"), email_verified_at=clock.now())
        await audit.record("registered", user=user)
    return await sign_in(request, user, "code", "/account/welcome")


async def welcome(request: Request) -> Response:
    """"You have successfully created your account" and the newsletter offer."""
    from consult.accounts.permissions import check_role
    from consult.accounts.models import NewsletterSubscriber

    user = request.scope.get("user")
    if user is None:
        return redirect("/account/login")
    check_role(request)
    subscribed = await NewsletterSubscriber.filter(email=user.email, confirmed_at__not_isnull=True).exists()
    return render(request, "accounts/welcome.html", {"page_title": _("Your account is ready"),
                                                     "subscribed": subscribed})
