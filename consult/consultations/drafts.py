"""Turning a draft (Markdown typed in the browser, an uploaded ``.md`` or ``.docx``) into numbered blocks.

A block is a heading (level 1–6) or a paragraph. Markdown is read with a deliberately small splitter: ``#`` headings
and blank-line separated paragraphs (a list item is a paragraph of its own), the text kept as written. Nothing of it
is ever rendered as HTML, so a draft cannot carry markup into the page. Word files are read with python-docx: a
paragraph styled "Title" or "Heading N" is a heading, every other non-empty paragraph a paragraph.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

from consult.i18n import gettext as _

MAX_DRAFT_BYTES = 2 * 1024 * 1024
MAX_BLOCKS = 2000
MAX_BLOCK_CHARS = 10_000

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")


@dataclass(frozen=True)
class Block:
    """A heading (``level`` 1–6) or a paragraph (``level`` 0) of a draft."""

    level: int
    text: str


class DraftError(ValueError):
    """The draft cannot be used; the message is a translated sentence for the author."""


def parse_markdown(source: str) -> list[Block]:
    """Split Markdown into headings and paragraphs.

    Raises
    ------
    DraftError
        When the text is empty, has no paragraph, skips a heading level, or is too long.
    """
    blocks: list[Block] = []
    lines: list[str] = []

    def flush() -> None:
        if lines:
            blocks.append(Block(0, " ".join(line.strip() for line in lines)))
            lines.clear()

    for raw in source.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        heading = _HEADING.match(raw.strip())
        if heading:
            flush()
            blocks.append(Block(len(heading.group(1)), heading.group(2).strip()))
        elif not raw.strip():
            flush()
        elif _LIST_ITEM.match(raw):
            flush()
            lines.append(raw)
        else:
            lines.append(raw)
    flush()
    return check(blocks)


def parse_docx(data: bytes) -> list[Block]:
    """Read the headings and paragraphs of a Word document.

    Raises
    ------
    DraftError
        When the file is not a Word document, or its text does not make a draft.
    """
    import docx  # python-docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise DraftError(_("This file is not a Word document (.docx) that can be read.")) from error
    except Exception as error:  # lxml raises its own errors on a damaged part
        raise DraftError(_("This file is not a Word document (.docx) that can be read.")) from error
    blocks = []
    for paragraph in document.paragraphs:
        text = " ".join(paragraph.text.split())
        if not text:
            continue
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        level = 0
        if style == "Title":
            level = 1
        elif style.startswith("Heading "):
            suffix = style.removeprefix("Heading ")
            level = int(suffix) if suffix.isdigit() and 1 <= int(suffix) <= 6 else 0
        blocks.append(Block(level, text))
    return check(blocks)


def parse_upload(filename: str, data: bytes) -> list[Block]:
    """Parse an uploaded draft by its extension (``.md``, ``.markdown``, ``.txt`` or ``.docx``)."""
    if len(data) > MAX_DRAFT_BYTES:
        raise DraftError(_("The file is larger than 2 MB."))
    name = filename.lower()
    if name.endswith(".docx"):
        return parse_docx(data)
    if name.endswith((".md", ".markdown", ".txt")):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise DraftError(_("The file is not UTF-8 text. Save it as UTF-8 and upload it again.")) from error
        return parse_markdown(text)
    raise DraftError(_("Please upload a Markdown (.md) or Word (.docx) file."))


def check(blocks: list[Block]) -> list[Block]:
    """Refuse what is not a draft: nothing to comment on, a skipped heading level, too much text."""
    if not any(block.level == 0 for block in blocks):
        raise DraftError(_("The draft has no paragraph to comment on."))
    if len(blocks) > MAX_BLOCKS:
        raise DraftError(_("The draft has more than %(count)s paragraphs.", count=MAX_BLOCKS))
    previous = 0
    for block in blocks:
        if len(block.text) > MAX_BLOCK_CHARS:
            raise DraftError(_("A paragraph is longer than %(count)s characters: “%(start)s…”",
                               count=MAX_BLOCK_CHARS, start=block.text[:40]))
        if block.level:
            if block.level > previous + 1:
                raise DraftError(_("The heading “%(heading)s” skips a level (a level %(level)s heading "
                                   "must follow one of level %(above)s).",
                                   heading=block.text[:60], level=block.level, above=block.level - 1))
            previous = block.level
    return blocks


def align_languages(drafts: dict[str, list[Block]], order: list[str]) -> list[dict]:
    """Join the drafts of several languages into rows ``{"level": …, "texts": {lang: text}}``.

    The languages must be paragraph aligned: the same number of blocks, with headings at the same places.

    Raises
    ------
    DraftError
        Naming the first language whose structure differs from the first language's.
    """
    first = order[0]
    reference = drafts[first]
    for language in order[1:]:
        other = drafts[language]
        if len(other) != len(reference) or any(a.level != b.level for a, b in zip(reference, other)):
            raise DraftError(_("The %(language)s text is not paragraph aligned with the %(first)s text: it has "
                               "%(count)s headings and paragraphs where the first has %(expected)s, or its "
                               "headings are in other places.", language=language, first=first,
                               count=len(other), expected=len(reference)))
    return [{"level": block.level, "texts": {language: drafts[language][i].text for language in order}}
            for i, block in enumerate(reference)]


def number_blocks(levels: list[int]) -> list[str]:
    """Numbers readers cite: "1", "1.2" for headings; "1", "2", … (through the document) for paragraphs."""
    counters = [0] * 6
    paragraph = 0
    numbers = []
    for level in levels:
        if level:
            counters[level - 1] += 1
            for deeper in range(level, 6):
                counters[deeper] = 0
            numbers.append(".".join(str(n) for n in counters[:level] if n) or "1")
        else:
            paragraph += 1
            numbers.append(str(paragraph))
    return numbers
