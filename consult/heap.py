"""The garbage collector in a serving process: what it looks at, and how often.

Reference counting frees almost everything a request makes. The cyclic collector finds next to nothing here:
about 1,600 objects over 100,000 requests of ``bench/http_speed.py``. Yet with CPython's defaults it took about
a ninth of a submission's CPU under load. Its youngest generation is collected every 700 net allocations, which
64 requests in flight reach all the time. A full collection came every few hundred requests and walked every
long-lived object, for about 18 ms each time.

Two settings for ``consult serve``'s processes (``consult.asgi``), none for tests or commands:

* :func:`freeze` after start-up. What importing and starting made (the analysis stack, templates, catalogs, the
  database client: about 150,000 objects) lives as long as the process. Frozen, collections no longer walk it.
* :data:`THRESHOLDS`. With 10,000, a 12-second run of 78,000 requests made 10 young collections instead of
  7,800. Garbage in cycles waits a little longer. At most about 10,000 objects, a few megabytes, and usually far
  less, since so little of it is made.
"""

from __future__ import annotations

import contextlib
import gc
from typing import Any, AsyncIterator

#: Net allocations before a young collection; young collections before a middle one; middle before a full one.
THRESHOLDS = (10_000, 20, 100)


def freeze() -> None:
    """Collect once, then keep everything alive now out of every later collection (``gc.freeze``)."""
    gc.collect()
    gc.freeze()


def tune() -> None:
    gc.set_threshold(*THRESHOLDS)


@contextlib.asynccontextmanager
async def frozen_after_start(app: Any) -> AsyncIterator[None]:
    """A background context for ``app.state.background``, entered last: freezes what start-up made."""
    freeze()
    yield
