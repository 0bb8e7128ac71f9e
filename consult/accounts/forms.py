"""Reading the account forms: trimmed, bounded values, and the page context that keeps what was typed."""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.requests import Request


async def read_form(request: Request) -> FormData:
    from consult.web import form_data

    return await form_data(request)


def value(form: FormData, name: str, limit: int = 254) -> str:
    raw = form.get(name, "")
    return raw.strip()[:limit] if isinstance(raw, str) else ""


def secret(form: FormData, name: str, limit: int = 1024) -> str:
    """A password as typed (not trimmed: spaces are refused by the rules, not silently removed)."""
    raw = form.get(name, "")
    return raw[:limit] if isinstance(raw, str) else ""


def error_messages(*texts: str) -> list[dict]:
    return [{"text": text, "kind": "error"} for text in texts if text]


def info_messages(*texts: str) -> list[dict]:
    return [{"text": text, "kind": "info"} for text in texts if text]
