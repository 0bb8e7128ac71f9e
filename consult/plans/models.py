"""The plans tables: trackers (waves of one instrument), indicators, report runs, recommendations, action plans.

A tracker links the surveys that are waves of the same instrument, so that an indicator defined once on question
names has a time series. A report run computes every indicator of a tracker on one wave and keeps the result as
one JSON document (a frozen picture: later edits to the indicators do not change a finished report).
(No apostrophes in model docstrings: Tortoise copies them into SQL comments.)
"""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from consult.i18n import lazy_gettext


class Kind(StrEnum):
    """What an indicator estimates."""

    SHARE = "share"  # the share of answers in some categories (top boxes of a Likert item, "yes")
    MEAN = "mean"  # the mean of a numeric answer
    SCALE = "scale"  # the mean of several numeric items, over respondents who answered all of them


KIND_LABELS = {
    Kind.SHARE: lazy_gettext("Share of answers"),
    Kind.MEAN: lazy_gettext("Mean score"),
    Kind.SCALE: lazy_gettext("Scale of several items"),
}


class Direction(StrEnum):
    HIGHER_BETTER = "higher"
    LOWER_BETTER = "lower"


class RunStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


RUN_STATUS_LABELS = {
    RunStatus.QUEUED: lazy_gettext("Waiting"),
    RunStatus.RUNNING: lazy_gettext("Running"),
    RunStatus.DONE: lazy_gettext("Finished"),
    RunStatus.FAILED: lazy_gettext("Failed"),
}


class Decision(StrEnum):
    """A human decision on a draft recommendation; nothing is published while it is ``DRAFT``."""

    DRAFT = "draft"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


DECISION_LABELS = {
    Decision.DRAFT: lazy_gettext("Awaiting a decision"),
    Decision.ACCEPTED: lazy_gettext("Accepted"),
    Decision.REJECTED: lazy_gettext("Rejected"),
}


class Level(StrEnum):
    """Who should act: the alliance, the nations, or local bodies."""

    ALLIANCE = "alliance"
    NATIONAL = "national"
    LOCAL = "local"


LEVEL_LABELS = {
    Level.ALLIANCE: lazy_gettext("Alliance"),
    Level.NATIONAL: lazy_gettext("National"),
    Level.LOCAL: lazy_gettext("Local"),
}


class Tracker(Model):
    """An instrument asked in waves, with its indicators, its design and its recommendation rules."""

    id = fields.IntField(primary_key=True)
    slug = fields.CharField(max_length=64, unique=True)
    title = fields.CharField(max_length=200)
    #: ``{"weights": col|null, "strata": col|null, "psu": col|null, "rake": bool, "min_n": int,
    #: "correction": "holm"|"bh"}`` (see consult.plans.design).
    design = fields.JSONField(default=dict)
    #: The recommendation rules as data (see consult.plans.rules.DEFAULT_RULES).
    rules = fields.JSONField(default=dict)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "plan_trackers"


class Wave(Model):
    """One survey as one wave of a tracker."""

    id = fields.IntField(primary_key=True)
    tracker: fields.ForeignKeyRelation[Tracker] = fields.ForeignKeyField(
        "models.Tracker", related_name="waves", on_delete=fields.CASCADE)
    survey: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Survey", related_name="plan_waves", on_delete=fields.CASCADE)
    #: 1, 2, 3… in time order.
    number = fields.IntField()
    label = fields.CharField(max_length=64, default="")

    class Meta:
        table = "plan_waves"
        unique_together = (("tracker", "number"), ("tracker", "survey"))


class Indicator(Model):
    id = fields.IntField(primary_key=True)
    tracker: fields.ForeignKeyRelation[Tracker] = fields.ForeignKeyField(
        "models.Tracker", related_name="indicators", on_delete=fields.CASCADE)
    #: A short name used in files and rules ("safe_night").
    code = fields.CharField(max_length=64)
    title = fields.CharField(max_length=300)
    #: One of the four WPS strategic objectives (consult.pages.WPS_OBJECTIVES).
    objective = fields.CharField(max_length=32)
    kind = fields.CharField(max_length=16)
    #: Question names: one for a share or a mean, several for a scale.
    items = fields.JSONField(default=list)
    #: For a share: ``{"count": ["yes"]}`` or ``{"top": 2, "max": 5}`` (top boxes), with an optional
    #: ``"exclude": ["prefer_not"]`` (answers left out of the base, as if unanswered).
    levels = fields.JSONField(default=dict)
    direction = fields.CharField(max_length=8, default=Direction.HIGHER_BETTER.value)
    target = fields.FloatField(null=True)
    #: Question names to break the indicator down by (country, age_group, area…).
    breakdowns = fields.JSONField(default=list)
    position = fields.IntField(default=0)

    class Meta:
        table = "plan_indicators"
        unique_together = (("tracker", "code"),)


class ReportRun(Model):
    id = fields.IntField(primary_key=True)
    tracker: fields.ForeignKeyRelation[Tracker] = fields.ForeignKeyField(
        "models.Tracker", related_name="runs", on_delete=fields.CASCADE)
    wave: fields.ForeignKeyRelation[Wave] = fields.ForeignKeyField(
        "models.Wave", related_name="runs", on_delete=fields.CASCADE)
    status = fields.CharField(max_length=16, default=RunStatus.QUEUED.value)
    #: 0 to 1, for the status page.
    progress = fields.FloatField(default=0.0)
    error = fields.TextField(default="")
    #: ``Report.to_dict()`` once finished.
    result = fields.JSONField(null=True)
    requested_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="plan_runs", null=True, on_delete=fields.SET_NULL)
    created_at = fields.DatetimeField()
    finished_at = fields.DatetimeField(null=True)
    #: Panel members read a report only once it is published.
    published_at = fields.DatetimeField(null=True)

    class Meta:
        table = "plan_report_runs"


class ActionPlan(Model):
    id = fields.IntField(primary_key=True)
    title = fields.CharField(max_length=200)
    tracker: fields.ForeignKeyNullableRelation[Tracker] = fields.ForeignKeyField(
        "models.Tracker", related_name="plans", null=True, on_delete=fields.SET_NULL)
    #: The consultation the plan drafts are put to (created on the first turn into a draft).
    consultation: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Consultation", related_name="action_plans", null=True, on_delete=fields.SET_NULL)
    created_at = fields.DatetimeField()

    class Meta:
        table = "plan_action_plans"


class Action(Model):
    """One action of a plan: who does what, at which level, with what budget, by when, measured how."""

    id = fields.IntField(primary_key=True)
    plan: fields.ForeignKeyRelation[ActionPlan] = fields.ForeignKeyField(
        "models.ActionPlan", related_name="actions", on_delete=fields.CASCADE)
    objective = fields.CharField(max_length=32)
    title = fields.CharField(max_length=300)
    description = fields.TextField(default="")
    responsible = fields.CharField(max_length=200, default="")
    level = fields.CharField(max_length=16, default=Level.NATIONAL.value)
    budget = fields.DecimalField(max_digits=14, decimal_places=2, null=True)
    currency = fields.CharField(max_length=3, default="EUR")
    starts_on = fields.DateField(null=True)
    ends_on = fields.DateField(null=True)
    #: ``[{"indicator": code, "baseline": float|null, "target": float|null}]``
    indicators = fields.JSONField(default=list)
    position = fields.IntField(default=0)
    created_at = fields.DatetimeField()

    class Meta:
        table = "plan_actions"


class Recommendation(Model):
    """A draft recommendation made by a rule from a report run, and the human decision on it."""

    id = fields.IntField(primary_key=True)
    run: fields.ForeignKeyRelation[ReportRun] = fields.ForeignKeyField(
        "models.ReportRun", related_name="recommendations", on_delete=fields.CASCADE)
    indicator_code = fields.CharField(max_length=64)
    rule = fields.CharField(max_length=32)
    rank = fields.IntField()
    objective = fields.CharField(max_length=32)
    level = fields.CharField(max_length=16)
    text = fields.TextField()
    #: The numbers behind it: estimate, interval, gap or change, p-value, n (see consult.plans.rules).
    evidence = fields.JSONField(default=dict)
    decision = fields.CharField(max_length=16, default=Decision.DRAFT.value)
    decided_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="plan_decisions", null=True, on_delete=fields.SET_NULL)
    decided_at = fields.DatetimeField(null=True)
    #: The action it motivated, once turned into the plan.
    action: fields.ForeignKeyNullableRelation[Action] = fields.ForeignKeyField(
        "models.Action", related_name="recommendations", null=True, on_delete=fields.SET_NULL)

    class Meta:
        table = "plan_recommendations"
        indexes = (("run_id", "rank"),)
