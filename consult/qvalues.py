"""Quality values of HTTP ``Accept-*`` headers (RFC 9110 §12.4.2), shared by content and language negotiation."""

from __future__ import annotations


def quality(params: str) -> float:
    """The ``q`` of one header element's parameters (``"q=0.8"``, ``"level=1;q=0"``): 1 when absent, 0 when
    malformed (an element we cannot read is one we do not pick)."""
    for param in params.split(";"):
        key, _, value = param.strip().partition("=")
        if key.strip().lower() == "q":
            try:
                return float(value)
            except ValueError:
                return 0.0
    return 1.0
