"""The ``consult`` command. Each area adds its own subcommands through a ``register(subparsers)`` function."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Awaitable, Callable, Sequence

from consult.settings import Settings, SettingsError, load_settings

# Areas whose subcommands the command offers; each module has ``register(subparsers)``.
AREA_COMMANDS = [
    "consult.accounts.cli",
    "consult.mail.cli",
    "consult.surveys.cli",
    "consult.consultations.cli",
    "consult.plans.cli",
]


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        settings = load_settings()
    except SettingsError as error:
        print(f"consult: {error}", file=sys.stderr)
        return 2
    from consult.logs import configure_logging

    configure_logging(settings.log_level)
    try:
        return args.handler(settings, args) or 0
    except CommandError as error:
        print(f"consult: {error}", file=sys.stderr)
        return 1


class CommandError(Exception):
    """A command cannot do what was asked; the message is printed on one line."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="consult", description="Surveys, consultations and weighted analysis.")
    sub = parser.add_subparsers(metavar="COMMAND")

    serve = sub.add_parser("serve", help="serve the web application with uvicorn")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default: %(default)s)")
    serve.add_argument("--workers", type=int, default=1, help="worker processes (default: %(default)s)")
    serve.add_argument("--reload", action="store_true", help="restart when the code changes (development)")
    serve.set_defaults(handler=_serve)

    migrate = sub.add_parser("migrate", help="apply the database migrations (Alembic upgrade to head)")
    migrate.add_argument("--revision", default="head", help="the revision to reach (default: %(default)s)")
    migrate.set_defaults(handler=_migrate)

    demo = sub.add_parser("demo", help="load the demo data (once; existing data is kept)")
    demo.add_argument("--in-production", action="store_true",
                      help="load it although CONSULT_ENV is production: for a throwaway database that measures "
                           "production settings (the benchmarks), never for a live panel")
    demo.set_defaults(handler=_demo)

    import importlib

    for module in AREA_COMMANDS:
        importlib.import_module(module).register(sub)
    return parser


def run_with_database(settings: Settings, work: Callable[[], Awaitable[int | None]]) -> int:
    """Run ``work`` with the database open, for commands that use the models."""
    from consult import db

    async def wrapper() -> int | None:
        await db.open_database(settings.database_url)
        try:
            return await work()
        finally:
            await db.close_database()

    return asyncio.run(wrapper()) or 0


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    uvicorn.run(
        "consult.asgi:app",
        host=args.host,
        port=args.port,
        workers=args.workers if not args.reload else None,
        reload=args.reload,
        access_log=False,  # ours (consult.request) leaves out addresses and query strings
        proxy_headers=True,
        server_header=False,
        log_config=None,
        lifespan="on",
    )
    return 0


def _migrate(settings: Settings, args: argparse.Namespace) -> int:
    from consult.migrate import current_revision, upgrade

    upgrade(settings.database_url, args.revision)
    print(f"database at revision {current_revision(settings.database_url)}")
    return 0


def _demo(settings: Settings, args: argparse.Namespace) -> int:
    from consult.demo import load_demo

    if settings.production and not args.in_production:
        # Demo accounts are shared, known accounts (ASVS V2.5.4): never on a production database.
        print("consult demo: refused, CONSULT_ENV is production (demo data and accounts are for trying Consult "
              "out, not for a live panel)", file=sys.stderr)
        return 2

    async def work() -> int:
        for line in await load_demo(settings):
            print(line)
        return 0

    return run_with_database(settings, work)


if __name__ == "__main__":
    sys.exit(main())
