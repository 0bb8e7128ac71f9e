"""Export: what was answered is exactly what is exported (CSV, XLSX, the DataFrame bridge), with a codebook."""

from __future__ import annotations

import csv
import io

import pytest

from consult.surveys import dataframe, export
from consult.surveys.models import Survey
from tests.surveys.support import Respondent, open_survey

ANSWERED = [
    ({"country": "ua", "age": "30"}, {"unsafe": "yes", "places": ["home", "work"], "comment": "=1+1, \"quoted\"\nline"},
     {"score": "2.5"}),
    ({"country": "sy", "age": "61"}, {"unsafe": "no", "comment": ""}, {"score": ""}),
]


def _answer_all(client):
    survey = client.run(open_survey)
    for pages in ANSWERED:
        client.cookies.clear()
        who = Respondent(client, survey.slug)
        who.start("ar" if pages[0]["country"] == "sy" else "en")
        for answers in pages:
            assert who.submit(answers).status_code == 303
    return survey


async def _export(slug, fmt, labels=None):
    survey = await Survey.get(slug=slug)
    return await export.export(survey, fmt, labels=labels)


def test_csv_round_trip_and_codebook(client):
    survey = _answer_all(client)
    data, codebook = client.run(_export, survey.slug, "csv")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert [r["country"] for r in rows] == ["ua", "sy"]
    first, second = rows
    assert first["age"] == "30" and first["places"] == "home work"
    assert (first["places/home"], first["places/street"], first["places/work"]) == ("1", "0", "1")
    assert first["comment"] == "=1+1, \"quoted\"\nline" and first["score"] == "2.5"
    assert second["places"] == "" and second["places/home"] == ""  # not asked is not "no"
    assert second["_language"] == "ar" and second["_status"] == "complete" and second["_version"] == "1"
    book = list(csv.DictReader(io.StringIO(codebook.decode("utf-8-sig"))))
    country = [r for r in book if r["variable"] == "country"]
    assert country[0]["weighting"] == "yes" and country[0]["label::ar"] == "البلد"
    assert [r["choice"] for r in country[1:]] == ["ua", "sy"]


def test_labels_in_a_chosen_language(client):
    survey = _answer_all(client)
    data, _ = client.run(_export, survey.slug, "csv", "ar")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0]["country"] == "أوكرانيا" and rows[1]["unsafe"] == "لا"


def test_xlsx_has_data_codebook_and_versions(client):
    from openpyxl import load_workbook

    survey = _answer_all(client)
    data, none = client.run(_export, survey.slug, "xlsx")
    assert none is None
    book = load_workbook(io.BytesIO(data), read_only=True)
    assert book.sheetnames == ["data", "codebook", "versions"]
    rows = list(book["data"].values)
    header = rows[0]
    first = dict(zip(header, rows[1]))
    assert first["comment"] == "=1+1, \"quoted\"\nline"  # text, not a formula
    assert first["age"] == 30 and first["score"] == 2.5 and first["places/work"] == 1


def test_dataframe_bridge(client):
    survey = _answer_all(client)
    frame, codebook = client.run(dataframe.responses_frame, survey.slug)
    assert list(frame["country"]) == ["ua", "sy"]
    assert str(frame["age"].dtype) == "Int64" and list(frame["age"]) == [30, 61]
    assert frame["score"].iloc[0] == 2.5 and frame["score"].isna().iloc[1]
    assert frame["places/home"].iloc[0] == 1 and frame["places/home"].isna().iloc[1]
    assert [v.name for v in codebook.weighting_variables()] == ["country"]
    with pytest.raises(LookupError):
        client.run(dataframe.responses_frame, "nope")


def test_versions_are_recorded_and_merged(client):
    from consult.surveys import lifecycle
    from tests.surveys.support import workbook

    survey = _answer_all(client)

    async def edit():
        fresh = await Survey.get(id=survey.id)
        version = await lifecycle.import_new_version(fresh, workbook())
        return version.number

    assert client.run(edit) == 2  # answered: a new version, never a change under the answers
    client.cookies.clear()
    who = Respondent(client, survey.slug)
    who.start()
    who.submit({"country": "ua", "age": "44"})
    data, codebook = client.run(_export, survey.slug, "csv")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert [r["_version"] for r in rows] == ["1", "1", "2"]
    assert rows[2]["_status"] == "in_progress"
