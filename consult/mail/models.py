"""The mail outbox: messages are written here in the same transaction as the action that causes them, and a
delivery loop sends them, so a message is neither lost when the SMTP server is down nor sent twice after a restart."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class OutboxMessage(Model):
    id = fields.BigIntField(primary_key=True)
    to_address = fields.CharField(max_length=254)
    subject = fields.CharField(max_length=255)
    body_text = fields.TextField()
    body_html = fields.TextField(null=True)
    #: Extra headers, e.g. List-Unsubscribe.
    headers = fields.JSONField(default=dict)
    #: What kind of message (a code, a newsletter issue…), for the admins' view; never the code itself.
    kind = fields.CharField(max_length=32, default="notification")
    created_at = fields.DatetimeField(auto_now_add=True)
    #: Not before this time: retries back off by moving it forward.
    send_after = fields.DatetimeField(db_index=True)
    attempts = fields.IntField(default=0)
    last_error = fields.TextField(null=True)
    sent_at = fields.DatetimeField(null=True, db_index=True)
    #: A delivery worker's claim: rows claimed by another worker are skipped until ``claimed_until`` passes (a
    #: worker that died mid-batch releases its rows that way).
    claim = fields.CharField(max_length=32, null=True)
    claimed_until = fields.DatetimeField(null=True)

    class Meta:
        table = "mail_outbox"
