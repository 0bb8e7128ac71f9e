"""Every route of the surveys area, for :func:`consult.app.create_app`."""

from __future__ import annotations

from consult.surveys import admin, editor, respond

#: A respondent's pages: the hottest routes of the app, which it tries first.
respondent_routes = respond.routes
#: The secretariat's pages.
routes = [*admin.routes, *editor.routes]
