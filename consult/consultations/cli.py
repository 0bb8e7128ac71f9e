"""``consult consultations remind``: mail the invitees of every consultation that closes within three days (once per
consultation); run it from cron, hourly say. ``consult consultations list`` shows what exists."""

from __future__ import annotations

import argparse

from consult.settings import Settings


def register(sub: argparse._SubParsersAction) -> None:
    consultations = sub.add_parser("consultations", help="consultations on drafts")
    actions = consultations.add_subparsers(metavar="ACTION")
    remind = actions.add_parser("remind", help="queue the reminders before closing that are due")
    remind.set_defaults(handler=_remind)
    listing = actions.add_parser("list", help="list the consultations and their phases")
    listing.set_defaults(handler=_list)
    consultations.set_defaults(handler=lambda settings, args: consultations.print_help() or 2)


def _remind(settings: Settings, args: argparse.Namespace) -> int:
    from consult.cli import run_with_database
    from consult.consultations.notify import send_closing_reminders

    async def work() -> int:
        print(f"queued {await send_closing_reminders(settings)} reminder(s)")
        return 0

    return run_with_database(settings, work)


def _list(settings: Settings, args: argparse.Namespace) -> int:
    from consult.cli import run_with_database
    from consult.consultations.models import Consultation

    async def work() -> int:
        for c in await Consultation.all().order_by("id"):
            print(f"{c.id}\t{c.phase}\t{c.title}")
        return 0

    return run_with_database(settings, work)
