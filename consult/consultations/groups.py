"""Groups of users (a working group, a delegation) that the secretariat invites to a consultation at once.

Only administrators (the secretariat) see and change groups. Inviting a group invites its current members, and
records the group as invited: a member added to the group later is invited too, to each consultation the group is
invited to that is still in preparation or open (mailed like any invitee when it is open). Removing a member, or
deleting the group, does not withdraw invitations already made: her comments stay hers, and she may still read.
Respondents cannot be group members, since they cannot be invited to consultations.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from tortoise.exceptions import IntegrityError
from tortoise.functions import Count
from tortoise.transactions import in_transaction

from consult.accounts import clock
from consult.accounts.models import Role, User
from consult.accounts.permissions import check_role, require_user
from consult.consultations import forms, service
from consult.consultations.models import Consultation, Group, GroupInvitation, GroupMember, Phase
from consult.i18n import gettext as _
from consult.settings import Settings
from consult.web import PageError, form_data, redirect, render

NAME_LIMIT = 120
#: Members added later are invited to the group's consultations in these phases.
LIVE_PHASES = (Phase.DRAFT.value, Phase.OPEN.value)


# ---- service ---------------------------------------------------------------------------------------------------

def name_problem(name: str) -> str | None:
    if not name:
        return _("Give the group a name.")
    if len(name) > NAME_LIMIT:
        return _("The name of a group can be at most %(limit)s characters long.", limit=NAME_LIMIT)
    return None


async def name_taken(name: str, except_id: int | None = None) -> bool:
    """Whether another group has this name, whatever the case (names are compared in Python: SQLite and
    PostgreSQL do not fold case alike)."""
    rows = await Group.all().values_list("id", "name")
    return any(other.casefold() == name.casefold() and gid != except_id for gid, other in rows)


async def members_of(group: Group) -> list[User]:
    rows = await GroupMember.filter(group_id=group.id).prefetch_related("user").order_by("id")
    return [row.user for row in rows]


async def add_members(settings: Settings, group: Group, users: list[User]) -> list[User]:
    """Add users to a group, and invite the new members to the group's live consultations."""
    added = []
    async with in_transaction():
        for user in users:
            _, created = await GroupMember.get_or_create(group_id=group.id, user_id=user.id,
                                                         defaults={"added_at": clock.now()})
            if created:
                added.append(user)
    if added:
        ids = await GroupInvitation.filter(group_id=group.id).values_list("consultation_id", flat=True)
        for consultation in await Consultation.filter(id__in=list(ids), phase__in=LIVE_PHASES):
            await service.invite(settings, consultation, [u for u in added if u.is_active])
    return added


async def invite_group(settings: Settings, consultation: Consultation, group: Group) -> list[User]:
    """Invite the group's current members (and, through the recorded invitation, later ones)."""
    await GroupInvitation.get_or_create(consultation_id=consultation.id, group_id=group.id,
                                        defaults={"invited_at": clock.now()})
    members = [u for u in await members_of(group) if u.is_active and u.role != Role.RESPONDENT.value]
    return await service.invite(settings, consultation, members)


async def invited_groups(consultation: Consultation) -> list[Group]:
    rows = await GroupInvitation.filter(consultation_id=consultation.id).prefetch_related("group").order_by("id")
    return [row.group for row in rows]


# ---- pages -----------------------------------------------------------------------------------------------------

def _admin(request: Request) -> User:
    return check_role(request, Role.ADMIN)


async def _group(request: Request) -> Group:
    group = await Group.get_or_none(id=request.path_params["gid"])
    if group is None:
        raise PageError(404, _("This group does not exist."))
    return group


async def _list_context(typed: str = "", error: str | None = None) -> dict:
    groups = await Group.all().annotate(member_count=Count("memberships")).order_by("name")
    return {"groups": groups, "typed": typed, "error": error, "page_title": _("Groups")}


@require_user
async def group_list(request: Request) -> Response:
    _admin(request)
    if request.method == "GET":
        return render(request, "consultations/groups.html", await _list_context())
    name = forms.text(await form_data(request), "name", 1000)
    problem = name_problem(name)
    status = 400
    if problem is None and await name_taken(name):
        problem, status = _("A group with this name already exists. Choose another name."), 409
    if problem:
        return render(request, "consultations/groups.html", await _list_context(name, problem), status_code=status)
    try:
        group = await Group.create(name=name, created_at=clock.now())
    except IntegrityError:  # the same name created at the same moment by another administrator
        return render(request, "consultations/groups.html", await _list_context(
            name, _("A group with this name already exists. Choose another name.")), status_code=409)
    return redirect(f"/consultations/groups/{group.id}")


async def _edit_context(group: Group, name: str, emails: str, errors: dict, messages: list) -> dict:
    return {"group": group, "members": await members_of(group), "name": name, "emails": emails, "errors": errors,
            "messages": messages, "page_title": _("Group %(name)s", name=group.name),
            "consultations": await Consultation.filter(
                id__in=list(await GroupInvitation.filter(group_id=group.id).values_list("consultation_id",
                                                                                        flat=True)))}


@require_user
async def group_edit(request: Request) -> Response:
    _admin(request)
    group = await _group(request)
    if request.method == "GET":
        done = request.query_params.get("done")
        messages = [{"text": _("The group has been saved."), "kind": "success"}] if done == "saved" else []
        return render(request, "consultations/group.html", await _edit_context(group, group.name, "", {}, messages))
    form = await form_data(request)
    name, emails = forms.text(form, "name", 1000), forms.text(form, "emails", 20_000)
    errors: dict[str, str] = {}
    status = 400
    problem = name_problem(name)
    if problem is None and await name_taken(name, except_id=group.id):
        problem, status = _("A group with this name already exists. Choose another name."), 409
    if problem:
        errors["name"] = problem
    wanted = forms.addresses(emails)
    users = list(await User.filter(email__in=wanted)) if wanted else []
    unknown = sorted(set(wanted) - {u.email for u in users})
    refused = sorted(u.email for u in users if u.role == Role.RESPONDENT.value or not u.is_active)
    if unknown:
        errors["emails"] = _("No account has these addresses: %(list)s. Invite them to the platform first.",
                             list=", ".join(unknown))
    elif refused:
        errors["emails"] = _("Respondents cannot be members of a group: %(list)s.", list=", ".join(refused))
    if errors:
        if "name" not in errors:
            status = 400
        return render(request, "consultations/group.html", await _edit_context(group, name, emails, errors, []),
                      status_code=status)
    removed = [int(raw) for raw in form.getlist("remove") if isinstance(raw, str) and raw.isdigit()]
    try:
        async with in_transaction():
            if name != group.name:
                group.name = name
                await group.save()
            if removed:
                await GroupMember.filter(group_id=group.id, user_id__in=removed).delete()
    except IntegrityError:
        group = await Group.get(id=group.id)
        return render(request, "consultations/group.html", await _edit_context(
            group, name, emails, {"name": _("A group with this name already exists. Choose another name.")}, []),
            status_code=409)
    await add_members(request.app.state.settings, group, users)
    mailer = getattr(request.app.state, "mailer", None)
    if mailer is not None:
        mailer.notify()
    return redirect(f"/consultations/groups/{group.id}?done=saved")


@require_user
async def group_delete(request: Request) -> Response:
    _admin(request)
    group = await _group(request)
    await group.delete()
    return redirect("/consultations/groups")

