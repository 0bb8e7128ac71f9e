"""``consult survey …``: import, list, open/close and export surveys from the command line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from consult.settings import Settings


def register(sub: argparse._SubParsersAction) -> None:
    survey = sub.add_parser("survey", help="import, list, open, close and export surveys")
    actions = survey.add_subparsers(metavar="ACTION")

    add = actions.add_parser("import", help="import an XLSForm workbook (.xlsx); prints the new survey's slug")
    add.add_argument("file", metavar="FILE.xlsx", type=Path)
    add.add_argument("--open", action="store_true", help="open it for answers at once")
    add.add_argument("--discreet", action="store_true", help="neutral titles and a random neutral address")
    add.set_defaults(handler=_import)

    listing = actions.add_parser("list", help="one survey a line: slug, title, status, responses")
    listing.set_defaults(handler=_list)

    for name, status, text in (("open", "open", "open a survey for answers"), ("close", "closed", "close a survey")):
        step = actions.add_parser(name, help=text)
        step.add_argument("slug")
        step.set_defaults(handler=_status, status=status)

    out = actions.add_parser("export", help="write the responses (one row each) and the codebook")
    out.add_argument("slug")
    out.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    out.add_argument("--output", required=True, type=Path, help="the data file (XLSX also holds the codebook)")
    out.add_argument("--codebook", type=Path,
                     help="CSV only: where to write the codebook (default: OUTPUT with .codebook.csv)")
    out.add_argument("--labels", metavar="LANG", help="choice labels in this language instead of codes")
    out.add_argument("--complete-only", action="store_true", help="leave out responses still in progress")
    out.set_defaults(handler=_export)

    survey.set_defaults(handler=lambda settings, args: survey.print_help() or 2)


def _import(settings: Settings, args: argparse.Namespace) -> int:
    from consult.cli import CommandError, run_with_database
    from consult.i18n import using_locale
    from consult.surveys.lifecycle import import_survey
    from consult.surveys.xlsform import MAX_BYTES, XLSFormError

    try:
        if args.file.stat().st_size > MAX_BYTES:
            raise CommandError(f"{args.file}: larger than {MAX_BYTES // (1024 * 1024)} MB")
        data = args.file.read_bytes()
    except OSError as error:
        raise CommandError(f"{args.file}: {error.strerror}") from None

    async def work() -> int:
        with using_locale("en"):
            try:
                survey = await import_survey(data, filename=args.file.name, open_now=args.open,
                                             discreet=args.discreet)
            except XLSFormError as error:
                for problem in error.problems:
                    print(f"{args.file.name}: {problem}", file=sys.stderr)
                return 1
        print(survey.slug)
        return 0

    return run_with_database(settings, work)


def _list(settings: Settings, args: argparse.Namespace) -> int:
    from consult.cli import run_with_database
    from consult.surveys.lifecycle import survey_rows

    async def work() -> int:
        for row in await survey_rows():
            survey = row["survey"]
            print(f"{survey.slug}\t{row['form'].title_in(None)}\t{survey.status}\t{row['responses']}")
        return 0

    return run_with_database(settings, work)


async def _survey(slug: str):
    from consult.cli import CommandError
    from consult.surveys.store import survey_by_slug

    survey = await survey_by_slug(slug)
    if survey is None:
        raise CommandError(f"no survey {slug!r} (see: consult survey list)")
    return survey


def _status(settings: Settings, args: argparse.Namespace) -> int:
    from consult.cli import CommandError, run_with_database
    from consult.i18n import using_locale
    from consult.surveys.lifecycle import SurveyError, set_status

    async def work() -> int:
        survey = await _survey(args.slug)
        with using_locale("en"):
            try:
                await set_status(survey, args.status)
            except SurveyError as error:
                raise CommandError(str(error)) from None
        print(f"{survey.slug}\t{survey.status}")
        return 0

    return run_with_database(settings, work)


def _export(settings: Settings, args: argparse.Namespace) -> int:
    from consult.cli import CommandError, run_with_database
    from consult.surveys.export import export

    async def work() -> int:
        survey = await _survey(args.slug)
        data, codebook = await export(survey, args.format, labels=args.labels, complete_only=args.complete_only)
        try:
            args.output.write_bytes(data)
            if codebook is not None:
                target = args.codebook or args.output.with_name(args.output.stem + ".codebook.csv")
                target.write_bytes(codebook)
                print(target)
        except OSError as error:
            raise CommandError(f"{error.filename}: {error.strerror}") from None
        print(args.output)
        return 0

    return run_with_database(settings, work)
