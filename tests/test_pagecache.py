"""Cut pages (consult.pagecache): the gzip body assembled from pieces is the page, byte for byte."""

from __future__ import annotations

import gzip
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import escape

from consult import pagecache
from consult.pagecache import CutPage, PageCache, accepts_gzip, marker

names = st.sampled_from(["csrf_token", "step", "resume_code", "x"])
texts = st.text(alphabet=st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), max_size=300)


@st.composite
def pages(draw):
    parts = draw(st.lists(st.tuples(texts, names), max_size=6))
    tail = draw(texts)
    html = "".join(text + marker(name) for text, name in parts) + tail
    expected = {name: draw(texts) for _text, name in parts}
    filled = "".join(text + str(escape(expected[name])) for text, name in parts) + tail
    return html, expected, filled


@settings(max_examples=150, deadline=None)
@given(pages())
def test_the_gzip_body_is_the_page_with_its_values(case):
    html, values, filled = case
    cut = CutPage.from_html(html, values)
    assert cut.body(values) == filled.encode()
    assert gzip.decompress(cut.gzip_body(values)) == filled.encode()
    # zlib's own gzip reader (what browsers use) checks the CRC and the length too
    assert zlib.decompress(cut.gzip_body(values), 16 + zlib.MAX_WBITS) == filled.encode()


def test_a_value_longer_than_a_stored_block_is_split():
    big = "é" * 70_000  # 140,000 bytes: three stored blocks
    cut = CutPage.from_html("<p>" + marker("big") + "</p>", {"big": big})
    assert gzip.decompress(cut.gzip_body({"big": big})) == f"<p>{big}</p>".encode()


def test_values_are_escaped_as_the_template_would():
    cut = CutPage.from_html('<input value="' + marker("v") + '">', {"v": "x"})
    assert cut.body({"v": '"><script>'}) == b'<input value="&#34;&gt;&lt;script&gt;">'


@settings(max_examples=300, deadline=None)
@given(st.one_of(texts, st.integers(), st.booleans(), st.floats(allow_nan=False), st.none()))
def test_the_quick_escape_is_markupsafes(value):
    assert pagecache.escaped(value) == str(escape(value)).encode()


def test_a_value_that_knows_its_html_keeps_it():
    class Safe:
        def __html__(self):
            return "<b>kept</b>"

    assert pagecache.escaped(Safe()) == b"<b>kept</b>"
    assert pagecache.escaped("<b>") == b"&lt;b&gt;"


def test_fixed_pieces_are_compressed_once_at_the_highest_level():
    page = "<p>" + "a questionnaire page " * 200 + marker("csrf_token") + "</p>" + "footer " * 100
    values = {"csrf_token": "t" * 40}
    cut = CutPage.from_html(page, values)
    assert cut.slots == ("csrf_token",) and cut.lengths == (40,)
    body = cut.gzip_body(values)
    assert len(body) < len(page) / 10
    assert body[:3] == b"\x1f\x8b\x08" and body.endswith(len(cut.body(values)).to_bytes(4, "little"))
    with pytest.raises(ValueError):
        cut.gzip_body({"csrf_token": "shorter"})  # compressed around a value of 40 bytes


def test_the_pieces_refer_back_across_the_values_as_one_stream_would():
    head = "<head><title>Questionnaire</title><link rel=stylesheet href=/static/consult.css></head>"
    question = '<fieldset><legend>How safe do you feel at home?</legend><input type=radio name=q value=1></fieldset>'
    page = head + marker("csrf_token") + question * 3 + marker("step") + head + question + marker("code") + head
    values = {"csrf_token": "T" * 60, "step": "12", "code": "ABCD-EFGH-JKLM"}
    page_cut = CutPage.from_html(page, values)
    whole = len(zlib.compress(page_cut.body(values), 9)) - 6  # zlib's frame is 6 bytes, gzip's 18
    cut = len(page_cut.gzip_body(values)) - 18
    raw_values = sum(len(value) for value in values.values())  # stored as they are
    alone = sum(len(zlib.compress(piece, 9)) - 6 for piece in page_cut.pieces) + raw_values
    assert cut <= whole + raw_values + 3 * 40  # a block header or two per cut
    assert cut < alone - 40  # the pieces after the first refer back to the head instead of repeating it


def test_a_page_holding_every_filler_byte_still_comes_out_right():
    page = "".join(chr(c) for c in range(1, 32)) + marker("v") + "<p>end" + "".join(chr(c) for c in range(1, 32))
    values = {"v": "value"}
    cut = CutPage.from_html(page, values)
    assert gzip.decompress(cut.gzip_body(values)) == cut.body(values)


def test_accept_encoding():
    assert accepts_gzip("gzip, deflate, br")
    assert accepts_gzip("GZIP")
    assert accepts_gzip("*")
    assert accepts_gzip("br;q=1.0, gzip;q=0.8")
    assert not accepts_gzip("")
    assert not accepts_gzip("identity")
    assert not accepts_gzip("gzip;q=0")
    assert not accepts_gzip("gzip;q=0.0, *")
    assert not accepts_gzip("br")
    assert not accepts_gzip("gzip;q=abc")


def test_the_cache_is_bounded_and_least_recently_used_goes_first():
    cache = PageCache(max_entries=2)
    first, second, third = (CutPage.from_html(f"<p>{n}</p>", {}) for n in range(3))
    cache.put("a", first)
    cache.put("b", second)
    assert cache.get("a") is first  # now "b" is the oldest
    cache.put("c", third)
    assert cache.get("b") is None and cache.get("a") is first and cache.get("c") is third
    by_size = PageCache(max_bytes=first.size * 2)
    for key in "abc":
        by_size.put(key, CutPage.from_html("<p>0</p>", {}))
    assert len(by_size) == 2
    by_size.clear()
    assert len(by_size) == 0 and by_size._bytes == 0


def test_the_module_keeps_no_pages_of_its_own():
    # One cache per app (each test's app has its own database): nothing module-wide to leak between apps.
    assert not any(isinstance(value, PageCache) for value in vars(pagecache).values())
