"""Wrong passwords per account, counted in the database: the limit holds across every app server and worker.

Counted per address as typed (its keyed hash, :func:`consult.accounts.views.common.account_key`), in a fixed
window that starts with the first failure: at most ``limit`` failures per window, then every attempt is refused,
the right password too, until the window ends (an emailed code still signs her in). A right password clears the
count. Each change is one statement, so concurrent failures on several servers are all counted.

The per-client limit stays in memory (:mod:`consult.accounts.throttle`): counting it here would mean keeping a
hash of people's addresses in the database, and a per-account limit is what ASVS V2.2.1 asks for.
"""

from __future__ import annotations

import datetime as dt

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F

from consult.accounts import clock
from consult.accounts.models import PasswordFailures


async def blocked(key: str, limit: int, window: dt.timedelta) -> bool:
    """Whether password attempts for this account are refused now."""
    row = await PasswordFailures.get_or_none(key=key)
    return row is not None and row.window_started_at > clock.now() - window and row.failures >= limit


async def failed(key: str, window: dt.timedelta) -> None:
    """Count one wrong password for this account."""
    now = clock.now()
    start = now - window
    for _attempt in range(3):
        if await PasswordFailures.filter(key=key, window_started_at__gt=start).update(failures=F("failures") + 1):
            return
        # No row, or one whose window has ended: that window's count no longer matters.
        if await PasswordFailures.filter(key=key, window_started_at__lte=start).update(
                failures=1, window_started_at=now):
            return
        try:
            await PasswordFailures.create(key=key, failures=1, window_started_at=now)
        except IntegrityError:  # another server counted the first failure at the same moment: count on its row
            continue
        # A first failure for this address: a moment to drop the counts nobody needs any more, so that the table
        # holds no more than the addresses tried within one window.
        await forget_ended(window)
        return


async def cleared(key: str) -> None:
    """A right password: the account's count starts again."""
    await PasswordFailures.filter(key=key).delete()


async def forget_ended(window: dt.timedelta) -> int:
    """Delete the counts whose window has ended (kept otherwise for each address ever tried); returns how many."""
    return await PasswordFailures.filter(window_started_at__lte=clock.now() - window).delete()
