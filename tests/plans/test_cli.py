"""``consult report SURVEY_SLUG --output FILE``: the report as a file, with a progress bar."""

from __future__ import annotations

import asyncio
import io

import pytest

from consult import db
from consult.cli import main
from consult.plans.models import ReportRun, Wave
from tests.plans.conftest import make_tracker


@pytest.fixture
def seeded(database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("CONSULT_DATABASE_URL", database_url)
    monkeypatch.setenv("CONSULT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CONSULT_ENV", "test")

    async def seed():
        await db.open_database(database_url)
        try:
            tracker = await make_tracker(n=120)
            wave = await Wave.filter(tracker_id=tracker.id).order_by("-number").prefetch_related("survey").first()
            return wave.survey.slug
        finally:
            await db.close_database()

    return asyncio.run(seed())


def test_report_writes_html_and_xlsx_with_a_progress_bar(seeded, tmp_path, capsys):
    from openpyxl import load_workbook

    out = tmp_path / "report.html"
    assert main(["report", seeded, "--output", str(out)]) == 0
    captured = capsys.readouterr()
    assert "100%" in captured.err and "#" * 30 in captured.err
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>") and "<svg" in html and "svyciprop" in html
    xlsx = tmp_path / "tables.xlsx"
    assert main(["report", seeded, "--output", str(xlsx), "--no-progress"]) == 0
    assert load_workbook(io.BytesIO(xlsx.read_bytes())).sheetnames[0] == "estimates"
    pdf = tmp_path / "r.bin"
    assert main(["report", seeded, "--output", str(pdf), "--format", "pdf", "--language", "fr"]) == 0
    assert pdf.read_bytes().startswith(b"%PDF")

    async def count():
        await db.open_database(str(__import__("os").environ["CONSULT_DATABASE_URL"]))
        try:
            return await ReportRun.all().count()
        finally:
            await db.close_database()

    assert asyncio.run(count()) == 3  # each run is stored, as from the web


def test_report_of_an_unknown_survey_fails_with_one_line(seeded, tmp_path, capsys):
    assert main(["report", "no-such-survey", "--output", str(tmp_path / "x.html")]) == 1
    assert "not a wave of any tracker" in capsys.readouterr().err
