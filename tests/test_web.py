"""Helpers of consult.web that stand in for Starlette's own."""

from __future__ import annotations

import string

from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.responses import RedirectResponse

from consult.web import redirect


#: Mostly what an address of ours is made of (the quick path that skips quoting), with what must be quoted.
_ADDRESS_LIKE = st.text(alphabet=string.ascii_letters + string.digits + "_.~-:/%#?=@[]!$&'()*+,; \"<>^`{|}\\é\n",
                        max_size=60)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=60), _ADDRESS_LIKE), st.sampled_from([302, 303, 307]))
def test_redirect_is_starlettes_redirect(path, status):
    url = "/s/" + path
    ours, theirs = redirect(url, status_code=status), RedirectResponse(url, status_code=status)
    assert isinstance(ours, RedirectResponse)
    assert (ours.status_code, ours.body, ours.raw_headers) == (theirs.status_code, theirs.body, theirs.raw_headers)
    assert ours.headers["location"] == theirs.headers["location"]
