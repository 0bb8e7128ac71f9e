"""``consult user …``: manage accounts from the command line."""

from __future__ import annotations

import argparse

from consult.accounts.models import Role
from consult.settings import Settings


def register(sub: argparse._SubParsersAction) -> None:
    user = sub.add_parser("user", help="manage user accounts")
    user_sub = user.add_subparsers(metavar="ACTION")
    add = user_sub.add_parser("add", help="create an account (verified: its owner signs in with an emailed code)")
    add.add_argument("email", metavar="EMAIL")
    add.add_argument("--role", required=True, choices=[role.value for role in Role])
    add.add_argument("--name", help="display name (default: the part of the address before @)")
    add.add_argument("--language", default="en", help="preferred language (default: %(default)s)")
    add.set_defaults(handler=_add)
    off = user_sub.add_parser("two-step-off", help="turn off two-step sign-in for an account whose owner lost her "
                                                   "phone and her recovery codes: her sessions end, and "
                                                   "she is told by mail")
    off.add_argument("email", metavar="EMAIL")
    off.set_defaults(handler=_two_step_off)
    user.set_defaults(handler=lambda settings, args: user.print_help() or 2)


def _add(settings: Settings, args: argparse.Namespace) -> int:
    from consult.accounts.users import UserError, create_user
    from consult.cli import CommandError, run_with_database

    async def work() -> int:
        try:
            user = await create_user(args.email, args.role, args.name, args.language, verified=True)
        except UserError as error:
            raise CommandError(str(error)) from None
        print(f"created {user.email} ({user.role})")
        return 0

    return run_with_database(settings, work)


def _two_step_off(settings: Settings, args: argparse.Namespace) -> int:
    from tortoise.transactions import in_transaction

    from consult.accounts import audit, clock, mails, sessions
    from consult.accounts.models import User
    from consult.accounts.users import UserError, normalize_email
    from consult.cli import CommandError, run_with_database

    async def work() -> int:
        try:
            email = normalize_email(args.email)
        except UserError as error:
            raise CommandError(str(error)) from None
        async with in_transaction():
            user = await User.get_or_none(email=email)
            if user is None:
                raise CommandError(f"no account for {email}")
            if user.two_step_since is None and user.two_step_secret is None:
                print(f"two-step sign-in was not on for {email}")
                return 0
            await User.filter(id=user.id).update(two_step_secret=None, two_step_since=None, two_step_recovery=[],
                                                 updated_at=clock.now())
            # A browser signed in on the lost phone (or by whoever has it) is signed out too: the account is
            # back to one factor, so the next sign-in asks for a fresh emailed code.
            ended = await sessions.end_all(user)
            await audit.record("two_step_off", user=user, by="command line")
            # The owner is told, in case it was not at her request (the outbox sends it).
            await mails.send_notice(user.email, user.language, "two_step_off")
        print(f"two-step sign-in turned off for {email} and {ended} session(s) ended; she can turn it on again in "
              "her settings")
        return 0

    return run_with_database(settings, work)
