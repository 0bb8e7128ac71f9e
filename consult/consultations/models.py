"""The consultation tables.

A consultation has versions; a version has paragraphs (headings included) whose texts are kept per language in one
row, so that languages stay paragraph aligned. A paragraph ``key`` is a short random identifier carried over from
one version to the next when the paragraph is matched, so that a comment made on v1 can point at its fate in v2.
(No apostrophes in model docstrings: Tortoise copies them into SQL comments.)
"""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from consult.i18n import lazy_gettext


class Phase(StrEnum):
    """Where a consultation stands. Comments are accepted only while ``OPEN``."""

    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    PUBLISHED = "published"

    @property
    def label(self) -> str:
        return str(PHASE_LABELS[self])


PHASE_LABELS = {
    Phase.DRAFT: lazy_gettext("In preparation"),
    Phase.OPEN: lazy_gettext("Open for comments"),
    Phase.CLOSED: lazy_gettext("Closed"),
    Phase.PUBLISHED: lazy_gettext("Responses published"),
}


class Visibility(StrEnum):
    """Who reads the comments while the consultation runs."""

    MEMBERS = "members"
    SECRETARIAT = "secretariat"


class Status(StrEnum):
    """The secretariat's decision on a comment."""

    ACCEPTED = "accepted"
    PARTIAL = "partial"
    NOT_ACCEPTED = "not_accepted"
    NOTED = "noted"

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self])


STATUS_LABELS = {
    Status.ACCEPTED: lazy_gettext("Accepted"),
    Status.PARTIAL: lazy_gettext("Partially accepted"),
    Status.NOT_ACCEPTED: lazy_gettext("Not accepted"),
    Status.NOTED: lazy_gettext("Noted"),
}


class Consultation(Model):
    id = fields.IntField(primary_key=True)
    title = fields.CharField(max_length=200)
    summary = fields.TextField(default="")
    #: Language codes of the draft, the first being the one versions are aligned on.
    languages = fields.JSONField(default=list)
    opens_at = fields.DatetimeField(null=True)
    closes_at = fields.DatetimeField(null=True)
    #: The IANA time zone the dates were set in; pages show dates in the reader language and this zone.
    time_zone = fields.CharField(max_length=64, default="UTC")
    phase = fields.CharField(max_length=16, default=Phase.DRAFT.value)
    visibility = fields.CharField(max_length=16, default=Visibility.MEMBERS.value)
    #: Whether the published matrix and the exports name authors.
    show_authors = fields.BooleanField(default=False)
    created_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="consultations_created", null=True, on_delete=fields.SET_NULL)
    created_at = fields.DatetimeField()
    opened_at = fields.DatetimeField(null=True)
    closed_at = fields.DatetimeField(null=True)
    published_at = fields.DatetimeField(null=True)
    reminder_sent_at = fields.DatetimeField(null=True)

    class Meta:
        table = "consultations"

    @property
    def phase_value(self) -> Phase:
        return Phase(self.phase)


class Invitee(Model):
    """A user invited to read and comment on one consultation."""

    id = fields.IntField(primary_key=True)
    consultation: fields.ForeignKeyRelation[Consultation] = fields.ForeignKeyField(
        "models.Consultation", related_name="invitees", on_delete=fields.CASCADE)
    user: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.User", related_name="consultation_invitations", on_delete=fields.CASCADE)
    invited_at = fields.DatetimeField()
    #: Set by the unsubscribe link of any mail about this consultation; no more mail about it after that.
    unsubscribed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "consultation_invitees"
        unique_together = (("consultation", "user"),)


class Group(Model):
    """A named set of users (a working group, a country delegation) that can be invited to consultations at once."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=120, unique=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "consultation_groups"


class GroupMember(Model):
    id = fields.IntField(primary_key=True)
    group: fields.ForeignKeyRelation[Group] = fields.ForeignKeyField(
        "models.Group", related_name="memberships", on_delete=fields.CASCADE)
    user: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.User", related_name="group_memberships", on_delete=fields.CASCADE)
    added_at = fields.DatetimeField()

    class Meta:
        table = "consultation_group_members"
        unique_together = (("group", "user"),)


class GroupInvitation(Model):
    """A group invited to a consultation: its members then, and the members added later while the consultation
    is in preparation or open, become invitees."""

    id = fields.IntField(primary_key=True)
    consultation: fields.ForeignKeyRelation[Consultation] = fields.ForeignKeyField(
        "models.Consultation", related_name="group_invitations", on_delete=fields.CASCADE)
    group: fields.ForeignKeyRelation[Group] = fields.ForeignKeyField(
        "models.Group", related_name="invitations", on_delete=fields.CASCADE)
    invited_at = fields.DatetimeField()

    class Meta:
        table = "consultation_group_invitations"
        unique_together = (("consultation", "group"),)


class Version(Model):
    id = fields.IntField(primary_key=True)
    consultation: fields.ForeignKeyRelation[Consultation] = fields.ForeignKeyField(
        "models.Consultation", related_name="versions", on_delete=fields.CASCADE)
    number = fields.IntField()
    note = fields.TextField(default="")
    created_at = fields.DatetimeField()

    class Meta:
        table = "consultation_versions"
        unique_together = (("consultation", "number"),)


class Paragraph(Model):
    """A heading or a paragraph of one version; ``texts`` maps a language code to its text."""

    id = fields.IntField(primary_key=True)
    version: fields.ForeignKeyRelation[Version] = fields.ForeignKeyField(
        "models.Version", related_name="paragraphs", on_delete=fields.CASCADE)
    key = fields.CharField(max_length=16)
    position = fields.IntField()
    #: 0 for a paragraph, 1 to 6 for a heading.
    level = fields.IntField(default=0)
    #: What readers cite: "2.1" for a heading, "7" for the seventh paragraph.
    number = fields.CharField(max_length=16)
    texts = fields.JSONField(default=dict)

    class Meta:
        table = "consultation_paragraphs"
        unique_together = (("version", "key"),)

    @property
    def is_heading(self) -> bool:
        return self.level > 0

    def text(self, language: str) -> str:
        texts = self.texts or {}
        return texts.get(language) or next(iter(texts.values()), "")


class Comment(Model):
    id = fields.IntField(primary_key=True)
    consultation: fields.ForeignKeyRelation[Consultation] = fields.ForeignKeyField(
        "models.Consultation", related_name="comments", on_delete=fields.CASCADE)
    paragraph: fields.ForeignKeyRelation[Paragraph] = fields.ForeignKeyField(
        "models.Paragraph", related_name="comments", on_delete=fields.CASCADE)
    parent: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Comment", related_name="replies", null=True, on_delete=fields.CASCADE)
    author: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="consultation_comments", null=True, on_delete=fields.SET_NULL)
    body = fields.TextField()
    quote = fields.TextField(default="")
    language = fields.CharField(max_length=8, default="en")
    created_at = fields.DatetimeField()
    edited_at = fields.DatetimeField(null=True)
    hidden_at = fields.DatetimeField(null=True)
    hidden_reason = fields.TextField(default="")
    status = fields.CharField(max_length=16, null=True)
    response = fields.TextField(default="")
    #: The key of the paragraph of a later version that carries the change.
    response_paragraph_key = fields.CharField(max_length=16, null=True)
    responded_at = fields.DatetimeField(null=True)

    class Meta:
        table = "consultation_comments"

    @property
    def status_label(self) -> str:
        return Status(self.status).label if self.status else ""


class Support(Model):
    """One +1 of one user on one comment."""

    id = fields.IntField(primary_key=True)
    comment: fields.ForeignKeyRelation[Comment] = fields.ForeignKeyField(
        "models.Comment", related_name="supports", on_delete=fields.CASCADE)
    user: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.User", related_name="consultation_supports", on_delete=fields.CASCADE)
    created_at = fields.DatetimeField()

    class Meta:
        table = "consultation_supports"
        unique_together = (("comment", "user"),)


class Flag(Model):
    """A request by a reader that the secretariat look at a comment."""

    id = fields.IntField(primary_key=True)
    comment: fields.ForeignKeyRelation[Comment] = fields.ForeignKeyField(
        "models.Comment", related_name="flags", on_delete=fields.CASCADE)
    user: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.User", related_name="consultation_flags", on_delete=fields.CASCADE)
    reason = fields.TextField(default="")
    created_at = fields.DatetimeField()

    class Meta:
        table = "consultation_flags"
        unique_together = (("comment", "user"),)
