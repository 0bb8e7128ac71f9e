"""Administration: users and their roles, invitations, the audit log, the newsletter's issues."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from consult.accounts import audit, clock, invitations, newsletter
from consult.accounts.forms import info_messages, read_form, value
from consult.accounts.models import AuditEvent, NewsletterIssue, NewsletterSubscriber, Role, ROLE_LABELS, User
from consult.accounts.permissions import require_role
from consult.accounts.users import UserError, normalize_email
from consult.i18n import gettext as _
from consult.web import PageError, language_choices, redirect, render


async def _users_context(request: Request, **extra) -> dict:
    notices = {"role": _("The role has been changed."), "invited": _("The invitation has been sent.")}
    return {
        "page_title": _("Users"),
        "users": await User.all().order_by("email"),
        "roles": [(role.value, str(ROLE_LABELS[role])) for role in Role],
        "invitable": [(role.value, str(ROLE_LABELS[role])) for role in invitations.INVITABLE],
        "languages": [(c["code"], c["name"]) for c in language_choices(request)],
        "values": {}, "errors": {},
        "messages": info_messages(notices.get(request.query_params.get("done", ""), "")),
        **extra,
    }


@require_role(Role.ADMIN)
async def users(request: Request) -> Response:
    return render(request, "admin/users.html", await _users_context(request))


@require_role(Role.ADMIN)
async def change_role(request: Request) -> Response:
    form = await read_form(request)
    actor = request.scope["user"]
    target = await User.get_or_none(id=request.path_params["user_id"])
    if target is None:
        raise PageError(404, _("The address may be mistyped, or the page may have been moved or removed."))
    role = value(form, "role", 16)
    if role not in {r.value for r in Role}:
        raise PageError(400, _("Choose one of the roles in the list."))
    if target.id == actor.id and role != Role.ADMIN.value:
        # The last administrator must not lock everyone out by accident.
        raise PageError(400, _("You cannot take away your own administrator role."))
    if role != target.role:
        old = target.role
        await User.filter(id=target.id).update(role=role, updated_at=clock.now())
        await audit.record("role_changed", user=target, actor=actor, old=old, new=role)
    return redirect("/admin/users?done=role")


@require_role(Role.ADMIN)
async def invite(request: Request) -> Response:
    form = await read_form(request)
    values = {"email": value(form, "email"), "role": value(form, "role", 16), "language": value(form, "language", 8)}
    errors = {}
    try:
        email = normalize_email(values["email"])
        if await User.filter(email=email).exists():
            errors["email"] = _("This person already has an account: change her role in the list instead.")
    except UserError as error:
        errors["email"] = str(error)
        email = ""
    if values["role"] not in {r.value for r in invitations.INVITABLE}:
        errors["role"] = _("Choose one of the roles in the list.")
    if values["language"] not in request.app.state.settings.languages:
        errors["language"] = _("Choose one of the languages in the list.")
    if errors:
        return render(request, "admin/users.html", await _users_context(request, values=values, errors=errors),
                      status_code=400)
    await invitations.invite(request, email, Role(values["role"]), values["language"], request.scope["user"])
    return redirect("/admin/users?done=invited")


@require_role(Role.ADMIN)
async def audit_log(request: Request) -> Response:
    events = await AuditEvent.all().order_by("-created_at", "-id").limit(300).prefetch_related("user", "actor")
    return render(request, "admin/audit.html", {"page_title": _("Audit log"), "events": events,
                                                "labels": audit.EVENTS})


async def _newsletter_context(request: Request, **extra) -> dict:
    counts = {}
    for code in request.app.state.settings.languages:
        counts[code] = await NewsletterSubscriber.filter(language=code, confirmed_at__not_isnull=True).count()
    return {"page_title": _("Newsletter"), "issues": await NewsletterIssue.all().order_by("-created_at"),
            "languages": [(c["code"], c["name"]) for c in language_choices(request)], "counts": counts,
            "values": {}, "errors": {},
            "messages": info_messages({"sent": _("The issue is being sent."), "saved": _("The issue has been saved.")
                                       }.get(request.query_params.get("done", ""), "")), **extra}


@require_role(Role.ADMIN)
async def newsletter_admin(request: Request) -> Response:
    if request.method == "GET":
        return render(request, "admin/newsletter.html", await _newsletter_context(request))
    form = await read_form(request)
    values = {"language": value(form, "language", 8), "subject": value(form, "subject", 200),
              "body": value(form, "body", 50_000)}
    errors = {}
    if values["language"] not in request.app.state.settings.languages:
        errors["language"] = _("Choose one of the languages in the list.")
    if not values["subject"]:
        errors["subject"] = _("Enter a subject.")
    if not values["body"]:
        errors["body"] = _("Write the text of the issue.")
    if errors:
        return render(request, "admin/newsletter.html", await _newsletter_context(
            request, values=values, errors=errors), status_code=400)
    await NewsletterIssue.create(language=values["language"], subject=values["subject"], body=values["body"],
                                 created_by_id=request.scope["user"].id, created_at=clock.now())
    return redirect("/admin/newsletter?done=saved")


@require_role(Role.ADMIN)
async def send_newsletter(request: Request) -> Response:
    issue = await NewsletterIssue.get_or_none(id=request.path_params["issue_id"])
    if issue is None:
        raise PageError(404, _("The address may be mistyped, or the page may have been moved or removed."))
    await newsletter.send_issue(request.app.state.settings, issue)
    request.app.state.mailer.notify()
    return redirect("/admin/newsletter?done=sent")
