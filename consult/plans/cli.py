"""``consult report SURVEY_SLUG --output report.html [--format html|pdf|xlsx|csv]``: compute the report of the
tracker wave that survey is, and write it to a file, with a progress bar on standard error."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from consult.settings import Settings


def register(sub: argparse._SubParsersAction) -> None:
    report = sub.add_parser("report", help="compute a survey wave's weighted report and write it to a file")
    report.add_argument("survey", metavar="SURVEY_SLUG", help="the survey (a wave of a tracker)")
    report.add_argument("--output", "-o", required=True, help="the file to write")
    report.add_argument("--format", choices=("html", "pdf", "xlsx", "csv"),
                        help="the file format (default: from the output's extension, else html)")
    report.add_argument("--language", default="en", help="the language of the report (default: %(default)s)")
    report.add_argument("--no-progress", action="store_true", help="no progress bar")
    report.set_defaults(handler=_report)


class ProgressBar:
    """A one-line bar on standard error, redrawn in place: ``[#########...........]  45%``."""

    def __init__(self, stream=None, width: int = 30, enabled: bool = True) -> None:
        # Looked up now, not at import: standard error may have been replaced since (tests, redirections).
        self.stream, self.width, self.enabled = stream or sys.stderr, width, enabled
        self.started = time.monotonic()

    def __call__(self, fraction: float) -> None:
        if not self.enabled:
            return
        filled = int(round(self.width * max(0.0, min(fraction, 1.0))))
        elapsed = time.monotonic() - self.started
        self.stream.write(f"\r[{'#' * filled}{'.' * (self.width - filled)}] {fraction:4.0%}  {elapsed:5.1f}s")
        if fraction >= 1.0:
            self.stream.write("\n")
        self.stream.flush()


def _report(settings: Settings, args: argparse.Namespace) -> int:
    from consult.cli import CommandError, run_with_database

    output = Path(args.output)
    kind = args.format or (output.suffix.lstrip(".").lower() if output.suffix.lstrip(".").lower() in (
        "html", "pdf", "xlsx", "csv") else "html")

    async def work() -> int:
        from consult import i18n
        from consult.plans import documents, service
        from consult.plans.models import ReportRun, RunStatus, Wave

        wave = await Wave.filter(survey__slug=args.survey).order_by("-id").first()
        if wave is None:
            raise CommandError(f"survey {args.survey!r} is not a wave of any tracker (link it on the tracker page)")
        with i18n.using_locale(args.language if args.language in i18n.SUPPORTED else "en"):
            tracker = await wave.tracker
            run = await service.request_run(tracker, wave)
            bar = ProgressBar(enabled=not args.no_progress)
            run = await service.execute_run(run, on_progress=bar)
            if run.status != RunStatus.DONE.value:
                raise CommandError(f"the report failed: {run.error}")
            run = await ReportRun.get(id=run.id).prefetch_related("tracker", "wave")
            context = await documents.report_context(run, analyst=False)
            body, _ = documents.render_file(None, kind, context)
        output.write_bytes(body)
        print(f"wrote {output} ({kind}, run {run.id})")
        return 0

    return run_with_database(settings, work)
