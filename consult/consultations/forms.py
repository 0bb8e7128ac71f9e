"""Reading the consultation forms: the settings of a consultation, dates in its time zone, a list of addresses."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from consult.consultations import zones
from consult.consultations.models import Visibility
from consult.i18n import gettext as _


def text(form, name: str, limit: int = 20_000) -> str:
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


def parse_local_datetime(raw: str, zone: str) -> dt.datetime | None:
    """``YYYY-MM-DDTHH:MM`` (an ``<input type="datetime-local">``) in ``zone``, as an aware datetime."""
    if not raw:
        return None
    try:
        naive = dt.datetime.fromisoformat(raw)
    except ValueError:
        raise ValueError(_("Please give the date as YYYY-MM-DD HH:MM.")) from None
    if naive.tzinfo is not None:
        return naive
    return naive.replace(tzinfo=ZoneInfo(zone))


def local_input_value(value: dt.datetime | None, zone: str) -> str:
    return value.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M") if value else ""


def read_settings(form, available_languages: tuple[str, ...]) -> tuple[dict, dict]:
    """``(values, errors)`` of the consultation settings form; errors map field names to sentences."""
    errors: dict[str, str] = {}
    values = {
        "title": text(form, "title", 200),
        "summary": text(form, "summary", 5000),
        "time_zone": text(form, "time_zone", 64) or "UTC",
        "visibility": text(form, "visibility") or Visibility.MEMBERS.value,
        "show_authors": form.get("show_authors") == "1",
        "languages": [code for code in form.getlist("languages") if code in available_languages],
        "opens_at_raw": text(form, "opens_at", 32),
        "closes_at_raw": text(form, "closes_at", 32),
    }
    if not values["title"]:
        errors["title"] = _("Please give the consultation a title.")
    if not values["languages"]:
        errors["languages"] = _("Please choose at least one language for the draft.")
    if values["visibility"] not in {v.value for v in Visibility}:
        errors["visibility"] = _("Please choose who reads the comments.")
    # Checked against the zone list, not by ZoneInfo alone: "Europe" (a directory) or a path raise other errors.
    zone = values["time_zone"]
    if not zones.is_valid(zone):
        errors["time_zone"] = _("Unknown time zone; write it like Europe/Brussels or Asia/Kabul.")
        zone = "UTC"  # to read the dates; the typed zone stays in the form
    for name in ("opens_at", "closes_at"):
        try:
            values[name] = parse_local_datetime(values[f"{name}_raw"], zone)
        except ValueError as error:
            errors[name] = str(error)
            values[name] = None
    if values.get("opens_at") and values.get("closes_at") and values["closes_at"] <= values["opens_at"]:
        errors["closes_at"] = _("The closing date must come after the opening date.")
    return values, errors


def addresses(raw: str) -> list[str]:
    return [part.lower() for part in re.split(r"[\s,;]+", raw) if part]
