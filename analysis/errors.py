"""Exceptions raised by :mod:`analysis`."""

from __future__ import annotations


class DesignError(ValueError):
    """Bad input to a survey design or an estimator.

    Raised for problems the analyst can fix: unknown columns, missing or
    non-positive weights, PSUs not nested in strata, a stratum with a single
    PSU under ``lonely_psu="fail"``, and so on.
    """


class CalibrationError(DesignError):
    """Calibration (raking, GREG) did not reach the requested totals.

    Attributes
    ----------
    achieved : dict
        The margins (or totals) actually reached by the last iteration, so the
        analyst can see which margin could not be met.
    """

    def __init__(self, message: str, achieved: dict | None = None):
        super().__init__(message)
        self.achieved = achieved or {}
