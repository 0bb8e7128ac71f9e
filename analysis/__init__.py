"""Design-based survey statistics on pandas DataFrames.

Estimates, standard errors, intervals and tests equal to R's ``survey``
package (Lumley). Imports nothing from the web application.

>>> from analysis import SurveyDesign, rake, poststratify, calibrate, trim_weights
"""

from .calibration import calibrate, poststratify, rake, trim_weights
from .design import SurveyDesign
from .errors import CalibrationError, DesignError
from .results import Estimate, EstimateTable, GLMResult, TestResult

__all__ = [
    "SurveyDesign",
    "rake",
    "poststratify",
    "calibrate",
    "trim_weights",
    "DesignError",
    "CalibrationError",
    "Estimate",
    "EstimateTable",
    "TestResult",
    "GLMResult",
]
