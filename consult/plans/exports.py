"""The report's tables as files: CSV (estimates) and XLSX (estimates, gaps, changes, methods).

Files carry raw numbers (not formatted text), so that they can be analysed further; suppressed cells are empty
with the reason in the ``suppressed`` column.
"""

from __future__ import annotations

import csv
import io

from consult.plans.presentation import group_label, variable_label

ESTIMATE_COLUMNS = ["indicator", "objective", "statistic", "breakdown", "group", "value", "ci_low", "ci_high", "se",
                    "n", "deff", "suppressed"]


def estimate_rows(result: dict) -> list[list]:
    rows = []
    for ind in result["indicators"]:
        o = ind["overall"]
        rows.append([ind["code"], ind["objective"], ind["statistic"], "", "", o["value"], o["low"], o["high"],
                     o["se"], o["n"], o["deff"], o["suppressed"]])
        for b in ind["breakdowns"]:
            for c in b["cells"]:
                rows.append([ind["code"], ind["objective"], ind["statistic"], b["variable"],
                             group_label(result, b["variable"], c["label"]), c["value"], c["low"], c["high"],
                             c["se"], c["n"], c["deff"], c["suppressed"]])
    return rows


def gap_rows(result: dict) -> list[list]:
    return [[ind["code"], b["variable"], group_label(result, b["variable"], g["a"]),
             group_label(result, b["variable"], g["b"]), g["value"], g["se"], g["p_value"], g["p_adjusted"]]
            for ind in result["indicators"] for b in ind["breakdowns"] for g in b["gaps"]]


def change_rows(result: dict) -> list[list]:
    return [[ind["code"], c["previous_label"], c["previous_value"], ind["overall"]["value"], c["value"], c["se"],
             c["p_value"], c["p_adjusted"]] for ind in result["indicators"] if (c := ind.get("change"))]


def to_csv(result: dict) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(ESTIMATE_COLUMNS)
    writer.writerows(estimate_rows(result))
    # UTF-8 with a byte-order mark, so spreadsheet programs read Arabic, Persian and Ukrainian labels correctly.
    return out.getvalue().encode("utf-8-sig")


def to_xlsx(result: dict) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "estimates"
    sheet.append(ESTIMATE_COLUMNS)
    for row in estimate_rows(result):
        sheet.append(row)
    gaps = book.create_sheet("gaps")
    gaps.append(["indicator", "breakdown", "group_a", "group_b", "difference", "se", "p_value",
                 f"p_adjusted_{result['settings']['correction_r']}"])
    for row in gap_rows(result):
        gaps.append(row)
    changes = book.create_sheet("changes")
    changes.append(["indicator", "previous_wave", "previous_value", "value", "change", "se", "p_value",
                    f"p_adjusted_{result['settings']['correction_r']}"])
    for row in change_rows(result):
        changes.append(row)
    meta = book.create_sheet("methods")
    for key in ("tracker", "wave_label", "respondents", "excluded", "analysed", "suppressed_cells", "computed_at"):
        meta.append([key, result[key]])
    for key, value in result["settings"].items():
        meta.append([key, str(value)])
    meta.append(["margins", ", ".join(variable_label(result, v) for v in result.get("margins", {}))])
    for call in result["r_design"]:
        meta.append(["R", call])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
