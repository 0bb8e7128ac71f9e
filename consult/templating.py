"""The Jinja2 environment: templates under ``templates/``, translated through gettext, with the helpers pages use."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

import jinja2

from consult import formatting, i18n
from consult.settings import ROOT

TEMPLATES_DIR = ROOT / "templates"
STATIC_DIR = ROOT / "static"


def _gettext(message: str) -> str:
    # Looked up at render time, so a template cached once renders in each request's language.
    return i18n.current().translations.gettext(message)


def _ngettext(singular: str, plural: str, n: int) -> str:
    return i18n.current().translations.ngettext(singular, plural, n)


def _pgettext(context: str, message: str) -> str:
    return i18n.current().translations.pgettext(context, message)


@functools.lru_cache(maxsize=None)
def _static_hash(name: str) -> str:
    path = STATIC_DIR / name
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12] if path.is_file() else "0"


def static_url(name: str) -> str:
    """A URL for a static file that changes when the file does, so it can be cached for a year."""
    return f"/static/{name}?v={_static_hash(name)}"


def create_environment(templates_dir: Path = TEMPLATES_DIR) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir)),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
        undefined=jinja2.StrictUndefined,
    )
    env.install_gettext_callables(_gettext, _ngettext, newstyle=True, pgettext=_pgettext)  # type: ignore[attr-defined]
    env.globals.update(
        static_url=static_url,
        current_locale=i18n.current,
        locale_info=i18n.locale_info,
        format_date=formatting.format_date,
        format_datetime=formatting.format_datetime,
        format_number=formatting.format_number,
        format_percent=formatting.format_percent,
    )
    return env
