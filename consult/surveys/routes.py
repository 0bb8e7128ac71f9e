"""Every route of the surveys area, for :func:`consult.app.create_app`."""

from __future__ import annotations

from consult.surveys import admin, editor, respond

routes = [*respond.routes, *admin.routes, *editor.routes]
