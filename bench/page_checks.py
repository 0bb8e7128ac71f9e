"""CPU time of the checks a page submission runs before its statement, on the demo survey.

    .venv/bin/python bench/page_checks.py

For each page of one valid pass through the demo survey (``demo_walk`` of bench/http_targets.py), as
``consult.surveys.respond`` does it: the form inputs read from the posted fields, ``check_page``,
``revealed_questions``, ``answers_after_page`` (taking up the check) and ``next_page``, with the answers saved before that page. Prints
microseconds per page (best of 7 rounds). No database and no web app: the figure for judging a change to
``consult/surveys/validation.py``; bench/request_cpu.py gives the whole request.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from starlette.datastructures import FormData  # noqa: E402

from consult.i18n import using_locale  # noqa: E402
from consult.surveys.demo_form import build_demo_xlsform  # noqa: E402
from consult.surveys.respond import _raw_inputs  # noqa: E402
from consult.surveys.validation import answers_after_page, check_page, next_page, revealed_questions  # noqa: E402
from consult.surveys.xlsform import import_xlsform  # noqa: E402


def main(rounds: int = 300) -> None:
    form = import_xlsform(build_demo_xlsform())
    namespace: dict = {}
    exec(compile((ROOT / "bench" / "http_targets.py").read_text(), "http_targets.py", "exec"), namespace)
    pages = [(index, FormData(fields), answers) for index, fields, answers in namespace["demo_walk"](form)]

    def submit_each_page() -> None:
        for index, data, answers in pages:
            raw = _raw_inputs(form, index, data)
            check = check_page(form, index, raw, answers, lang="en", saved=True)
            if check.errors:
                raise AssertionError(check.errors)
            revealed_questions(form, index, answers, check.clean, saved=True)
            saved = answers_after_page(form, answers, index, check.clean, check)
            next_page(form, index, saved, saved=True)

    with using_locale("en"):
        for _ in range(50):
            submit_each_page()
        best = float("inf")
        for _ in range(7):
            started = time.process_time()
            for _ in range(rounds):
                submit_each_page()
            best = min(best, (time.process_time() - started) / rounds / len(pages))
    print(f"{len(pages)} pages of the demo survey: {best * 1e6:.1f} µs CPU per page submitted (best of 7 rounds)")


if __name__ == "__main__":
    main()
