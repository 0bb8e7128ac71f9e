"""Time zones: the choices of the account settings page, and the zone a reader sees consultation dates in.

A user may choose an IANA zone (``User.time_zone``); unset, dates are shown in the consultation's own zone. The
select lists the canonical ``Region/City`` zones of :func:`zoneinfo.available_timezones` grouped by region (the
region names translated), plus UTC; the old aliases (``US/Eastern``, ``EST5EDT``, ``Etc/GMT+3``…) are left out of
the list but still accepted, since they are valid zones.
"""

from __future__ import annotations

import functools
from zoneinfo import available_timezones

from consult.i18n import lazy_gettext

#: The regions listed, in this order, with their translated names.
REGIONS = {
    "Africa": lazy_gettext("Africa"),
    "America": lazy_gettext("Americas"),
    "Antarctica": lazy_gettext("Antarctica"),
    "Arctic": lazy_gettext("Arctic"),
    "Asia": lazy_gettext("Asia"),
    "Atlantic": lazy_gettext("Atlantic Ocean"),
    "Australia": lazy_gettext("Australia"),
    "Europe": lazy_gettext("Europe"),
    "Indian": lazy_gettext("Indian Ocean"),
    "Pacific": lazy_gettext("Pacific Ocean"),
}
MAX_LENGTH = 64


@functools.lru_cache(maxsize=1)
def _all() -> frozenset[str]:
    return frozenset(available_timezones())


@functools.lru_cache(maxsize=1)
def _listed() -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    by_region: dict[str, list[tuple[str, str]]] = {region: [] for region in REGIONS}
    for zone in sorted(_all()):
        region, _, city = zone.partition("/")
        if region in by_region and city:
            by_region[region].append((zone, city.replace("_", " ").replace("/", " – ")))
    return tuple((region, tuple(zones)) for region, zones in by_region.items() if zones)


def choices() -> list[dict]:
    """``[{"label": region name, "zones": [(zone, city), …]}, …]`` for the select, in the current language."""
    return [{"label": str(REGIONS[region]), "zones": list(zones)} for region, zones in _listed()]


def is_valid(zone: str) -> bool:
    return len(zone) <= MAX_LENGTH and zone in _all()


def for_reader(user, consultation) -> str:
    """The zone ``user`` reads ``consultation``'s dates in: hers when she chose a valid one, else its own."""
    chosen = getattr(user, "time_zone", None) if user is not None else None
    if chosen and is_valid(chosen):
        return chosen
    return consultation.time_zone or "UTC"
