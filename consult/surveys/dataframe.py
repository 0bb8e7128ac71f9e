"""The bridge to the analysis: a survey's responses as a pandas DataFrame, with its codebook.

>>> frame, codebook = await responses_frame("wps-perceptions")
>>> codebook.weighting_variables()   # and codebook.margins for their population counts

Columns are the export's (see :mod:`consult.surveys.export`), in codes: integers as ``Int64``, decimals and
ranges as ``float64``, multiple-choice indicator columns as ``Int64`` 0/1, missing as ``<NA>``/``NaN``.
"""

from __future__ import annotations

import pandas as pd

from consult.surveys import export, store
from consult.surveys.codebook import Codebook

__all__ = ["responses_frame", "frame_from"]


async def responses_frame(slug: str, *, complete_only: bool = True) -> tuple[pd.DataFrame, Codebook]:
    """Every (complete, by default) response of survey ``slug``; raises :class:`LookupError` if there is none."""
    survey = await store.survey_by_slug(slug)
    if survey is None:
        raise LookupError(f"no survey {slug!r}")
    codebook = await export.load_codebook(survey)
    rows = await export.load_rows(survey, complete_only=complete_only)
    return frame_from(codebook, rows), codebook


def frame_from(codebook: Codebook, rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(export.table(codebook, rows), columns=export.columns(codebook))
    frame["_id"] = frame["_id"].astype("Int64")
    frame["_version"] = frame["_version"].astype("Int64")
    for variable in codebook.variables:
        if variable.type == "integer":
            frame[variable.name] = pd.array(frame[variable.name].tolist(), dtype="Int64")
        elif variable.type in ("decimal", "range"):
            frame[variable.name] = pd.to_numeric(frame[variable.name], errors="coerce").astype("float64")
        elif variable.type == "select_multiple":
            for column in variable.columns()[1:]:
                frame[column] = pd.array(frame[column].tolist(), dtype="Int64")
    return frame
