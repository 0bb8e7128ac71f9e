"""Every route of the surveys area, for :func:`consult.app.create_app`."""

from __future__ import annotations

from consult.surveys import respond

routes = [*respond.routes]
