"""``consult mail work``: the outbox delivery loop as its own process (when ``CONSULT_MAIL_WORKER=false`` keeps it
out of ``consult serve``); ``consult mail send-pending`` sends what is due once and exits."""

from __future__ import annotations

import argparse

from consult.settings import Settings


def register(sub: argparse._SubParsersAction) -> None:
    mail = sub.add_parser("mail", help="the mail outbox")
    mail_sub = mail.add_subparsers(metavar="ACTION")
    work = mail_sub.add_parser("work", help="deliver the outbox until stopped")
    work.set_defaults(handler=_work)
    once = mail_sub.add_parser("send-pending", help="deliver what is due now, then exit")
    once.set_defaults(handler=_once)
    mail.set_defaults(handler=lambda settings, args: mail.print_help() or 2)


def _mailer(settings: Settings):
    from consult.mail.outbox import Mailer

    return Mailer(settings.mail_url, settings.mail_from, settings.database_url)


def _work(settings: Settings, args: argparse.Namespace) -> int:
    from consult.cli import run_with_database

    async def work() -> int:
        await _mailer(settings).run()
        return 0

    try:
        return run_with_database(settings, work)
    except KeyboardInterrupt:
        return 0


def _once(settings: Settings, args: argparse.Namespace) -> int:
    from consult.cli import run_with_database

    async def work() -> int:
        print(f"sent {await _mailer(settings).deliver_pending()} message(s)")
        return 0

    return run_with_database(settings, work)
