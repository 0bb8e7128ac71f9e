"""Pages rendered once and served many times: a rendering cut at its per-request values, each fixed piece
compressed once.

A respondent's page is the same for everyone at the same point of the same questionnaire in the same language,
but for a few values of her own (the form's CSRF token, the step, her resume code). Rendering it with Jinja cost
most of a page's time. Rendered once with a marker in place of each such value, cut at the markers, and each fixed
piece compressed once (at the highest level, which no per-request compression could afford), a page becomes a
join of bytes.

The gzip body is assembled without compressing anything per request: each fixed piece is a raw deflate segment
ending on a byte boundary (``Z_SYNC_FLUSH``), each per-request value a *stored* deflate block (RFC 1951 §3.2.4),
then the final empty block and the gzip trailer: the CRC-32 and length of the whole page (RFC 1952). The result is
one ordinary gzip member that every browser reads.
"""

from __future__ import annotations

import functools
import re
import struct
import zlib
from collections import OrderedDict
from collections.abc import Hashable, Mapping
from dataclasses import dataclass

from markupsafe import escape

from consult.qvalues import quality

#: gzip member header: magic, deflate, no flags, no time stamp, "maximum compression", unknown OS.
GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
#: A final, empty stored block: the end of the deflate stream.
FINAL_BLOCK = b"\x01\x00\x00\xff\xff"
_MARKER = "\x00slot:{}\x00"  # NUL never comes out of a template on its own, and escaping leaves it alone
_MARKER_RE = re.compile("\x00slot:([A-Za-z_][A-Za-z0-9_]*)\x00")


def marker(name: str) -> str:
    """What a template is given in place of the per-request value ``name`` when the page is rendered for cutting."""
    return _MARKER.format(name)


#: What autoescaping changes in a string (markupsafe's five characters).
_SPECIAL = re.compile("[&<>\"']").search


def escaped(value: object) -> bytes:
    """A per-request value as the template would have written it."""
    # The usual values (a step number, a token of letters and digits) need no escaping: markupsafe's Markup
    # costs more than the rest of filling a slot.
    kind = type(value)
    if kind is int:
        return str(value).encode()
    if kind is str and not _SPECIAL(value):  # type: ignore[arg-type]
        return value.encode()  # type: ignore[attr-defined]
    return str(escape(value)).encode()


def fill(values: Mapping[str, object]) -> dict[str, bytes]:
    """The values as they go into the slots: escaped, encoded."""
    return {name: escaped(value) for name, value in values.items()}


#: Bytes that stand in the compression window for a per-request value: control characters no page contains
#: (answers are stripped of them); one that the page does contain is never used.
_FILLERS = (1, 2, 3, 4, 5, 6, 7, 8, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31)


def _deflate_around(pieces: tuple[bytes, ...], lengths: tuple[int, ...]) -> tuple[bytes, ...]:
    """The pieces as raw deflate segments of one stream, each ending on a byte boundary (``Z_SYNC_FLUSH``).

    Between two pieces the window holds filler bytes as many as the value that will stand there: later pieces
    may refer back across it at the right distances (the whole page compresses as well as in one go), and never
    into it (no piece contains the filler byte), so the value can replace the filler as a stored block.
    """
    filler = next((bytes([b]) for b in _FILLERS if not any(bytes([b]) in piece for piece in pieces)), None)
    out = []
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15, 9)
    for index, piece in enumerate(pieces):
        if filler is None:  # every candidate occurs in the page: each piece compressed on its own
            compressor = zlib.compressobj(9, zlib.DEFLATED, -15, 9)
        out.append(compressor.compress(piece) + compressor.flush(zlib.Z_SYNC_FLUSH))
        if filler is not None and index < len(lengths):
            compressor.compress(filler * lengths[index])
            compressor.flush(zlib.Z_SYNC_FLUSH)  # the value's own block, replaced by a stored one per request
    return tuple(out)


def _stored(data: bytes) -> bytes:
    """``data`` as non-final stored deflate blocks (each at most 65,535 bytes)."""
    out = []
    for start in range(0, len(data), 0xFFFF):
        chunk = data[start:start + 0xFFFF]
        out.append(b"\x00" + struct.pack("<HH", len(chunk), len(chunk) ^ 0xFFFF) + chunk)
    return b"".join(out)


@dataclass(frozen=True)
class CutPage:
    """A rendered page as fixed pieces with a named per-request value between each two.

    ``pieces`` has one more item than ``slots``; ``deflated`` holds them compressed for values of the byte
    ``lengths`` given when the page was cut (see :func:`_deflate_around`).
    """

    pieces: tuple[bytes, ...]
    slots: tuple[str, ...]
    lengths: tuple[int, ...]
    deflated: tuple[bytes, ...]

    @classmethod
    def from_html(cls, html: str, values: Mapping[str, object]) -> CutPage:
        """Cut ``html`` at every marker (see :func:`marker`) it contains, compressed for values as long as
        ``values`` (:meth:`gzip_body` then takes values of those lengths: :func:`length_key` tells them apart)."""
        parts = _MARKER_RE.split(html)
        pieces = tuple(part.encode() for part in parts[0::2])
        slots = tuple(parts[1::2])
        lengths = tuple(len(escaped(values[name])) for name in slots)
        return cls(pieces=pieces, slots=slots, lengths=lengths, deflated=_deflate_around(pieces, lengths))

    @property
    def size(self) -> int:
        """Bytes held (for the cache's bound)."""
        return sum(map(len, self.pieces)) + sum(map(len, self.deflated))

    def body(self, values: Mapping[str, object]) -> bytes:
        """The page with ``values`` (escaped as the template would have) in its slots."""
        return self.filled_body(fill(values))

    def gzip_body(self, values: Mapping[str, object]) -> bytes:
        """:meth:`body` as a gzip member, without compressing anything now."""
        return self.filled_gzip_body(fill(values))

    def filled_body(self, filled: Mapping[str, bytes]) -> bytes:
        """:meth:`body` for values already escaped and encoded (:func:`fill`)."""
        filled = [filled[name] for name in self.slots]
        out = [self.pieces[0]]
        for value, piece in zip(filled, self.pieces[1:]):
            out += (value, piece)
        return b"".join(out)

    def filled_gzip_body(self, filled: Mapping[str, bytes]) -> bytes:
        """:meth:`gzip_body` for values already escaped and encoded (:func:`fill`)."""
        filled = [filled[name] for name in self.slots]
        if tuple(map(len, filled)) != self.lengths:
            raise ValueError("values of other lengths than the page was compressed for")
        out = [GZIP_HEADER, self.deflated[0]]
        crc = zlib.crc32(self.pieces[0])
        size = len(self.pieces[0])
        for value, piece, deflated in zip(filled, self.pieces[1:], self.deflated[1:]):
            crc = zlib.crc32(piece, zlib.crc32(value, crc))
            size += len(value) + len(piece)
            out += (_stored(value), deflated)
        out += (FINAL_BLOCK, struct.pack("<II", crc, size & 0xFFFFFFFF))
        return b"".join(out)


def length_key(filled: Mapping[str, bytes]) -> tuple[tuple[str, int], ...]:
    """What a cache key adds for the lengths of the values, escaped and encoded (:func:`fill`): pages are
    compressed for given lengths."""
    return tuple(sorted((name, len(value)) for name, value in filled.items()))


class PageCache:
    """Cut pages by key, least recently used first out, bounded in entries and bytes. One per app (not a module
    global): each app has its own database, and a test's app must never see another's pages."""

    def __init__(self, max_entries: int = 2048, max_bytes: int = 64 * 1024 * 1024) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._pages: OrderedDict[Hashable, CutPage] = OrderedDict()
        self._bytes = 0

    def __len__(self) -> int:
        return len(self._pages)

    def get(self, key: Hashable) -> CutPage | None:
        page = self._pages.get(key)
        if page is not None:
            self._pages.move_to_end(key)
        return page

    def put(self, key: Hashable, page: CutPage) -> CutPage:
        old = self._pages.pop(key, None)
        if old is not None:
            self._bytes -= old.size
        self._pages[key] = page
        self._bytes += page.size
        while self._pages and (len(self._pages) > self.max_entries or self._bytes > self.max_bytes):
            _key, dropped = self._pages.popitem(last=False)
            self._bytes -= dropped.size
        return page

    def clear(self) -> None:
        self._pages.clear()
        self._bytes = 0


@functools.lru_cache(maxsize=256)
def accepts_gzip(accept_encoding: str) -> bool:
    """Whether an ``Accept-Encoding`` header allows gzip (``gzip;q=0`` refuses it; ``*`` stands for it)."""
    qualities: dict[str, float] = {}
    for part in accept_encoding.lower().split(",")[:20]:
        coding, _, params = part.partition(";")
        qualities[coding.strip()] = quality(params)
    for coding in ("gzip", "x-gzip", "*"):
        if coding in qualities:
            return qualities[coding] > 0
    return False
