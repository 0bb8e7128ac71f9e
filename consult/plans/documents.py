"""A finished report as a file: a self-contained HTML page, a PDF, or its tables as XLSX / CSV.

The HTML file is the report page's body with the stylesheet inlined (it is read offline, outside the site). The
PDF is drawn with fpdf2 (pure Python, no system libraries): headlines, the recommendations and the tables; charts
stay in the HTML. It uses the DejaVu Sans font when the system has it (Latin, Cyrillic, Arabic letters); Arabic
and Persian are not shaped right-to-left in the PDF, so those readers should use the HTML file.
"""

from __future__ import annotations

import functools
from pathlib import Path

from starlette.requests import Request

from consult import i18n
from consult.i18n import gettext as _
from consult.plans import exports
from consult.templating import STATIC_DIR

FORMATS = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
FONT_CANDIDATES = (Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
                   Path("/usr/share/fonts/TTF/DejaVuSans.ttf"))


async def report_context(run, analyst: bool) -> dict:
    """What the report page and the files show of ``run`` (with ``tracker`` and ``wave`` fetched).

    Panel members (``analyst=False``) get the accepted recommendations only.
    """
    from consult.pages import WPS_OBJECTIVES
    from consult.plans import presentation
    from consult.plans.models import (DECISION_LABELS, LEVEL_LABELS, RUN_STATUS_LABELS, Decision, Level,
                                      Recommendation)

    recs = await Recommendation.filter(run_id=run.id).order_by("rank")
    if not analyst:
        recs = [r for r in recs if r.decision == Decision.ACCEPTED.value]
    result = run.result
    return {
        "page_title": _("Report: %(tracker)s, %(wave)s", tracker=run.tracker.title, wave=run.wave.label),
        "run": run, "analyst": analyst, "result": result,
        "objectives": presentation.objectives_view(result) if result else [],
        "methods": presentation.methods(result) if result else {},
        "recommendations": recs,
        "public_recommendations": [r for r in recs if r.decision == Decision.ACCEPTED.value],
        "survey_title": presentation.texts_in(result.get("survey_title")) if result else "",
        "status_labels": {s.value: str(label) for s, label in RUN_STATUS_LABELS.items()},
        "decision_labels": {d.value: str(label) for d, label in DECISION_LABELS.items()},
        "level_labels": {lv.value: str(label) for lv, label in LEVEL_LABELS.items()},
        "objective_labels": {code: str(label) for code, label in WPS_OBJECTIVES},
        "fmt": presentation.fmt, "fmt_p": presentation.fmt_p, "fmt_p_relation": presentation.fmt_p_relation,
        "fmt_difference": presentation.fmt_difference,
        "levels": [(lv.value, str(LEVEL_LABELS[lv])) for lv in Level],
    }


def render_file(request: Request | None, kind: str, context: dict) -> tuple[bytes, str]:
    """The report in ``kind`` (one of :data:`FORMATS`) and its media type."""
    result = context["result"]
    if kind == "csv":
        return exports.to_csv(result), FORMATS[kind]
    if kind == "xlsx":
        return exports.to_xlsx(result), FORMATS[kind]
    if kind == "pdf":
        return to_pdf(context), FORMATS[kind]
    return html_document(request, context).encode("utf-8"), FORMATS[kind]


def html_document(request: Request | None, context: dict) -> str:
    """The standalone page (no site navigation, the stylesheet inlined), the same with or without a request."""
    css = (Path(STATIC_DIR) / "consult.css").read_text(encoding="utf-8")
    return render_offline("plans/report_document.html", {**context, "inline_css": css})


@functools.lru_cache(maxsize=1)
def _environment():
    from consult.templating import create_environment

    return create_environment()


def render_offline(template: str, context: dict) -> str:
    """Render a standalone template outside a request (the command line, file downloads)."""
    from consult import i18n

    return _environment().get_template(template).render({"locale": i18n.current(), **context})


def to_pdf(context: dict) -> bytes:
    from fpdf import FPDF

    result = context["result"]
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=15)
    font = next((p for p in FONT_CANDIDATES if p.exists()), None)
    if font is not None:
        pdf.add_font("body", "", str(font))
        bold = font.with_name("DejaVuSans-Bold.ttf")
        pdf.add_font("body", "B", str(bold if bold.exists() else font))  # table headings are bold
        family = "body"
        # HarfBuzz (uharfbuzz) joins Arabic and Persian letters and lays the lines out right to left.
        if i18n.current().direction == "rtl":
            pdf.set_text_shaping(use_shaping_engine=True, direction="rtl")
        else:
            pdf.set_text_shaping(use_shaping_engine=True)
    else:
        family = "helvetica"

    def text(value: str) -> str:
        # The core font only knows Latin-1: replace what it cannot draw rather than fail.
        return value if font is not None else value.encode("latin-1", "replace").decode("latin-1")

    pdf.add_page()
    pdf.set_font(family, size=16)
    pdf.multi_cell(0, 8, text(context["page_title"]), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, size=10)
    pdf.multi_cell(0, 5, text(_("%(n)s respondents analysed; computed %(when)s.", n=result["analysed"],
                                when=result["computed_at"])), new_x="LMARGIN", new_y="NEXT")
    for objective in context["objectives"]:
        pdf.ln(3)
        pdf.set_font(family, size=13)
        pdf.multi_cell(0, 7, text(objective.label), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(family, size=10)
        for ind in objective.indicators:
            pdf.multi_cell(0, 5, text(ind.headline), new_x="LMARGIN", new_y="NEXT")
            for breakdown in ind.breakdowns:
                pdf.set_font(family, size=9)
                pdf.multi_cell(0, 5, text(breakdown.label), new_x="LMARGIN", new_y="NEXT")
                with pdf.table(col_widths=(50, 25, 50, 20), text_align="LEFT") as table:
                    head = table.row()
                    for title in (_("Group"), _("Estimate"), _("95%% interval") % {}, _("Respondents")):
                        head.cell(text(title))
                    for row in breakdown.rows:
                        line = table.row()
                        line.cell(text(row.group))
                        line.cell(text(row.value if not row.suppressed else _("not shown")))
                        line.cell(text(row.interval))
                        line.cell(text(row.n))
                pdf.set_font(family, size=10)
            pdf.ln(2)
    recs = context.get("public_recommendations") or []
    if recs:
        pdf.ln(3)
        pdf.set_font(family, size=13)
        pdf.multi_cell(0, 7, text(_("Recommendations")), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(family, size=10)
        for rec in recs:
            pdf.multi_cell(0, 5, text(f"{rec.rank}. {rec.text}"), new_x="LMARGIN", new_y="NEXT")
    methods = context["methods"]
    pdf.ln(3)
    pdf.set_font(family, size=13)
    pdf.multi_cell(0, 7, text(_("Methods")), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, size=9)
    pdf.multi_cell(0, 5, text(_("Design: %(design)s. Gaps and changes corrected with the %(correction)s method. "
                                "Groups with fewer than %(min_n)s respondents are not shown.",
                                design=methods["design"], correction=methods["correction"],
                                min_n=methods["min_n"])), new_x="LMARGIN", new_y="NEXT")
    for call in methods["r_design"]:
        pdf.multi_cell(0, 4, text(call), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
