"""The consultation pages. Each view finds the reader (:func:`.access.reader_for`), calls :mod:`.service`, and
renders a named template; refusals keep what was typed on the page."""

from __future__ import annotations

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from tortoise.functions import Count

from consult import i18n
from consult.accounts import clock
from consult.accounts.models import Role, User
from consult.accounts.permissions import check_role, require_user
from consult.consultations import drafts, forms, groups, matrix, notify, service
from consult.consultations.access import Reader, is_secretariat, reader_for, require_secretariat
from consult.consultations.models import (Comment, Consultation, Flag, Group, Invitee, Paragraph, Phase, Status,
                                          Support, Version, Visibility)
from consult.consultations.versions import diff as version_diff
from consult.i18n import gettext as _
from consult.web import PageError, form_data, not_found, redirect, render


# ---- helpers -------------------------------------------------------------------------------------------------

def _wake_mailer(request: Request) -> None:
    mailer = getattr(request.app.state, "mailer", None)
    if mailer is not None:
        mailer.notify()


def draft_language(request: Request, consultation: Consultation) -> str:
    """The language the draft is read in: ``?lang=``, else the page language when the draft has it, else its
    first language."""
    asked = request.query_params.get("lang")
    languages = consultation.languages or [i18n.DEFAULT]
    if asked in languages:
        return asked
    return i18n.current_code() if i18n.current_code() in languages else languages[0]


async def _version(request: Request, consultation: Consultation) -> Version:
    raw = request.query_params.get("v")
    query = Version.filter(consultation_id=consultation.id)
    version = await (query.filter(number=int(raw)).first() if raw and raw.isdigit() else query.order_by("-number")
                     .first())
    if version is None:
        raise PageError(404, _("This version of the draft does not exist."))
    return version


def _base(reader: Reader, **context) -> dict:
    c = reader.consultation
    return {"consultation": c, "reader": reader, "phase": Phase(c.phase), "secretariat": reader.secretariat,
            "page_title": c.title, **context}


def _refused(request: Request, reader: Reader | None, message: str, status_code: int, typed: str = "",
             back: str = "/consultations") -> Response:
    """A refusal that keeps the typed text on the page, so nothing is lost."""
    return render(request, "consultations/refused.html",
                  {"page_title": _("Your comment was not saved"), "message": message, "typed": typed,
                   "back": back, "consultation": reader.consultation if reader else None}, status_code=status_code)


async def _comment_of(reader: Reader, comment_id: str) -> Comment:
    try:
        key = int(comment_id)
    except ValueError:
        raise not_found() from None
    comment = await Comment.get_or_none(id=key, consultation_id=reader.consultation.id)
    if comment is None or not reader.sees_comment_of(comment):
        raise PageError(404, _("This comment does not exist."))
    return comment


# ---- list and create -------------------------------------------------------------------------------------------

@require_user
async def consultation_list(request: Request) -> Response:
    user = check_role(request)
    if user.role == Role.RESPONDENT.value:
        raise PageError(403, _("Consultations are open to panel members and the secretariat only."))
    if is_secretariat(user):
        items = await Consultation.all().order_by("-created_at")
    else:
        ids = await Invitee.filter(user_id=user.id).values_list("consultation_id", flat=True)
        items = await Consultation.filter(id__in=list(ids)).exclude(phase=Phase.DRAFT.value).order_by("-created_at")
    return render(request, "consultations/list.html",
                  {"consultations": items, "secretariat": is_secretariat(user), "page_title": _("Consultations"),
                   "Phase": Phase})


def _settings_context(request: Request, values: dict, errors: dict, title: str) -> dict:
    return {"values": values, "errors": errors, "page_title": title,
            "language_options": [(code, i18n.locale_info(code).native_name)
                                 for code in request.app.state.settings.languages],
            "Visibility": Visibility}


@require_user
async def consultation_new(request: Request) -> Response:
    user = check_role(request, Role.ADMIN)
    if request.method == "GET":
        values = {"title": "", "summary": "", "time_zone": "Europe/Brussels", "visibility": "members",
                  "show_authors": False, "languages": [i18n.current_code()], "opens_at_raw": "",
                  "closes_at_raw": ""}
        return render(request, "consultations/settings.html",
                      _settings_context(request, values, {}, _("New consultation")))
    values, errors = forms.read_settings(await form_data(request), request.app.state.settings.languages)
    if errors:
        return render(request, "consultations/settings.html",
                      _settings_context(request, values, errors, _("New consultation")), status_code=400)
    consultation = await Consultation.create(
        title=values["title"], summary=values["summary"], languages=values["languages"],
        opens_at=values["opens_at"], closes_at=values["closes_at"], time_zone=values["time_zone"],
        visibility=values["visibility"], show_authors=values["show_authors"], created_by=user,
        created_at=clock.now())
    return redirect(f"/consultations/{consultation.id}/draft")


@require_user
async def consultation_settings(request: Request) -> Response:
    reader = await reader_for(request, request.path_params["id"])
    require_secretariat(reader)
    c = reader.consultation
    if request.method == "GET":
        values = {"title": c.title, "summary": c.summary, "time_zone": c.time_zone, "visibility": c.visibility,
                  "show_authors": c.show_authors, "languages": c.languages,
                  "opens_at_raw": forms.local_input_value(c.opens_at, c.time_zone),
                  "closes_at_raw": forms.local_input_value(c.closes_at, c.time_zone)}
        return render(request, "consultations/settings.html",
                      {**_settings_context(request, values, {}, _("Consultation settings")), "consultation": c})
    values, errors = forms.read_settings(await form_data(request), request.app.state.settings.languages)
    if not errors and await Version.exists(consultation_id=c.id) and values["languages"][0] != c.languages[0]:
        errors["languages"] = _("The first language cannot change once a draft exists.")
    if errors:
        return render(request, "consultations/settings.html",
                      {**_settings_context(request, values, errors, _("Consultation settings")),
                       "consultation": c}, status_code=400)
    for name in ("title", "summary", "languages", "opens_at", "closes_at", "time_zone", "visibility",
                 "show_authors"):
        setattr(c, name, values[name])
    if c.closes_at is None or c.closes_at > clock.now():
        c.reminder_sent_at = None
    await c.save()
    return redirect(f"/consultations/{c.id}")


# ---- reading ---------------------------------------------------------------------------------------------------

@require_user
async def consultation_detail(request: Request) -> Response:
    reader = await reader_for(request, request.path_params["id"])
    c = reader.consultation
    versions = await Version.filter(consultation_id=c.id).order_by("number")
    language = draft_language(request, c)
    if not versions:
        return render(request, "consultations/detail.html",
                      _base(reader, versions=[], version=None, paragraphs=[], counts={}, language=language,
                            draft_languages=[]))
    version = await _version(request, c)
    paragraphs = await service.paragraphs_of(version)
    rows = await (Comment.filter(paragraph__version_id=version.id, hidden_at=None)
                  .values("paragraph_id", "author_id"))
    counts: dict[int, int] = {}
    for row in rows:
        if reader.secretariat or c.visibility == Visibility.MEMBERS.value or row["author_id"] == reader.user.id \
                or c.phase == Phase.PUBLISHED.value:
            counts[row["paragraph_id"]] = counts.get(row["paragraph_id"], 0) + 1
    # ``at``: the paragraph the reader came back from; the language links keep her there (no JavaScript needed).
    at = request.query_params.get("at")
    at = at if at in {p.key for p in paragraphs} else None
    return render(request, "consultations/detail.html",
                  _base(reader, versions=versions, version=version, paragraphs=paragraphs, counts=counts,
                        language=language, draft_languages=_draft_languages(c, language),
                        now=clock.now(), at=at))


def _draft_languages(c: Consultation, current: str) -> list[dict]:
    return [{"code": code, "name": i18n.locale_info(code).native_name, "current": code == current,
             "direction": i18n.locale_info(code).direction} for code in c.languages if code in i18n.SUPPORTED]


async def _paragraph_context(request: Request, reader: Reader, key: str) -> dict:
    c = reader.consultation
    version = await _version(request, c)
    paragraph = await Paragraph.get_or_none(version_id=version.id, key=key)
    if paragraph is None:
        raise PageError(404, _("This paragraph does not exist in this version of the draft."))
    comments = await (Comment.filter(paragraph_id=paragraph.id).annotate(support_count=Count("supports"))
                      .prefetch_related("author").order_by("id"))
    visible = [comment for comment in comments if reader.sees_comment_of(comment)]
    supported = set(await Support.filter(user_id=reader.user.id, comment_id__in=[x.id for x in visible])
                    .values_list("comment_id", flat=True))
    flags = {}
    if reader.secretariat:
        for row in await Flag.filter(comment_id__in=[x.id for x in visible]).values("comment_id"):
            flags[row["comment_id"]] = flags.get(row["comment_id"], 0) + 1
    children: dict[int | None, list[Comment]] = {}
    ids = {x.id for x in visible}
    for comment in visible:
        parent = comment.parent_id if comment.parent_id in ids else None
        children.setdefault(parent, []).append(comment)
    latest = await service.latest_version(c)
    language = draft_language(request, c)
    became = None
    if latest is not None and latest.id != version.id:
        became = await Paragraph.get_or_none(version_id=latest.id, key=key)
    return _base(reader, version=version, latest=latest, paragraph=paragraph, children=children,
                 supported=supported, flags=flags, language=language, became=became,
                 draft_languages=_draft_languages(c, language), accepting=reader.accepting_comments(),
                 may_edit=lambda comment: service.may_edit(reader, comment), typed="", quote="", reply_to=None,
                 error=None, page_title=_("Paragraph %(number)s", number=paragraph.number) + " · " + c.title)


@require_user
async def paragraph_page(request: Request) -> Response:
    reader = await reader_for(request, request.path_params["id"])
    key = request.path_params["key"]
    if request.method == "GET":
        context = await _paragraph_context(request, reader, key)
        reply_to = request.query_params.get("reply")
        if reply_to and reply_to.isdigit():
            context["reply_to"] = int(reply_to)
        return render(request, "consultations/paragraph.html", context)
    form = await form_data(request)
    body, quote = forms.text(form, "body", 50_000), forms.text(form, "quote", 2000)
    back = f"/consultations/{reader.consultation.id}"
    version = await service.latest_version(reader.consultation)
    paragraph = await Paragraph.get_or_none(version_id=version.id, key=key) if version else None
    if paragraph is None:
        return _refused(request, reader, _("This paragraph does not exist in the current version of the draft. "
                                           "Copy your text and comment on another paragraph."), 404, body, back)
    parent = None
    raw_parent = forms.text(form, "parent", 20)
    if raw_parent:
        parent = await Comment.get_or_none(id=int(raw_parent) if raw_parent.isdigit() else 0,
                                           paragraph_id=paragraph.id)
        if parent is None or not reader.sees_comment_of(parent):
            return _refused(request, reader, _("The comment you reply to does not exist."), 404, body, back)
    try:
        comment = await service.add_comment(request.app.state.settings, reader, paragraph, body, quote, parent,
                                            language=i18n.current_code())
    except service.ConsultationError as error:
        context = await _paragraph_context(request, reader, key)
        context.update(typed=body, quote=quote, error=str(error), reply_to=parent.id if parent else None)
        return render(request, "consultations/paragraph.html", context, status_code=error.status_code)
    _wake_mailer(request)
    return redirect(f"/consultations/{reader.consultation.id}/p/{key}#c{comment.id}")


@require_user
async def comment_link(request: Request) -> Response:
    reader = await reader_for(request, request.path_params["id"])
    comment = await _comment_of(reader, request.path_params["cid"])
    paragraph = await Paragraph.get(id=comment.paragraph_id).prefetch_related("version")
    return redirect(f"/consultations/{reader.consultation.id}/p/{paragraph.key}?v={paragraph.version.number}"
                    f"#c{comment.id}")


@require_user
async def comment_edit(request: Request) -> Response:
    reader = await reader_for(request, request.path_params["id"])
    comment = await _comment_of(reader, request.path_params["cid"])
    paragraph = await Paragraph.get(id=comment.paragraph_id)
    back = f"/consultations/{reader.consultation.id}/p/{paragraph.key}"
    if request.method == "GET":
        if comment.author_id != reader.user.id:
            raise PageError(403, _("You can only edit your own comments."))
        return render(request, "consultations/edit.html",
                      _base(reader, comment=comment, paragraph=paragraph, typed=comment.body, error=None,
                            back=back, language=draft_language(request, reader.consultation)))
    body = forms.text(await form_data(request), "body", 50_000)
    try:
        await service.edit_comment(reader, comment, body)
    except service.ConsultationError as error:
        return render(request, "consultations/edit.html",
                      _base(reader, comment=comment, paragraph=paragraph, typed=body, error=str(error), back=back,
                            language=draft_language(request, reader.consultation)),
                      status_code=error.status_code)
    return redirect(f"{back}#c{comment.id}")


@require_user
async def comment_support(request: Request) -> Response:
    reader = await reader_for(request, request.path_params["id"])
    comment = await _comment_of(reader, request.path_params["cid"])
    try:
        await service.toggle_support(reader, comment)
    except service.ConsultationError as error:
        return _refused(request, reader, str(error), error.status_code,
                        back=f"/consultations/{reader.consultation.id}/comments/{comment.id}")
    return redirect(f"/consultations/{reader.consultation.id}/comments/{comment.id}")


@require_user
async def comment_flag(request: Request) -> Response:
    reader = await reader_for(request, request.path_params["id"])
    comment = await _comment_of(reader, request.path_params["cid"])
    if request.method == "GET":
        return render(request, "consultations/flag.html", _base(reader, comment=comment))
    await service.flag(reader, comment, forms.text(await form_data(request), "reason", 1000))
    return render(request, "consultations/flag.html",
                  _base(reader, comment=comment, done=True,
                        messages=[{"text": _("Thank you. The secretariat will look at this comment."),
                                   "kind": "success"}]))


@require_user
async def comment_hide(request: Request) -> Response:
    reader = await reader_for(request, request.path_params["id"])
    require_secretariat(reader)
    comment = await _comment_of(reader, request.path_params["cid"])
    try:
        await service.hide(comment, forms.text(await form_data(request), "reason", 1000))
    except service.ConsultationError as error:
        return _refused(request, reader, str(error), error.status_code,
                        back=f"/consultations/{reader.consultation.id}/moderation")
    return redirect(f"/consultations/{reader.consultation.id}/moderation")


@require_user
async def comment_restore(request: Request) -> Response:
    reader = await reader_for(request, request.path_params["id"])
    require_secretariat(reader)
    comment = await _comment_of(reader, request.path_params["cid"])
    await service.restore(comment)
    return redirect(f"/consultations/{reader.consultation.id}/moderation")


@require_user
async def moderation(request: Request) -> Response:
    reader = await reader_for(request, request.path_params["id"])
    require_secretariat(reader)
    c = reader.consultation
    flagged = await (Comment.filter(consultation_id=c.id, flags__id__isnull=False).distinct()
                     .prefetch_related("flags", "author", "paragraph").order_by("id"))
    hidden = await (Comment.filter(consultation_id=c.id, hidden_at__isnull=False)
                    .prefetch_related("author", "paragraph").order_by("id"))
    return render(request, "consultations/moderation.html",
                  _base(reader, flagged=flagged, hidden=hidden, page_title=_("Moderation") + " · " + c.title))


# ---- responses ---------------------------------------------------------------------------------------------------

@require_user
async def comment_respond(request: Request) -> Response:
    reader = await reader_for(request, request.path_params["id"])
    require_secretariat(reader)
    c = reader.consultation
    comment = await _comment_of(reader, request.path_params["cid"])
    paragraph = await Paragraph.get(id=comment.paragraph_id)
    latest = await service.latest_version(c)
    targets = await service.paragraphs_of(latest) if latest else []
    language = draft_language(request, c)
    context = _base(reader, comment=comment, paragraph=paragraph, targets=targets, language=language,
                    statuses=list(Status), error=None, values={"status": comment.status or "",
                                                             "response": comment.response,
                                                             "paragraph": comment.response_paragraph_key or ""},
                    page_title=_("Response to comment %(id)s", id=comment.id))
    if request.method == "GET":
        return render(request, "consultations/respond.html", context)
    form = await form_data(request)
    values = {"status": forms.text(form, "status", 16), "response": forms.text(form, "response"),
              "paragraph": forms.text(form, "paragraph", 16)}
    try:
        await service.respond(c, comment, values["status"], values["response"], values["paragraph"] or None)
    except service.ConsultationError as error:
        context.update(values=values, error=str(error))
        return render(request, "consultations/respond.html", context, status_code=error.status_code)
    return redirect(f"/consultations/{c.id}/matrix#c{comment.id}")


@require_user
async def my_comments(request: Request) -> Response:
    reader = await reader_for(request, request.path_params["id"])
    c = reader.consultation
    mine = await (Comment.filter(consultation_id=c.id, author_id=reader.user.id)
                  .annotate(support_count=Count("supports")).prefetch_related("paragraph", "paragraph__version")
                  .order_by("id"))
    latest = await service.latest_version(c)
    numbers = {p.key: p.number for p in await service.paragraphs_of(latest)} if latest else {}
    return render(request, "consultations/mine.html",
                  _base(reader, mine=mine, numbers=numbers, published=c.phase == Phase.PUBLISHED.value,
                        language=draft_language(request, c), page_title=_("My comments") + " · " + c.title))


@require_user
async def comment_matrix(request: Request) -> Response:
    reader = await reader_for(request, request.path_params["id"])
    if not reader.sees_matrix:
        raise PageError(403, _("The comment matrix is published with the responses."))
    c = reader.consultation
    language = draft_language(request, c)
    rows = await matrix.build(c, language)
    fmt = request.query_params.get("format", "html")
    filename = f"consultation-{c.id}-matrix"
    if fmt == "csv":
        return Response(matrix.to_csv(rows), media_type="text/csv; charset=utf-8",
                        headers={"content-disposition": f'attachment; filename="{filename}.csv"'})
    if fmt == "xlsx":
        return Response(matrix.to_xlsx(rows, c.title),
                        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        headers={"content-disposition": f'attachment; filename="{filename}.xlsx"'})
    if fmt != "html":
        raise PageError(400, _("Unknown format; choose HTML, CSV or XLSX."))
    return render(request, "consultations/matrix.html",
                  _base(reader, groups=matrix.grouped(rows), language=language,
                        page_title=_("Comment matrix") + " · " + c.title))


# ---- drafts and versions -----------------------------------------------------------------------------------------

@require_user
async def draft_edit(request: Request) -> Response:
    reader = await reader_for(request, request.path_params["id"])
    require_secretariat(reader)
    c = reader.consultation
    latest = await service.latest_version(c)
    languages = [code for code in c.languages if code in i18n.SUPPORTED]
    names = {code: i18n.locale_info(code).native_name for code in languages}
    if request.method == "GET":
        texts = {code: "" for code in languages}
        if latest is not None:
            for p in await service.paragraphs_of(latest):
                for code in languages:
                    texts[code] += ("#" * p.level + " " if p.level else "") + p.text(code) + "\n\n"
        return render(request, "consultations/draft.html",
                      _base(reader, languages=languages, names=names, texts=texts, note="", error=None,
                            latest=latest, page_title=_("Draft") + " · " + c.title))
    form = await form_data(request)
    texts = {code: forms.text(form, f"text_{code}", drafts.MAX_DRAFT_BYTES) for code in languages}
    note = forms.text(form, "note", 2000)
    parsed: dict[str, list[drafts.Block]] = {}
    try:
        for code in languages:
            upload = form.get(f"file_{code}")
            where = names[code]
            try:
                if isinstance(upload, UploadFile) and upload.filename:
                    parsed[code] = drafts.parse_upload(upload.filename, await upload.read())
                else:
                    parsed[code] = drafts.parse_markdown(texts[code])
            except drafts.DraftError as error:
                raise drafts.DraftError(f"{where}: {error}") from error
        rows = drafts.align_languages(parsed, languages)
    except drafts.DraftError as error:
        return render(request, "consultations/draft.html",
                      _base(reader, languages=languages, names=names, texts=texts, note=note, error=str(error),
                            latest=latest, page_title=_("Draft") + " · " + c.title), status_code=400)
    version = await service.add_version(c, rows, note)
    if latest is not None:
        return redirect(f"/consultations/{c.id}/diff?from={latest.number}&to={version.number}")
    return redirect(f"/consultations/{c.id}")


@require_user
async def version_diff_page(request: Request) -> Response:
    reader = await reader_for(request, request.path_params["id"])
    c = reader.consultation
    versions = await Version.filter(consultation_id=c.id).order_by("number")
    if len(versions) < 2:
        raise PageError(404, _("There is only one version of this draft."))
    by_number = {v.number: v for v in versions}
    raw_from, raw_to = request.query_params.get("from", ""), request.query_params.get("to", "")
    old = by_number.get(int(raw_from)) if raw_from.isdigit() else versions[-2]
    new = by_number.get(int(raw_to)) if raw_to.isdigit() else versions[-1]
    if old is None or new is None:
        raise PageError(404, _("This version of the draft does not exist."))
    language = draft_language(request, c)
    rows = version_diff(await service.paragraphs_of(old), await service.paragraphs_of(new), language)
    return render(request, "consultations/diff.html",
                  _base(reader, old=old, new=new, rows=rows, versions=versions, language=language,
                        draft_languages=_draft_languages(c, language),
                        page_title=_("Changes from version %(old)s to version %(new)s", old=old.number,
                                     new=new.number)))


# ---- running the consultation -------------------------------------------------------------------------------------

@require_user
async def invitees_page(request: Request) -> Response:
    reader = await reader_for(request, request.path_params["id"])
    require_secretariat(reader)
    c = reader.consultation
    messages = []
    status = 200
    typed = ""
    if request.method == "POST":
        form = await form_data(request)
        wanted = forms.addresses(forms.text(form, "emails"))
        users = list(await User.filter(email__in=wanted, is_active=True)) if wanted else []
        unknown = sorted(set(wanted) - {u.email for u in users})
        refused = [u.email for u in users if u.role == Role.RESPONDENT.value]
        users = [u for u in users if u.role != Role.RESPONDENT.value]
        if form.get("all_panel") == "1":
            users += [u for u in await User.filter(role=Role.PANEL.value, is_active=True) if u not in users]
        added = await service.invite(request.app.state.settings, c, users)
        raw_group = forms.text(form, "group", 20)
        unknown_group = False
        if raw_group:
            group = await Group.get_or_none(id=int(raw_group)) if raw_group.isdigit() else None
            if group is None:
                unknown_group = True
            else:
                added += [u for u in await groups.invite_group(request.app.state.settings, c, group)
                          if u not in added]
        _wake_mailer(request)
        messages.append({"text": _("%(count)s people invited.", count=len(added)), "kind": "success"})
        if unknown:
            status = 400
            messages.append({"text": _("No account has these addresses: %(list)s. Invite them to the platform "
                                       "first.", list=", ".join(unknown)), "kind": "error"})
        if refused:
            status = 400
            messages.append({"text": _("Respondents cannot be invited to consultations: %(list)s.",
                                       list=", ".join(refused)), "kind": "error"})
        if unknown_group:
            status = 400
            messages.append({"text": _("This group does not exist. Choose one of the groups in the list."),
                             "kind": "error"})
        if status != 200:
            typed = forms.text(form, "emails")
    invitees = await Invitee.filter(consultation_id=c.id).prefetch_related("user").order_by("id")
    return render(request, "consultations/invitees.html",
                  _base(reader, invitees=invitees, messages=messages, typed=typed,
                        groups=await Group.all().order_by("name"), invited_groups=await groups.invited_groups(c),
                        page_title=_("Invited members") + " · " + c.title), status_code=status)


@require_user
async def phase_change(request: Request) -> Response:
    reader = await reader_for(request, request.path_params["id"])
    require_secretariat(reader)
    c = reader.consultation
    action = request.path_params["action"]
    settings = request.app.state.settings
    try:
        if action == "open":
            await service.open_for_comments(settings, c)
        elif action == "close":
            await service.close(c)
        elif action == "publish":
            await service.publish_responses(settings, c)
        else:
            raise not_found()
    except service.ConsultationError as error:
        return _refused(request, reader, str(error), error.status_code, back=f"/consultations/{c.id}")
    _wake_mailer(request)
    return redirect(f"/consultations/{c.id}")


async def unsubscribe(request: Request) -> Response:
    settings = request.app.state.settings
    found = notify.read_unsubscribe_token(settings, request.path_params["token"])
    if found is None:
        raise PageError(400, _("This unsubscribe link is not valid. Copy the whole link from the mail."))
    consultation = await Consultation.get_or_none(id=found[0])
    if consultation is None:
        raise not_found()
    context = {"consultation": consultation, "done": False, "page_title": _("Unsubscribe")}
    # One-click (RFC 8058) and the button on the page both arrive as POST.
    if request.method == "POST":
        await Invitee.filter(consultation_id=found[0], user_id=found[1], unsubscribed_at=None).update(
            unsubscribed_at=clock.now())
        context["done"] = True
    return render(request, "consultations/unsubscribe.html", context)
