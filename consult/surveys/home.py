"""The home page's "Take part" cards for open surveys.

Discreet surveys and invitation-only surveys are not listed: they reach their respondents by their link only.
"""

from __future__ import annotations

from tortoise import connections

from consult import i18n
from consult.i18n import gettext as _
from consult.surveys import store
from consult.surveys.models import Access, SurveyStatus

#: Open, listed surveys with each one's newest version. Written once rather than built by the query builder on every
#: request (which cost more than the query itself); the same text runs on SQLite and PostgreSQL.
_LISTED = ('SELECT s.slug, (SELECT v.id FROM survey_versions v WHERE v.survey_id = s.id ORDER BY v.number DESC '
           "LIMIT 1) FROM surveys s WHERE s.status = '{open}' AND s.discreet = {false} AND s.access = '{public}' "
           "ORDER BY s.id DESC LIMIT 20")


async def cards() -> list[dict[str, str]]:
    """One query, whatever the number of open surveys (the home page is the busiest page after the survey's)."""
    lang = i18n.current_code()
    out = []
    connection = connections.get("default")
    false = "false" if connection.capabilities.dialect == "postgres" else "0"
    sql = _LISTED.format(open=SurveyStatus.OPEN.value, public=Access.PUBLIC.value, false=false)
    _count, rows = await connection.execute_query(sql)
    for slug, version_id in (tuple(row) for row in rows):
        if version_id is None:  # a survey is always created with its first version
            continue
        form = await store.form_of_version(version_id)
        languages = ", ".join(form.language_names.get(code) or code for code in form.languages)
        out.append({"url": f"/s/{slug}?lang={lang if lang in form.languages else form.default_language}",
                    "title": form.title_in(lang),
                    "text": _("Survey · %(languages)s", languages=languages)})
    return out
