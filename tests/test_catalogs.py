"""Translation catalogs: complete in every shipped language, placeholders intact, and the .pot current.

When this fails after you added text: run ``make i18n`` and translate the new entries in each
``locales/<lang>/LC_MESSAGES/messages.po`` (see README, "Translations").
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from consult import i18n
from consult.settings import ROOT

LOCALES = ROOT / "locales"
TRANSLATED = [code for code in i18n.SUPPORTED if code != i18n.DEFAULT]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdifr]|%[sdif]")
KEYWORDS = {**DEFAULT_KEYWORDS, "lazy_gettext": None}


def _catalog(path: Path):
    with path.open("rb") as handle:
        return read_po(handle)


def _ids(message) -> tuple:
    return (message.context, message.id if isinstance(message.id, str) else tuple(message.id))


def _extracted_ids() -> set:
    with (ROOT / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    found = set()
    for _filename, _lineno, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        found.add((context, message if isinstance(message, str) else tuple(message)))
    return {entry for entry in found if entry[1]}


def test_the_pot_file_is_current():
    template = _catalog(LOCALES / "messages.pot")
    in_pot = {_ids(message) for message in template if message.id}
    in_code = _extracted_ids()
    missing = sorted(map(str, in_code - in_pot))[:10]
    stale = sorted(map(str, in_pot - in_code))[:10]
    assert not missing and not stale, f"run `make i18n`; new in code: {missing}; gone from code: {stale}"


@pytest.mark.parametrize("code", TRANSLATED)
def test_catalog_is_complete_and_consistent(code):
    template = _catalog(LOCALES / "messages.pot")
    catalog = _catalog(LOCALES / code / "LC_MESSAGES" / "messages.po")
    assert {_ids(m) for m in catalog if m.id} == {_ids(m) for m in template if m.id}, "run `make i18n`"
    problems = []
    for message in catalog:
        if not message.id:
            continue
        if message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
        if not all(strings):
            problems.append(f"untranslated: {message.id!r}")
            continue
        ids = message.id if isinstance(message.id, (list, tuple)) else [message.id]
        expected = {name for text in ids for name in PLACEHOLDER.findall(text) if name}
        for text in strings:
            if {name for name in PLACEHOLDER.findall(text) if name} != expected:
                problems.append(f"placeholders differ: {message.id!r} -> {text!r}")
    assert not problems, "\n".join(problems[:20])


def test_the_check_notices_an_untranslated_message(tmp_path):
    """The completeness check can fail: an empty translation is reported."""
    (tmp_path / "x.po").write_text('msgid ""\nmsgstr ""\n\nmsgid "Hello"\nmsgstr ""\n', encoding="utf-8")
    catalog = _catalog(tmp_path / "x.po")
    assert [m.id for m in catalog if m.id and not m.string] == ["Hello"]
