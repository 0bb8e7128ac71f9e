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
