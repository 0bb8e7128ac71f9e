"""Survey storage: surveys, their immutable versions, responses, page submissions, invitations, margins.

How answers are stored, and why
-------------------------------
A response's answers are **one JSON document** (``Response.answers``, question name → value as
:mod:`consult.surveys.validation` defines them), rewritten whole when a page is accepted. A survey page then
costs the same few queries whatever its number of questions (read the response, update it, add one
submission row), which is what the throughput target needs.

Each accepted page also appends a :class:`PageSubmission` row numbered by the response's ``step`` (its
version number: 0 when started, +1 per accepted page). The page form carries the step it was rendered at in a
hidden field; the update is conditional on it (``WHERE step = <submitted step>``) and ``(response, step)`` is
unique, so a page sent twice (a retry on a bad network, a double tap) is applied once: the second copy finds
the step moved on and changes nothing. The submissions also give completion and drop-off per page.

Privacy: a response holds no IP address, no user agent and no account id. The browser that answers is
recognised by a random cookie whose SHA-256 (``key_hash``) is stored; the short resume code lets the
respondent continue on another device. An invitation (a personal link, usable once) is linked to its response
only when the survey is not anonymous.

A :class:`SurveyVersion` never changes once created (its ``definition`` is ``FormDefinition.to_dict()``), so
the parsed form can be cached in-process by version id (:mod:`consult.surveys.store`).
"""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class SurveyStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class ResponseStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    COMPLETE = "complete"


class Access(StrEnum):
    """Who may answer: anyone with the public link, or only holders of a personal invitation link."""

    PUBLIC = "public"
    INVITATION = "invitation"


class Survey(Model):
    id = fields.IntField(primary_key=True)
    #: The address (``/s/<slug>``): a word from the form id, or a random neutral token for discreet surveys.
    slug = fields.CharField(max_length=64, unique=True)
    status = fields.CharField(max_length=16, default=SurveyStatus.DRAFT.value)
    #: Neutral page titles, no logo and no topic words in titles or addresses.
    discreet = fields.BooleanField(default=False)
    #: Invitations are not linked to answers when true (the default).
    anonymous = fields.BooleanField(default=True)
    access = fields.CharField(max_length=16, default=Access.PUBLIC.value)
    #: The consent text by language code (shown before the first question).
    consent = fields.JSONField(default=dict)
    created_at = fields.DatetimeField(auto_now_add=True)
    opened_at = fields.DatetimeField(null=True)
    closed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "surveys"


class SurveyVersion(Model):
    id = fields.IntField(primary_key=True)
    survey: fields.ForeignKeyRelation[Survey] = fields.ForeignKeyField(
        "models.Survey", related_name="versions", on_delete=fields.CASCADE)
    #: 1, 2, 3… within the survey.
    number = fields.IntField()
    #: ``FormDefinition.to_dict()``; never updated.
    definition = fields.JSONField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "survey_versions"
        unique_together = (("survey", "number"),)


class Response(Model):
    id = fields.BigIntField(primary_key=True)
    survey: fields.ForeignKeyRelation[Survey] = fields.ForeignKeyField(
        "models.Survey", related_name="responses", on_delete=fields.CASCADE)
    version: fields.ForeignKeyRelation[SurveyVersion] = fields.ForeignKeyField(
        "models.SurveyVersion", related_name="responses", on_delete=fields.CASCADE)
    #: SHA-256 of the random value in the respondent's cookie.
    key_hash = fields.CharField(max_length=64, unique=True)
    #: Short code shown on screen to continue on another device (unambiguous letters and digits).
    resume_code = fields.CharField(max_length=16, unique=True)
    language = fields.CharField(max_length=16)
    status = fields.CharField(max_length=16, default=ResponseStatus.IN_PROGRESS.value)
    #: Index of the page to show next (in the version's form).
    page = fields.IntField(default=0)
    #: Accepted page submissions so far; the hidden field a page form carries (see the module docstring).
    step = fields.IntField(default=0)
    answers = fields.JSONField(default=dict)
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()
    completed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "survey_responses"
        indexes = (("survey_id", "status"),)


class PageSubmission(Model):
    """One accepted page of one response (append-only)."""

    id = fields.BigIntField(primary_key=True)
    response: fields.ForeignKeyRelation[Response] = fields.ForeignKeyField(
        "models.Response", related_name="submissions", on_delete=fields.CASCADE)
    step = fields.IntField()
    page = fields.CharField(max_length=128)
    created_at = fields.DatetimeField()

    class Meta:
        table = "survey_page_submissions"
        unique_together = (("response", "step"),)


class Invitation(Model):
    """A personal link: a random token (only its SHA-256 is kept), usable once."""

    id = fields.IntField(primary_key=True)
    survey: fields.ForeignKeyRelation[Survey] = fields.ForeignKeyField(
        "models.Survey", related_name="invitations", on_delete=fields.CASCADE)
    token_hash = fields.CharField(max_length=64, unique=True)
    #: A note for the administrator (a group, an organisation); never shown with answers.
    label = fields.CharField(max_length=120, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField(null=True)
    used_at = fields.DatetimeField(null=True)
    #: Set only when the survey is not anonymous.
    response: fields.ForeignKeyNullableRelation[Response] = fields.ForeignKeyField(
        "models.Response", related_name=False, null=True, on_delete=fields.SET_NULL)

    class Meta:
        table = "survey_invitations"


class PopulationMargin(Model):
    """A population count for one category of one weighting variable (for raking and post-stratification)."""

    id = fields.IntField(primary_key=True)
    survey: fields.ForeignKeyRelation[Survey] = fields.ForeignKeyField(
        "models.Survey", related_name="margins", on_delete=fields.CASCADE)
    variable = fields.CharField(max_length=128)
    category = fields.CharField(max_length=128)
    population = fields.FloatField()

    class Meta:
        table = "survey_population_margins"
        unique_together = (("survey", "variable", "category"),)
