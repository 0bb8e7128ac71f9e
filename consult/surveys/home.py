"""The home page's "Take part" cards for open surveys.

Discreet surveys and invitation-only surveys are not listed: they reach their respondents by their link only.
"""

from __future__ import annotations

from consult import i18n
from consult.i18n import gettext as _
from consult.surveys import store
from consult.surveys.models import Survey, SurveyStatus


async def cards() -> list[dict[str, str]]:
    lang = i18n.current_code()
    out = []
    surveys = await Survey.filter(status=SurveyStatus.OPEN.value, discreet=False, access="public").order_by("-id")
    for survey in surveys[:20]:
        _version, form = await store.current_form(survey)
        languages = ", ".join(form.language_names.get(code) or code for code in form.languages)
        out.append({"url": f"/s/{survey.slug}?lang={lang if lang in form.languages else form.default_language}",
                    "title": form.title_in(lang),
                    "text": _("Survey · %(languages)s", languages=languages)})
    return out
