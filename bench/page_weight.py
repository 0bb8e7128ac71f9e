"""Page weight of the respondent's pages: gzip bytes transferred per page, stylesheet and scripts included.

Runs the real application (Starlette TestClient, a throwaway SQLite database), imports the demo questionnaire,
opens it and walks every page in each language asked for, answering as a respondent would. For each page it
prints the HTML, CSS and JS bytes as transferred with ``Accept-Encoding: gzip`` and PASS/FAIL against the
budget (20 KB per page, scripts at most 5 KB and never required). A synthetic page of ten questions is
measured too, since that is how the budget is worded.

    .venv/bin/python bench/page_weight.py [--languages en,ar]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAGE_BUDGET = 20 * 1024
SCRIPT_BUDGET = 5 * 1024


def _ten_question_form() -> bytes:
    """A page of ten questions in five languages: Likert scales, choices, a number, a text."""
    import io

    from openpyxl import Workbook

    langs = ["English (en)", "Français (fr)", "Українська (uk)", "العربية (ar)", "فارسی (fa)"]
    book = Workbook()
    survey = book.active
    survey.title = "survey"
    survey.append(["type", "name", *(f"label::{l}" for l in langs), *(f"hint::{l}" for l in langs), "parameters",
                   "required"])
    survey.append(["begin group", "ten", *(["Ten questions"] * 5), *([""] * 5), "", ""])
    kinds = ["range"] * 5 + ["select_one agree"] * 3 + ["integer", "text"]
    for i, kind in enumerate(kinds):
        label = f"Question {i + 1}: how much do you agree with this statement about safety in your area?"
        survey.append([kind, f"q{i}", *([label] * 5), *(["1 = not at all, 5 = completely"] * 5),
                       "start=1 end=5 step=1" if kind == "range" else "", "yes"])
    survey.append(["end group", "", *([""] * 12)])
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", *(f"label::{l}" for l in langs)])
    for name in ("strongly_agree", "agree", "neutral", "disagree", "strongly_disagree", "prefer_not"):
        choices.append(["agree", name, *([name.replace("_", " ").capitalize()] * 5)])
    settings = book.create_sheet("settings")
    settings.append(["form_title::English (en)", *(f"form_title::{l}" for l in langs[1:]), "form_id"])
    settings.append(["Ten", "Dix", "Десять", "عشرة", "ده", "ten_questions"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--languages", default="en,ar", help="languages to walk (default: %(default)s)")
    args = parser.parse_args(argv)

    from starlette.testclient import TestClient

    from consult.app import create_app
    from consult.migrate import upgrade
    from consult.settings import Settings

    tmp = Path(tempfile.mkdtemp(prefix="consult-weight-"))
    url = f"sqlite:///{tmp / 'weight.sqlite3'}"
    upgrade(url)
    settings = Settings(env="test", data_dir=tmp, database_url=url, secret_key="page-weight-" + "x" * 40,
                        mail_url="console://", mail_worker=False, log_level="ERROR")
    app = create_app(settings)
    rows: list[tuple[str, int, int, int]] = []
    with TestClient(app, follow_redirects=False) as client:
        from consult.surveys import demo, lifecycle
        from consult.surveys.xlsform import import_xlsform

        async def setup():
            main_survey = await lifecycle.create_survey(import_xlsform(demo._form()), open_now=True)
            ten = await lifecycle.import_survey(_ten_question_form(), open_now=True)
            return main_survey.slug, ten.slug

        slug, ten_slug = client.portal.call(setup)
        form = import_xlsform(demo._form())
        assets = _assets(client, client.get(f"/s/{slug}").text)
        for lang in [code.strip() for code in args.languages.split(",") if code.strip()]:
            rows.extend(_walk(client, slug, form, lang))
        client.cookies.clear()
        rows.extend(_walk(client, ten_slug, import_xlsform(_ten_question_form()), "en", label="ten questions"))

    css = sum(size for name, size in assets.items() if name.endswith(".css"))
    js = sum(size for name, size in assets.items() if name.endswith(".js"))
    print(f"{'page':<34} {'HTML':>7} {'CSS':>6} {'JS':>6} {'total':>7}  budget {PAGE_BUDGET // 1024} KB")
    failed = False
    for name, html in rows:
        total = html + css + js
        verdict = "PASS" if total <= PAGE_BUDGET else "FAIL"
        failed |= verdict == "FAIL"
        print(f"{name:<34} {html:>7} {css:>6} {js:>6} {total:>7}  {verdict}")
    verdict = "PASS" if js <= SCRIPT_BUDGET else "FAIL"
    failed |= verdict == "FAIL"
    print(f"optional script (quick exit): {js} bytes gzip, budget {SCRIPT_BUDGET // 1024} KB  {verdict}")
    print(f"heaviest page: {max(h for _, h in rows) + css + js} bytes gzip (HTML + CSS + JS), every page without "
          "JavaScript")
    return 1 if failed else 0


def _gzip_size(client, path: str) -> int:
    response = client.get(path, headers={"accept-encoding": "gzip"})
    assert response.status_code == 200, (path, response.status_code)
    return response.num_bytes_downloaded


def _assets(client, html: str) -> dict[str, int]:
    found = re.findall(r'(?:href|src)="(/static/[^"]+)"', html)
    return {path.split("?")[0]: _gzip_size(client, path) for path in dict.fromkeys(found)}


def _walk(client, slug: str, form, lang: str, label: str | None = None) -> list[tuple[str, int]]:
    """Answer every page in ``lang``; returns (page, gzip bytes) for the consent page and each page."""
    from itsdangerous import URLSafeSerializer

    from consult.surveys.demo import synthetic_response

    client.cookies.clear()  # a new respondent
    rows = [(f"{label or slug} [{lang}] consent", _gzip_size(client, f"/s/{slug}?lang={lang}"))]
    token = URLSafeSerializer(client.app.state.settings.secret_key, salt="consult.csrf").dumps(client.cookies["csrf"])
    client.post(f"/s/{slug}/start", data={"csrf_token": token, "consent": "yes", "lang": lang})
    rng = random.Random(3)
    answers = {}
    while not answers.get("consent", "yes") == "yes" or not answers:
        answers, _pages, _complete = synthetic_response(rng, form)
    answers.setdefault("consent", "yes")
    for _ in range(3 * len(form.pages)):
        page = client.get(f"/s/{slug}/page", headers={"accept-encoding": "gzip"})
        if page.status_code != 200:
            break
        step = re.search(r'name="step" value="(\d+)"', page.text).group(1)
        index = int(re.search(r'name="page" value="(\d+)"', page.text).group(1))
        rows.append((f"{label or slug} [{lang}] page {index + 1}", page.num_bytes_downloaded))
        data: dict[str, object] = {"csrf_token": token, "step": step, "page": str(index), "action": "next"}
        for question in form.pages[index].questions:
            value = answers.get(question.name)
            if value is None and question.required is True and question.is_select:
                value = form.choices(question)[0].name
            elif value is None and question.required is True:
                value = "3" if question.type in ("range", "integer") else "x"
            if value is not None:
                data[f"a:{question.name}"] = [str(v) for v in value] if isinstance(value, list) else str(value)
        sent = client.post(f"/s/{slug}/page", data=data)
        if sent.status_code == 303 and sent.headers["location"].endswith("/done"):
            break
        if sent.status_code not in (303,):
            break
        # A page shown again for questions it revealed is measured again; keep only its last measure.
        if sent.headers["location"].endswith("more=1"):
            rows.pop()
    return rows


if __name__ == "__main__":
    sys.exit(main())
