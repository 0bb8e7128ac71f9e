"""Languages: which locale a request is in, and translating text into it.

The current locale lives in a :class:`contextvars.ContextVar`, set by the locale middleware for the span of one
request, so two concurrent requests in different languages never see each other's language. Code outside a
request (the command line, the mail loop) uses :func:`using_locale` to pick one explicitly.
"""

from __future__ import annotations

import functools
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

import babel
from babel.support import LazyProxy, NullTranslations, Translations

from consult.qvalues import quality

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"

#: The languages the product ships complete, in the order the language switcher shows them.
SUPPORTED = ("en", "fr", "uk", "ar", "fa")
DEFAULT = "en"


@dataclass(frozen=True)
class LocaleInfo:
    """One language as the pages need it: its code, its own name, and its direction."""

    code: str
    locale: babel.Locale
    translations: NullTranslations

    # Cached: every page asks, and Babel works each out afresh (a survey page names each of its languages).
    @functools.cached_property
    def direction(self) -> str:
        # Babel's CLDR data knows the script direction ("rtl" for Arabic and Persian).
        return "rtl" if self.locale.character_order == "right-to-left" else "ltr"

    @functools.cached_property
    def native_name(self) -> str:
        name = self.locale.get_display_name(self.locale) or self.code
        return name[:1].upper() + name[1:]


@functools.lru_cache(maxsize=None)
def locale_info(code: str) -> LocaleInfo:
    """Return the (cached) :class:`LocaleInfo` for a supported language code."""
    locale = babel.Locale.parse(code)
    translations: NullTranslations
    if code == DEFAULT:
        translations = NullTranslations()
    else:
        translations = Translations.load(str(LOCALES_DIR), [code], DOMAIN)
    return LocaleInfo(code=code, locale=locale, translations=translations)


_current: ContextVar[str] = ContextVar("consult_locale", default=DEFAULT)


def current() -> LocaleInfo:
    """The locale of the request (or task) being served."""
    return locale_info(_current.get())


def current_code() -> str:
    return _current.get()


def set_locale(code: str):
    """Make ``code`` the current locale; returns a token for :meth:`ContextVar.reset`."""
    return _current.set(code)


def reset_locale(token) -> None:
    _current.reset(token)


class using_locale:  # noqa: N801 - used as a function, like contextlib.suppress
    """Run a block in another language (a mail to a user in hers, a command-line run, a respondent's page checks);
    the block gets the :class:`LocaleInfo`.

    A class rather than a ``contextlib.contextmanager`` generator: each submission enters it, and the generator's
    machinery cost three times as much."""

    __slots__ = ("code", "token")

    def __init__(self, code: str) -> None:
        self.code = code

    def __enter__(self) -> LocaleInfo:
        self.token = _current.set(self.code)
        return current()

    def __exit__(self, *exc_info: object) -> None:
        _current.reset(self.token)


def gettext(message: str, **params: object) -> str:
    """Translate ``message`` into the current language; ``params`` fill ``%(name)s`` placeholders."""
    text = current().translations.gettext(message)
    return text % params if params else text


def ngettext(singular: str, plural: str, n: int, **params: object) -> str:
    """Translate a message that depends on a count; ``n`` is available as ``%(num)d``."""
    text = current().translations.ngettext(singular, plural, n)
    return text % {"num": n, **params}


def pgettext(context: str, message: str, **params: object) -> str:
    """Translate a short message whose meaning depends on ``context`` (e.g. a month name vs. a verb)."""
    text = current().translations.pgettext(context, message)
    return text % params if params else text


def lazy_gettext(message: str, **params: object) -> LazyProxy:
    """A string translated when it is used, for text defined at import time (choices, field labels)."""
    return LazyProxy(gettext, message, **params, enable_cache=False)


_ = gettext


def negotiate(
    available: tuple[str, ...],
    *,
    chosen: str | None = None,
    account: str | None = None,
    accept_language: str | None = None,
) -> str:
    """Pick the language of a request.

    The order is: an explicit choice (the language switcher's cookie) > the account's preference >
    the browser's ``Accept-Language`` > English.
    """
    for code in (chosen, account):
        if code in available:
            return code  # type: ignore[return-value]
    if accept_language:
        preferred = _parse_accept_language(accept_language)
        # Babel matches "fr-CA" to "fr" and "prs"/"fa-AF" to "fa" (aliases from CLDR).
        match = babel.negotiate_locale(preferred, list(available), sep="-")
        if match:
            return match
        for tag in preferred:
            base = tag.split("-")[0].lower()
            if base == "prs":  # Dari's own code: we ship it as Persian (fa)
                base = "fa"
            if base in available:
                return base
    return DEFAULT if DEFAULT in available else available[0]


def _parse_accept_language(header: str) -> list[str]:
    """The tags of an ``Accept-Language`` header, best first (q=0 means "not this one")."""
    weighted = []
    for position, part in enumerate(header.split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        tag = tag.strip()
        if not tag or tag == "*" or len(tag) > 35:
            continue
        weight = quality(params)
        if weight > 0:
            weighted.append((-weight, position, tag))
    return [tag for _, _, tag in sorted(weighted)]
