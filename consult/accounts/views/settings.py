"""Settings: name, language, password, email address (confirmed by a code sent to the new one), newsletter,
sessions ("sign out everywhere"), deleting the account."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from tortoise.transactions import in_transaction

from consult.accounts import audit, clock, codes, mails, newsletter, passwords, sessions, two_step
from consult.accounts.flows import request_code
from consult.accounts.forms import error_messages, info_messages, read_form, secret, value
from consult.accounts.models import Role, Session, User
from consult.accounts.permissions import check_role, require_user
from consult.accounts.users import UserError, normalize_email
from consult.accounts.views.common import too_many, verify_url
from consult.accounts.views.login import login_context
from consult.consultations import zones
from consult.i18n import gettext as _
from consult.web import PageError, language_choices, redirect, render


async def _context(request: Request, user: User, **extra) -> dict:
    current = request.scope.get("account_session")
    active = await Session.filter(user_id=user.id, expires_at__gt=clock.now()).order_by("-last_seen_at")
    context = {
        "page_title": _("Your account"),
        "account": user,
        "sessions": [{"row": s, "current": current is not None and s.id == current.id} for s in active],
        "subscribed": await newsletter.is_subscribed(user.email),
        "languages": [(c["code"], c["name"]) for c in language_choices(request)],
        "errors": {},
        "values": {},
        "messages": [],
        "has_password": bool(user.password_hash),
        "role_label": Role(user.role).label,
        "time_zones": zones.choices(),
        # The changes that could lock her out wait for a recent sign-in (see SIGNED_IN_RECENTLY).
        "recent": _signed_in_recently(request),
        "two_step_on": two_step.is_on(user),
        "two_step_pending": bool(user.two_step_secret) and not two_step.is_on(user),
        "two_step_required": user.role in request.app.state.settings.two_step_roles,
        "recovery_codes": [],
    }
    if context["two_step_pending"] and context["recent"]:
        context["two_step_qr"] = two_step.qr_svg(two_step.setup_uri(user.two_step_secret, user.email))
        context["two_step_key"] = two_step.grouped(user.two_step_secret)
    context.update(extra)
    return context


@require_user
async def settings_page(request: Request) -> Response:
    user = request.scope["user"]
    notices = {"saved": _("Your changes have been saved."), "email": _("Your email address has been changed."),
               "password": _("Your password has been changed."),
               "sessions": _("Your other sessions have been ended."),
               "subscribed": _("You are subscribed to the newsletter."),
               "unsubscribed": _("You will no longer receive the newsletter."),
               "two_step_off": _("Two-step sign-in is off.")}
    done = notices.get(request.query_params.get("done", ""))
    return render(request, "accounts/settings.html", await _context(request, user, messages=info_messages(done)))


async def settings_action(request: Request) -> Response:
    user = check_role(request)
    action = request.path_params["action"]
    handler = ACTIONS.get(action)
    if handler is None:
        raise PageError(404, _("The address may be mistyped, or the page may have been moved or removed."))
    form = await read_form(request)
    if _needs_recent_sign_in(action, user) and not _signed_in_recently(request):
        # Refused before anything is read from the form; what she typed in the address field is shown again.
        return render(request, "accounts/settings.html", await _context(
            request, user, values={"email": value(form, "email")} if action == "email" else {},
            messages=error_messages(_("For your safety, sign in again before you make this change."))),
            status_code=403)
    return await handler(request, user, form)


#: The changes someone holding a signed-in browser for a moment could use to take the account or lock its owner
#: out: they need a sign-in within ``confirm_minutes`` (ASVS V3.7.1, V3.3.4). A password change is among them
#: only while the account has no password; with one, the current password is asked for instead.
SIGNED_IN_RECENTLY = frozenset({"email", "sign-out-everywhere", "delete", "two-step-setup", "two-step-confirm",
                                "two-step-off"})


def _needs_recent_sign_in(action: str, user: User) -> bool:
    return action in SIGNED_IN_RECENTLY or (action == "password" and not user.password_hash)


def _signed_in_recently(request: Request) -> bool:
    return sessions.signed_in_within(request.scope.get("account_session"),
                                     request.app.state.accounts.confirm_minutes)


async def _profile(request: Request, user: User, form) -> Response:
    name = value(form, "display_name", 120)
    language = value(form, "language", 8)
    errors = {}
    if not name:
        errors["display_name"] = _("Enter the name other people will see.")
    if language not in request.app.state.settings.languages:
        errors["language"] = _("Choose one of the languages in the list.")
    if errors:
        return render(request, "accounts/settings.html", await _context(
            request, user, errors=errors, values={"display_name": name}), status_code=400)
    await User.filter(id=user.id).update(display_name=name, language=language, updated_at=clock.now())
    return redirect("/account/settings?done=saved")


async def _time_zone(request: Request, user: User, form) -> Response:
    zone = value(form, "time_zone", 200)
    if zone and not zones.is_valid(zone):
        return render(request, "accounts/settings.html", await _context(
            request, user, errors={"time_zone": _("Choose one of the time zones in the list.")},
            values={"time_zone": zone}), status_code=400)
    await User.filter(id=user.id).update(time_zone=zone or None, updated_at=clock.now())
    return redirect("/account/settings?done=saved#time-zone")


async def _password(request: Request, user: User, form) -> Response:
    current, new = secret(form, "current_password"), secret(form, "new_password")
    errors = {}
    if user.password_hash and not passwords.verify_password(user.password_hash, current):
        errors["current_password"] = _("Your current password is not right.")
    problem = passwords.password_problem(new, user.email)
    if problem:
        errors["new_password"] = problem
    if errors:
        return render(request, "accounts/settings.html", await _context(request, user, errors=errors),
                      status_code=400)
    async with in_transaction():
        await User.filter(id=user.id).update(password_hash=passwords.hash_password(new), updated_at=clock.now())
        # Other browsers that may have been signed in by someone who knew the old password are signed out.
        await sessions.end_all(user, keep=request.scope.get("account_session"))
        await audit.record("password_changed", user=user)
        await mails.send_notice(user.email, user.language, "password")
    request.app.state.mailer.notify()
    return redirect("/account/settings?done=password")


async def _email(request: Request, user: User, form) -> Response:
    raw = value(form, "email")
    try:
        email = normalize_email(raw)
    except UserError as error:
        return render(request, "accounts/settings.html", await _context(
            request, user, errors={"email": str(error)}, values={"email": raw}), status_code=400)
    if email == user.email:
        return render(request, "accounts/settings.html", await _context(
            request, user, errors={"email": _("This is already your email address.")}, values={"email": raw}),
            status_code=400)
    try:
        await request_code(request, "email", email, user.language, payload={"user_id": user.id})
    except codes.TooManyCodes as limit:
        return too_many(request, "accounts/settings.html", await _context(request, user, values={"email": raw}),
                        limit.retry_after)
    return redirect(verify_url("email", email))


async def complete_email_change(request: Request, email: str, payload: dict) -> Response | str:
    user = request.scope.get("user")
    if user is None or payload.get("user_id") != user.id:
        # A code meant for another account (or a session that changed in between) changes nothing.
        return _("This code is not right. Check the latest email we sent and try again.")
    async with in_transaction():
        if await User.filter(email=email).exists():
            return _("This email address cannot be used. Please choose another one.")
        old = user.email
        await User.filter(id=user.id).update(email=email, email_verified_at=clock.now(), updated_at=clock.now())
        await newsletter.change_address(old, email)
        await audit.record("email_changed", user=user)
        await mails.send_notice(old, user.language, "email")
    request.app.state.mailer.notify()
    return redirect("/account/settings?done=email")


async def _newsletter(request: Request, user: User, form) -> Response:
    if value(form, "subscribe", 8) == "1":
        # The address was proven by a code, so this is the second opt-in already.
        await newsletter.subscribe_confirmed(user.email, user.language)
        return redirect(value(form, "return", 40) == "welcome" and "/account/welcome" or
                        "/account/settings?done=subscribed")
    await newsletter.unsubscribe(user.email)
    return redirect("/account/settings?done=unsubscribed")


async def _end_session(request: Request, user: User, form) -> Response:
    raw = value(form, "session", 20)
    if raw.isdigit():
        await Session.filter(id=int(raw), user_id=user.id).delete()
    current = request.scope.get("account_session")
    if current is not None and raw == str(current.id):
        response = redirect("/")
        sessions.clear_cookie(response, request.app.state.settings)
        return response
    return redirect("/account/settings?done=sessions")


async def _end_all(request: Request, user: User, form) -> Response:
    await sessions.end_all(user)
    await audit.record("sign_out_everywhere", user=user)
    response = redirect("/account/login")
    sessions.clear_cookie(response, request.app.state.settings)
    return response


async def _delete(request: Request, user: User, form) -> Response:
    if value(form, "confirm", 254).lower() != user.email:
        return render(request, "accounts/settings.html", await _context(
            request, user, errors={"confirm": _("Type your email address to confirm.")}), status_code=400)
    async with in_transaction():
        # Survey answers given anonymously were never linked to the account; they stay, as promised.
        await newsletter.unsubscribe(user.email)
        await audit.record("account_deleted", role=user.role)
        await User.filter(id=user.id).delete()  # sessions go with it (ON DELETE CASCADE)
    response = render(request, "accounts/deleted.html", {"page_title": _("Your account has been deleted"),
                                                          "user": None})
    sessions.clear_cookie(response, request.app.state.settings)
    return response


async def _sign_in_again(request: Request, user: User, form) -> Response:
    """End this session and show the sign-in page, her address filled in, to come back with a fresh session."""
    session = request.scope.get("account_session")
    if session is not None:
        await sessions.end(session)
        await audit.record("sign_out", user=user)
    request.scope["user"] = request.scope["account_session"] = None  # the page is a signed-out one
    minutes = request.app.state.accounts.confirm_minutes
    message = _("Sign in again to confirm that it is you. For %(minutes)s minutes after that, you can change your "
                "email address or password, sign out everywhere or delete your account.", minutes=minutes)
    response = render(request, "accounts/login.html", login_context(
        request, "code", {"email": user.email, "next": "/account/settings"}, messages=info_messages(message)))
    sessions.clear_cookie(response, request.app.state.settings)
    return response


async def _two_step_setup(request: Request, user: User, form) -> Response:
    """A new secret for her app; two-step sign-in is on once she typed a code it made (_two_step_confirm)."""
    if not two_step.is_on(user):
        await User.filter(id=user.id).update(two_step_secret=two_step.new_secret(), updated_at=clock.now())
    return redirect("/account/settings#two-step")


async def _two_step_confirm(request: Request, user: User, form) -> Response:
    if two_step.is_on(user) or not user.two_step_secret:
        return redirect("/account/settings#two-step")
    now = clock.now()
    step = two_step.code_is_right(user.two_step_secret, value(form, "two_step_code", 20), now)
    if step is None:
        return render(request, "accounts/settings.html", await _context(request, user, errors={"two_step_code": _(
            "This code is not right. Type the six digits your app shows now.")}), status_code=400)
    recovery, hashes = two_step.new_recovery_codes(request.app.state.settings.secret_key)
    async with in_transaction():
        turned_on = await User.filter(id=user.id, two_step_since=None, two_step_secret=user.two_step_secret).update(
            two_step_since=now, two_step_last_step=step, two_step_recovery=hashes, updated_at=now)
        if not turned_on:  # sent twice, or from two browsers at once: the first one did it
            return redirect("/account/settings#two-step")
        # Browsers signed in before, perhaps by someone who could read her email, are signed out.
        await sessions.end_all(user, keep=request.scope.get("account_session"))
        await audit.record("two_step_on", user=user)
        await mails.send_notice(user.email, user.language, "two_step_on")
    request.app.state.mailer.notify()
    user.two_step_since, user.two_step_last_step, user.two_step_recovery = now, step, hashes
    message = _("Two-step sign-in is on. Keep these recovery codes somewhere safe, away from your phone: each one "
                "signs you in once if you lose it. They are shown only now.")
    return render(request, "accounts/settings.html", await _context(
        request, user, recovery_codes=recovery, messages=info_messages(message)))


async def _two_step_off(request: Request, user: User, form) -> Response:
    if two_step.is_on(user) or user.two_step_secret:
        async with in_transaction():
            await User.filter(id=user.id).update(two_step_secret=None, two_step_since=None, two_step_recovery=[],
                                                 updated_at=clock.now())
            if two_step.is_on(user):
                await audit.record("two_step_off", user=user)
                await mails.send_notice(user.email, user.language, "two_step_off")
        request.app.state.mailer.notify()
    return redirect("/account/settings?done=two_step_off#two-step")


ACTIONS = {
    "profile": _profile,
    "time-zone": _time_zone,
    "password": _password,
    "email": _email,
    "newsletter": _newsletter,
    "session": _end_session,
    "sign-out-everywhere": _end_all,
    "delete": _delete,
    "sign-in-again": _sign_in_again,
    "two-step-setup": _two_step_setup,
    "two-step-confirm": _two_step_confirm,
    "two-step-off": _two_step_off,
}
