"""The comment matrix: every visible comment with its paragraph, support, status, response and the paragraph of the
latest version that carries the change; as rows grouped by paragraph, as XLSX and as CSV."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from tortoise.functions import Count

from consult.consultations.models import Comment, Consultation, Paragraph, Version
from consult.i18n import gettext as _


@dataclass
class MatrixRow:
    comment_id: int
    version: int
    paragraph_key: str
    paragraph_number: str
    paragraph_text: str
    comment: str
    quote: str
    author: str
    supports: int
    status: str
    status_label: str
    response: str
    new_paragraph: str
    is_reply: bool


async def build(consultation: Consultation, language: str) -> list[MatrixRow]:
    """Rows in document order (version, paragraph, comment); hidden comments are left out."""
    comments = await (Comment.filter(consultation_id=consultation.id, hidden_at=None)
                      .annotate(support_count=Count("supports"))
                      .prefetch_related("author", "paragraph", "paragraph__version").order_by("id"))
    latest = await Version.filter(consultation_id=consultation.id).order_by("-number").first()
    new_numbers = {}
    if latest is not None:
        new_numbers = {p.key: p.number for p in await Paragraph.filter(version_id=latest.id)}
    anonymous = _("anonymous")
    rows = []
    for c in comments:
        p = c.paragraph
        rows.append(MatrixRow(
            comment_id=c.id, version=p.version.number, paragraph_key=p.key, paragraph_number=p.number,
            paragraph_text=p.text(language), comment=c.body, quote=c.quote,
            author=(c.author.display_name if c.author else anonymous) if consultation.show_authors else anonymous,
            supports=c.support_count, status=c.status or "", status_label=c.status_label, response=c.response,
            new_paragraph=new_numbers.get(c.response_paragraph_key or "", ""), is_reply=c.parent_id is not None,
        ))
    rows.sort(key=lambda r: (r.version, _position(r), r.comment_id))
    return rows


def _position(row: MatrixRow) -> tuple:
    return tuple(int(part) if part.isdigit() else 0 for part in row.paragraph_number.split("."))


def grouped(rows: list[MatrixRow]) -> list[tuple[MatrixRow, list[MatrixRow]]]:
    """``[(first row of a paragraph, its rows)]`` for the HTML matrix."""
    groups: list[tuple[MatrixRow, list[MatrixRow]]] = []
    for row in rows:
        if groups and (groups[-1][0].version, groups[-1][0].paragraph_key) == (row.version, row.paragraph_key):
            groups[-1][1].append(row)
        else:
            groups.append((row, [row]))
    return groups


def headers() -> list[str]:
    return [_("Version"), _("Paragraph"), _("Paragraph text"), _("Comment"), _("Quoted passage"), _("Author"),
            _("Support"), _("Status"), _("Response"), _("New paragraph")]


def _values(row: MatrixRow) -> list:
    return [row.version, row.paragraph_number, row.paragraph_text, row.comment, row.quote, row.author, row.supports,
            row.status_label, row.response, row.new_paragraph]


def _safe_cell(value):
    """Spreadsheets run a cell that starts with = + - @ as a formula; a comment must stay text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def to_csv(rows: list[MatrixRow]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers())
    for row in rows:
        writer.writerow([_safe_cell(v) for v in _values(row)])
    # With a BOM, spreadsheet programs read the file as UTF-8 (Arabic, Ukrainian…).
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(rows: list[MatrixRow], title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Comment matrix")[:31]
    sheet.append(headers())
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_safe_cell(v) for v in _values(row)])
    for letter, width in zip("ABCDEFGHIJ", (8, 10, 50, 50, 30, 20, 8, 18, 50, 12)):
        sheet.column_dimensions[letter].width = width
    for line in sheet.iter_rows(min_row=2):
        for cell in line:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    workbook.properties.title = title[:200]
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
