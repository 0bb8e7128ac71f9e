"""Writing a mail from templates, in the recipient's language, and putting it in the outbox.

Templates live in ``templates/mail/<name>.txt`` (plain text) and ``templates/mail/<name>.html``; both are rendered
in the recipient's language with :func:`consult.i18n.using_locale`.
"""

from __future__ import annotations

import functools
from typing import Any, Mapping

import jinja2

from consult import i18n
from consult.mail.outbox import enqueue
from consult.mail.models import OutboxMessage


@functools.lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    from consult.templating import create_environment

    return create_environment()


def render_mail(template: str, language: str, subject: Any, context: Mapping[str, Any] | None = None
                ) -> tuple[str, str, str]:
    """Return ``(subject, text, html)`` of ``templates/mail/<template>.*`` in ``language``.

    ``subject`` may be a lazy string: it is translated here, in the recipient's language.
    """
    env = _environment()
    with i18n.using_locale(language) as locale:
        values = {"locale": locale, **(context or {})}
        subject_text = str(subject) % values.get("subject_params", {}) if values.get("subject_params") else str(
            subject)
        values["subject"] = subject_text
        text = env.get_template(f"mail/{template}.txt").render(values)
        html = env.get_template(f"mail/{template}.html").render(values)
    return subject_text, text, html


async def send_mail(to: str, template: str, language: str, subject: Any, context: Mapping[str, Any] | None = None,
                    kind: str = "notification", headers: Mapping[str, str] | None = None) -> OutboxMessage:
    """Write a templated mail to the outbox, in the caller's transaction (it is sent once that commits).

    Parameters
    ----------
    to
        The recipient's address.
    template
        The name under ``templates/mail/`` without extension.
    language
        The recipient's language (``user.language``), not the language of the request that causes the mail.
    subject
        Usually ``lazy_gettext("…")``, translated into ``language`` here.
    kind
        A label for the outbox ("code", "newsletter"…); never anything secret.
    """
    language = language if language in i18n.SUPPORTED else i18n.DEFAULT
    subject_text, text, html = render_mail(template, language, subject, context)
    return await enqueue(to, subject_text, text, html, kind=kind, headers=headers)
