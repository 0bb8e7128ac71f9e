"""The database host stops answering (a network partition, a hung server): unlike a restart, nothing refuses the
connection — packets just go nowhere. Requests must still get the translated 503 page within a bounded time rather
than hang until a proxy gives up, /healthz must say so, and everything must work again when the network is back.

A pausable TCP forwarder sits between `consult serve` and the private cluster: paused, it accepts connections and
swallows what it receives, without answering.
"""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from tests.faults.conftest import free_port
from tests.faults.test_postgres_restart import FRENCH_503, add_user, sign_in_by_code, wait_for

#: What a request may take while the database is unreachable (a proxy's timeout is typically 60 s).
BOUND = 10.0


class Forwarder:
    """127.0.0.1:<port> → 127.0.0.1:<target>, in its own thread; ``pause()`` black-holes all traffic."""

    def __init__(self, target: int) -> None:
        self.target, self.port = target, free_port()
        self.paused = threading.Event()
        self.loop = asyncio.new_event_loop()
        self.writers: set[asyncio.StreamWriter] = set()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                if self.paused.is_set():
                    continue  # swallowed: the other side waits for an answer that never comes
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()

    async def _handle(self, client_reader, client_writer) -> None:
        self.writers.add(client_writer)
        if self.paused.is_set():
            return  # accepted, never connected onward
        try:
            server_reader, server_writer = await asyncio.open_connection("127.0.0.1", self.target)
        except OSError:
            client_writer.close()
            return
        self.writers.add(server_writer)
        await asyncio.gather(self._pipe(client_reader, server_writer), self._pipe(server_reader, client_writer))

    def start(self) -> "Forwarder":
        self.thread.start()
        future = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._handle, "127.0.0.1", self.port), self.loop)
        self.server = future.result(10)
        return self

    def pause(self) -> None:
        self.paused.set()

    def resume(self) -> None:
        """The network is back; connections opened across the partition are reset, as they would be."""
        self.paused.clear()

        def reset() -> None:
            for writer in list(self.writers):
                writer.transport.abort()
            self.writers.clear()

        self.loop.call_soon_threadsafe(reset)

    def stop(self) -> None:
        self.resume()
        self.loop.call_soon_threadsafe(self.server.close)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)


@pytest.fixture
def forwarder(private_pg):
    forwarder = Forwarder(private_pg.port).start()
    yield forwarder
    forwarder.stop()


def test_requests_get_the_503_page_in_bounded_time_when_the_database_stops_answering(
        fault_database, forwarder, live_servers, smtp_server, mailbox):
    # Through the forwarder, with short timeouts (the defaults are 5 s to connect and 30 s a statement).
    through = fault_database.replace(f":{fault_database.split(':')[-1].split('/')[0]}/", f":{forwarder.port}/") + \
        "?connect_timeout=2&command_timeout=3"
    [server] = live_servers(through, mail_url=smtp_server.url,
                            then=lambda server: add_user(server, "far@example.org", "panel"))
    member = sign_in_by_code(server, mailbox, "far@example.org")
    member.cookies.set("lang", "fr")
    assert member.get("/account/settings").status_code == 200

    forwarder.pause()
    try:
        started = time.monotonic()
        health = server.client(timeout=BOUND * 2).get("/healthz")
        health_seconds = time.monotonic() - started
        assert health.status_code == 503 and health_seconds < 5, (health.status_code, health_seconds)

        started = time.monotonic()
        page = member.get("/account/settings", timeout=BOUND * 4)
        page_seconds = time.monotonic() - started
        assert page.status_code == 503 and FRENCH_503 in page.text, (page.status_code, page.text[:500])
        assert page_seconds < BOUND, page_seconds
    finally:
        forwarder.resume()

    started = time.monotonic()
    wait_for(lambda: server.client().get("/healthz").status_code == 200, 30, "/healthz 200 after the partition")
    wait_for(lambda: member.get("/account/settings").status_code == 200, 30, "pages after the partition")
    print(f"\n/healthz 503 in {health_seconds:.2f} s, a page's 503 in {page_seconds:.2f} s, "
          f"back {time.monotonic() - started:.2f} s after the network returned")
